import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { errorResponses, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { BUILT_IN_TEMPLATES, BUILT_IN_VERSION } from "../../../rendering/templates";
import { listTemplates } from "../../../templates/store";

const TemplateListSchema = z
	.object({
		data: z.array(
			z.object({
				id: z.string().openapi({ description: "The template id, for `template_id`.", example: "invoices/invoice" }),
				name: z.string().openapi({ description: "A display name.", example: "Invoice" }),
				source: z.enum(["built-in", "account"]).openapi({ description: "`built-in` (Quire's gallery) or `account` (the account's own).", example: "built-in" }),
				description: z.string().optional().openapi({ description: "Built-in templates: what the template is." }),
				latest_version: z.number().int().openapi({ description: "The newest version, which generation uses by default.", example: 1 }),
				created_at: z.string().nullable().openapi({ description: "Account templates: when version 1 was made (ISO 8601, UTC); null for built-ins.", example: "2026-11-21T10:30:00.000Z" }),
				updated_at: z.string().nullable().openapi({ description: "Account templates: when the newest version was made; null for built-ins.", example: "2026-11-21T10:30:00.000Z" }),
			}),
		).openapi({ description: "Built-in templates first, then the account's by id." }),
	})
	.openapi("TemplateList");

const route = createRoute({
	method: "get",
	path: "/v1/templates",
	tags: ["Templates"],
	operationId: "listTemplates",
	summary: "List templates",
	description: "The built-in gallery first (`source: \"built-in\"`), then the account's own templates by id (`source: \"account\"`). Bodies are left out: read one template for its HTML, sample data and schema.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	responses: {
		200: { description: "Built-in and account templates", content: { "application/json": { schema: TemplateListSchema } } },
		...errorResponses(401, 429, 503),
	},
});

export function registerListTemplates(app: App) {
	app.openapi(route, async (c) => {
		const builtIns = [...BUILT_IN_TEMPLATES.values()].map((t) => ({
			id: t.id,
			name: t.name,
			source: "built-in" as const,
			description: t.description,
			latest_version: BUILT_IN_VERSION,
			created_at: null,
			updated_at: null,
		}));
		const own = (await listTemplates(c.var.db, c.var.auth.accountId)).map((t) => ({
			id: t.id,
			name: t.name,
			source: "account" as const,
			latest_version: t.latestVersion,
			created_at: t.createdAt,
			updated_at: t.updatedAt,
		}));
		return c.json({ data: [...builtIns, ...own] }, 200);
	});
}
