import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { listKeys } from "../../../auth/keys";
import { errorResponses, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";

const KeyListSchema = z
	.object({
		data: z.array(
			z.object({
				id: z.string().openapi({ description: "The key's id, for DELETE /v1/keys/{id}.", example: "key_7bQ2c9LmXw4RtZ1a" }),
				name: z.string().openapi({ description: "The key's name.", example: "Production Server" }),
				key_preview: z.string().openapi({ description: "First 12 characters, `...`, last 4.", example: "qk_live_4fJ0...x9Qa" }),
				created_at: z.string().openapi({ description: "When the key was made (ISO 8601, UTC).", example: "2026-11-21T10:30:00.000Z" }),
				last_used_at: z.string().nullable().openapi({ description: "Null until first use; updated at most once a minute.", example: "2026-11-21T11:02:00.000Z" }),
			}),
		).openapi({ description: "The account's keys, oldest first." }),
	})
	.openapi("KeyList");

const route = createRoute({
	method: "get",
	path: "/v1/keys",
	tags: ["API keys"],
	operationId: "listKeys",
	summary: "List API keys",
	description: "pdfapi.dev's key list: the account's keys, oldest first, never the key or its hash.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	responses: {
		200: { description: "The account's keys", content: { "application/json": { schema: KeyListSchema } } },
		...errorResponses(401, 429, 503),
	},
});

export function registerListKeys(app: App) {
	app.openapi(route, async (c) => {
		const keys = await listKeys(c.var.db, c.var.auth.accountId);
		const data = keys.map((k) => ({ id: k.id, name: k.name, key_preview: k.keyPreview, created_at: k.createdAt, last_used_at: k.lastUsedAt }));
		return c.json({ data }, 200);
	});
}
