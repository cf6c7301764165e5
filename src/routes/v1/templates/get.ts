import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { ApiError } from "../../../http/errors";
import { errorResponses, SECURITY } from "../../../http/schemas";
import { withSlashParam } from "../../../http/slash-param";
import type { App } from "../../../http/app-env";
import { BUILT_IN_TEMPLATES, BUILT_IN_VERSION } from "../../../rendering/templates";
import { accountView, builtInView, TemplateEnvelopeSchema, TemplateIdParams } from "../../../templates/schemas";
import { findTemplate, findVersion } from "../../../templates/store";

const route = createRoute({
	method: "get",
	path: "/v1/templates/{id}",
	tags: ["Templates"],
	operationId: "getTemplate",
	summary: "Read a template",
	description: "A built-in or account template: HTML, sample data, schema, default page options and the list of versions. The newest version unless `version` is given. Another account's template is 404.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	request: {
		params: TemplateIdParams,
		query: z.object({ version: z.coerce.number().int().min(1).optional().openapi({ description: "A version to read instead of the newest.", example: 1 }) }),
	},
	responses: {
		200: { description: "The template", content: { "application/json": { schema: TemplateEnvelopeSchema } } },
		...errorResponses(400, 401, 404, 429, 503),
	},
});

export function registerGetTemplate(app: App) {
	app.openapi(withSlashParam(app, route), async (c) => {
		const { id } = c.req.valid("param");
		const { version } = c.req.valid("query");
		const builtIn = BUILT_IN_TEMPLATES.get(id);
		if (builtIn) {
			if (version !== undefined && version !== BUILT_IN_VERSION) throw new ApiError("TEMPLATE_NOT_FOUND", `Template "${id}" is built in and has only version ${BUILT_IN_VERSION}`);
			return c.json({ data: builtInView(builtIn) }, 200);
		}
		const { accountId } = c.var.auth;
		const [found, shown] = await Promise.all([findTemplate(c.var.db, accountId, id), findVersion(c.var.db, accountId, id, version)]);
		if (!found) throw new ApiError("TEMPLATE_NOT_FOUND", `Template "${id}" not found`);
		if (!shown) throw new ApiError("TEMPLATE_NOT_FOUND", `Template "${id}" has no version ${version}`);
		return c.json({ data: accountView(found.template, shown, found.versions) }, 200);
	});
}
