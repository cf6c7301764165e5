import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { ApiError } from "../../../http/errors";
import { errorResponses, LIVE_KEY_ONLY, liveKeyForbidden, SECURITY } from "../../../http/schemas";
import { withSlashParam } from "../../../http/slash-param";
import type { App } from "../../../http/app-env";
import { BUILT_IN_TEMPLATES } from "../../../rendering/templates";
import { accountView, TemplateEnvelopeSchema, TemplateIdParams } from "../../../templates/schemas";
import { findTemplate, findVersion, pinVersion } from "../../../templates/store";

const PinTemplateSchema = z
	.object({
		pinned_version: z.number().int().min(1).nullable().openapi({ description: "A version of the template to pin, or null to unpin.", example: 2 }),
	})
	.strict()
	.openapi("PinTemplateRequest");

const route = createRoute({
	method: "patch",
	path: "/v1/templates/{id}",
	tags: ["Templates"],
	operationId: "pinTemplateVersion",
	summary: "Pin a template version",
	description:
		"Sets (or, with null, clears) the template's `pinned_version`: the version the dashboard's API examples name with `template_version`. Adds no version. " +
		"Generation without `template_version` keeps using the newest version; send `template_version` to use the pinned one. A version the template does not have is 404. " +
		LIVE_KEY_ONLY,
	security: SECURITY,
	middleware: [apiKeyAuth({ live: true }), rateLimit()] as const,
	request: { params: TemplateIdParams, body: { required: true, content: { "application/json": { schema: PinTemplateSchema } } } },
	responses: {
		200: { description: "The template (newest version) with its new `pinned_version`", content: { "application/json": { schema: TemplateEnvelopeSchema } } },
		...errorResponses(400, 401, 404, 413, 429, 503),
		...liveKeyForbidden({ when: "a built-in template", message: "\"invoices/invoice\" is a built-in template and has no versions to pin" }),
	},
});

export function registerPinTemplate(app: App) {
	app.openapi(withSlashParam(app, route), async (c) => {
		const { id } = c.req.valid("param");
		const { pinned_version: version } = c.req.valid("json");
		const { accountId } = c.var.auth;
		if (BUILT_IN_TEMPLATES.has(id)) throw new ApiError("FORBIDDEN", `"${id}" is a built-in template and has no versions to pin`);
		const outcome = await pinVersion(c.var.db, accountId, id, version);
		if (outcome === "no-template") throw new ApiError("TEMPLATE_NOT_FOUND", `Template "${id}" not found`);
		if (outcome === "no-version") throw new ApiError("TEMPLATE_NOT_FOUND", `Template "${id}" has no version ${version}`);
		const [found, shown] = await Promise.all([findTemplate(c.var.db, accountId, id), findVersion(c.var.db, accountId, id)]);
		if (!found || !shown) throw new ApiError("TEMPLATE_NOT_FOUND", `Template "${id}" not found`);
		return c.json({ data: accountView(found.template, shown, found.versions) }, 200);
	});
}
