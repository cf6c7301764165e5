import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { ApiError } from "../../../http/errors";
import { idempotency, IdempotencyHeadersSchema } from "../../../http/idempotency";
import { errorResponses, LIVE_KEY_ONLY, liveKeyForbidden, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { PageOptionsSchema } from "../../../rendering/page-options";
import { BUILT_IN_TEMPLATES } from "../../../rendering/templates";
import { checkTemplateContent } from "../../../templates/document";
import { accountView, DataSchemaSchema, TemplatePdfSchema, SampleDataSchema, TemplateEnvelopeSchema, TemplateHtmlSchema, TemplateIdSchema, TemplateNameSchema } from "../../../templates/schemas";
import { createTemplate, findTemplate, findVersion, MAX_TEMPLATES_PER_ACCOUNT } from "../../../templates/store";

const CreateTemplateSchema = z
	.object({
		id: TemplateIdSchema,
		name: TemplateNameSchema,
		html: TemplateHtmlSchema,
		sample_data: SampleDataSchema.optional(),
		schema: DataSchemaSchema.optional(),
		options: PageOptionsSchema.optional().openapi({ description: "Default page options of documents made from this template; a request's options replace those of the same name." }),
		pdf: TemplatePdfSchema.optional(),
	})
	// A misspelt field would be stored as if it were not there: refuse it instead.
	.strict()
	.openapi("CreateTemplateRequest");

const route = createRoute({
	method: "post",
	path: "/v1/templates",
	tags: ["Templates"],
	operationId: "createTemplate",
	summary: "Create a template",
	description:
		`Stores one of the account's own templates as version 1. The HTML must parse as Mustache (422 \`TEMPLATE_ERROR\` naming the line); \`schema\` must be a JSON Schema and \`sample_data\` must match it (400). ` +
		`Ids of built-in templates are taken, as is an id the account already uses (409; update it with PUT). An account holds at most ${MAX_TEMPLATES_PER_ACCOUNT} templates. ` +
		`${LIVE_KEY_ONLY} (A template shapes live documents too.)`,
	security: SECURITY,
	middleware: [apiKeyAuth({ live: true }), rateLimit(), idempotency()] as const,
	request: { headers: IdempotencyHeadersSchema, body: { required: true, content: { "application/json": { schema: CreateTemplateSchema } } } },
	responses: {
		201: { description: "The new template, version 1", content: { "application/json": { schema: TemplateEnvelopeSchema } } },
		...errorResponses(400, 401, 409, 413, 422, 429, 503),
		...liveKeyForbidden(),
	},
});

export function registerCreateTemplate(app: App) {
	app.openapi(route, async (c) => {
		const body = c.req.valid("json");
		const { accountId } = c.var.auth;
		if (BUILT_IN_TEMPLATES.has(body.id)) throw new ApiError("CONFLICT", `"${body.id}" is the id of a built-in template: choose another`);
		const content = { html: body.html, sampleData: body.sample_data ?? null, schema: body.schema ?? null, options: body.options ?? null, pdf: body.pdf ?? null };
		checkTemplateContent(content);

		const outcome = await createTemplate(c.var.db, accountId, body.id, body.name, content, c.var.auth.keyId);
		if (outcome === "exists") throw new ApiError("CONFLICT", `Template "${body.id}" already exists: PUT /v1/templates/${body.id} adds a version`);
		if (outcome === "cap") throw new ApiError("CONFLICT", `An account can hold at most ${MAX_TEMPLATES_PER_ACCOUNT} templates: delete one first`);
		const [found, shown] = await Promise.all([findTemplate(c.var.db, accountId, body.id), findVersion(c.var.db, accountId, body.id, 1)]);
		// Deleted again between the two statements: as if it had never been made.
		if (!found || !shown) throw new ApiError("TEMPLATE_NOT_FOUND", `Template "${body.id}" not found`);
		return c.json({ data: accountView(found.template, shown, found.versions) }, 201);
	});
}
