import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { errorResponses, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { prepareDocument } from "../../../templates/document";
import { resolveTemplate } from "../../../templates/resolve";
import { DocumentSourceSchema, oneDocumentSource, TEMPLATE_DATA_DESCRIPTION, TemplateDataSchema, TemplateHtmlSchema } from "../../../templates/schemas";

const PreviewSchema = oneDocumentSource(
	DocumentSourceSchema.extend({
		html: TemplateHtmlSchema.optional().openapi({ description: "Instead of `template_id`: a Mustache/HTML template being edited." }),
		data: TemplateDataSchema.optional().openapi({ description: `${TEMPLATE_DATA_DESCRIPTION} Default: the template's sample data (\`{}\` for inline HTML).` }),
	}).strict(),
).openapi("PreviewRequest");

const route = createRoute({
	method: "post",
	path: "/v1/templates/preview",
	tags: ["Templates"],
	operationId: "previewTemplate",
	summary: "Preview a template as HTML",
	description:
		"The HTML a generation would print, for editors: the template rendered with `data` (by default its sample data), checked like a generation (400 for data that does not match the schema, 422 for a template that does not parse), " +
		"but with no PDF made and nothing charged. `X-Missing-Variables` counts the variables `data` lacks (see `missing_variables` of POST /v1/generate). Served with `Content-Security-Policy: sandbox`: show it in a sandboxed iframe.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	request: { body: { required: true, content: { "application/json": { schema: PreviewSchema } } } },
	responses: {
		200: { description: "The rendered HTML", content: { "text/html": { schema: z.string().openapi({ example: "<h1>Invoice for Acme Corp</h1><p>Total: $564</p>" }) } } },
		...errorResponses(400, 401, 404, 413, 422, 429, 503),
	},
});

export function registerPreviewTemplate(app: App) {
	app.openapi(route, async (c) => {
		const body = c.req.valid("json");
		const template = body.template_id === undefined ? null : await resolveTemplate(c.var.db, c.var.auth.accountId, body.template_id, body.template_version);
		const source = template ?? { html: body.html!, schema: null, options: {} };
		const data = body.data ?? template?.sampleData ?? {};
		const { html, missing } = prepareDocument(source, data, {}, template?.name ?? "Document");
		const missingHeader: Record<string, string> = missing.length > 0 ? { "X-Missing-Variables": String(missing.length) } : {};
		// The HTML is the client's own, but it is served from the API's origin: never let it run there.
		return c.body(html, 200, { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff", ...missingHeader });
	});
}
