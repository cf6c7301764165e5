import { createRoute } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { ApiError } from "../../../http/errors";
import { DeletedSchema, errorResponses, LIVE_KEY_ONLY, liveKeyForbidden, SECURITY } from "../../../http/schemas";
import { withSlashParam } from "../../../http/slash-param";
import type { App } from "../../../http/app-env";
import { BUILT_IN_TEMPLATES } from "../../../rendering/templates";
import { TemplateIdParams } from "../../../templates/schemas";
import { deleteTemplate } from "../../../templates/store";

const route = createRoute({
	method: "delete",
	path: "/v1/templates/{id}",
	tags: ["Templates"],
	operationId: "deleteTemplate",
	summary: "Delete a template",
	description: "Deletes one of the account's templates with all its versions; generation with its id answers 404 from then on. Built-in templates can't be deleted (403). " + LIVE_KEY_ONLY,
	security: SECURITY,
	middleware: [apiKeyAuth({ live: true }), rateLimit()] as const,
	request: { params: TemplateIdParams },
	responses: {
		200: { description: "Deleted", content: { "application/json": { schema: DeletedSchema } } },
		...errorResponses(401, 404, 429, 503),
		...liveKeyForbidden({ when: "a built-in template", message: "\"invoices/invoice\" is a built-in template and can't be deleted" }),
	},
});

export function registerDeleteTemplate(app: App) {
	app.openapi(withSlashParam(app, route), async (c) => {
		const { id } = c.req.valid("param");
		if (BUILT_IN_TEMPLATES.has(id)) throw new ApiError("FORBIDDEN", `"${id}" is a built-in template and can't be deleted`);
		if (!(await deleteTemplate(c.var.db, c.var.auth.accountId, id))) throw new ApiError("TEMPLATE_NOT_FOUND", `Template "${id}" not found`);
		return c.json({ data: { deleted: true as const } }, 200);
	});
}
