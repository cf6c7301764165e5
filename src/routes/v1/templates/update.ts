import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { ApiError } from "../../../http/errors";
import { errorResponses, LIVE_KEY_ONLY, liveKeyForbidden, SECURITY } from "../../../http/schemas";
import { withSlashParam } from "../../../http/slash-param";
import type { App } from "../../../http/app-env";
import { PageOptionsSchema } from "../../../rendering/page-options";
import { BUILT_IN_TEMPLATES } from "../../../rendering/templates";
import { checkTemplateContent } from "../../../templates/document";
import { accountView, DataSchemaSchema, TemplatePdfSchema, SampleDataSchema, TemplateEnvelopeSchema, TemplateHtmlSchema, TemplateIdParams, TemplateNameSchema } from "../../../templates/schemas";
import { addVersion, findTemplate, findVersion } from "../../../templates/store";

const UpdateTemplateSchema = z
	.object({
		name: TemplateNameSchema.optional(),
		html: TemplateHtmlSchema.optional(),
		sample_data: SampleDataSchema.nullable().optional(),
		schema: DataSchemaSchema.nullable().optional(),
		options: PageOptionsSchema.nullable().optional(),
		pdf: TemplatePdfSchema.nullable().optional(),
	})
	.strict()
	.refine((b) => Object.keys(b).length > 0, { message: "send at least one of name, html, sample_data, schema, options, pdf" })
	.openapi("UpdateTemplateRequest", {
		description: "Fields left out keep their value from the newest version; `null` removes `sample_data`, `schema`, `options` or `pdf`.",
	});

const route = createRoute({
	method: "put",
	path: "/v1/templates/{id}",
	tags: ["Templates"],
	operationId: "updateTemplate",
	summary: "Update a template (adds a version)",
	description:
		"Adds version n+1 of one of the account's templates; earlier versions stay as they were and can still be generated with `template_version`. " +
		"Fields left out are carried over from the newest version. Checked like a creation. Built-in templates can't be changed (403). " +
		LIVE_KEY_ONLY,
	security: SECURITY,
	middleware: [apiKeyAuth({ live: true }), rateLimit()] as const,
	request: { params: TemplateIdParams, body: { required: true, content: { "application/json": { schema: UpdateTemplateSchema } } } },
	responses: {
		200: { description: "The template at its new version", content: { "application/json": { schema: TemplateEnvelopeSchema } } },
		...errorResponses(400, 401, 404, 413, 422, 429, 503),
		...liveKeyForbidden({ when: "a built-in template", message: "\"invoices/invoice\" is a built-in template and can't be changed: create your own from its body" }),
	},
});

export function registerUpdateTemplate(app: App) {
	app.openapi(withSlashParam(app, route), async (c) => {
		const { id } = c.req.valid("param");
		const body = c.req.valid("json");
		const { accountId } = c.var.auth;
		if (BUILT_IN_TEMPLATES.has(id)) throw new ApiError("FORBIDDEN", `"${id}" is a built-in template and can't be changed: create your own from its body`);
		const latest = await findVersion(c.var.db, accountId, id);
		if (!latest) throw new ApiError("TEMPLATE_NOT_FOUND", `Template "${id}" not found`);
		const content = {
			html: body.html ?? latest.html,
			sampleData: body.sample_data === undefined ? latest.sampleData : body.sample_data,
			schema: body.schema === undefined ? latest.schema : body.schema,
			options: body.options === undefined ? latest.options : body.options,
			pdf: body.pdf === undefined ? latest.pdf : body.pdf,
		};
		checkTemplateContent(content);

		const version = await addVersion(c.var.db, accountId, id, body.name, content, c.var.auth.keyId);
		if (version === null) throw new ApiError("TEMPLATE_NOT_FOUND", `Template "${id}" not found`);
		const [found, shown] = await Promise.all([findTemplate(c.var.db, accountId, id), findVersion(c.var.db, accountId, id, version)]);
		if (!found || !shown) throw new ApiError("TEMPLATE_NOT_FOUND", `Template "${id}" not found`);
		return c.json({ data: accountView(found.template, shown, found.versions) }, 200);
	});
}
