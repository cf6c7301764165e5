import { z } from "@hono/zod-openapi";
import type { AccountTemplate } from "../db/schema";
import { PdfSpecSchema } from "../pdf/spec";
import { BUILT_IN_VERSION, type BuiltInTemplate } from "../rendering/templates";
import type { StoredVersion, VersionSummary } from "./store";

/** Said wherever a template's HTML is described: what every template can use besides its data. */
const HELPERS_NOTE =
	"Template helpers are sections in every template: `{{#money}}[EUR de-DE]{{total}}{{/money}}`, `{{#number}}`, `{{#date}}[long fr-FR]{{issued}}{{/date}}`, `{{#plural}}[item items]{{n}}{{/plural}}`, " +
	"`{{#qr}}[H]{{url}}{{/qr}}`, `{{#code128}}`, `{{#ean13}}` and `{{#code39}}` (SVG), and `{{#asset}}logo.png{{/asset}}`, the URL of the account's uploaded image or font (POST /v1/assets); see docs/template-helpers.md.";

/** Limits of a stored template (a D1 row holds at most 2 MB). */
export const TEMPLATE_LIMITS = { idLength: 100, nameLength: 100, htmlBytes: 1_000_000, sampleDataBytes: 256_000, schemaBytes: 64_000, pdfBytes: 512_000 } as const;

const utf8Length = (text: string) => new TextEncoder().encode(text).byteLength;

/** Path-like, lowercase: `invoices/monthly-invoice`. */
export const TemplateIdSchema = z
	.string()
	.max(TEMPLATE_LIMITS.idLength)
	.regex(/^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/, "lowercase letters, digits, - and _, in /-separated segments, e.g. invoices/monthly")
	.openapi({ description: `Path-like and lowercase (a-z, 0-9, \`-\`, \`_\`, segments separated by \`/\`), at most ${TEMPLATE_LIMITS.idLength} characters.`, example: "invoices/monthly" });

export const TemplateIdParams = z.object({
	id: z
		.string()
		.max(TEMPLATE_LIMITS.idLength)
		.openapi({
			description:
				"The template id with its `/`s percent-encoded, as OpenAPI clients send a path parameter: `invoices%2Finvoice` for `invoices/invoice`. The raw form (`GET /v1/templates/invoices/invoice`) works too.",
			example: "invoices%2Finvoice",
		}),
});

export const TemplateNameSchema = z.string().trim().min(1, "name must not be empty").max(TEMPLATE_LIMITS.nameLength).openapi({ example: "Monthly invoice" });

export const TemplateHtmlSchema = z
	.string()
	.min(1)
	.max(TEMPLATE_LIMITS.htmlBytes)
	.refine((html) => utf8Length(html) <= TEMPLATE_LIMITS.htmlBytes, `at most ${TEMPLATE_LIMITS.htmlBytes} bytes`)
	.openapi({ description: `Mustache HTML, at most ${TEMPLATE_LIMITS.htmlBytes} bytes (UTF-8). \`{{ }}\` HTML-escapes values, \`{{{ }}}\` does not. ${HELPERS_NOTE}`, example: "<h1>Invoice for {{client}}</h1><p>Total: {{total}}</p>" });

/** A JSON object of at most `bytes` bytes once serialized. */
function jsonObject(bytes: number) {
	return z.record(z.string(), z.unknown()).refine((value) => utf8Length(JSON.stringify(value)) <= bytes, `at most ${bytes} bytes as JSON`);
}

/** How deep a template's data may nest: templates never need more, and deeper JSON only costs CPU. */
export const MAX_DATA_DEPTH = 32;

/** Nesting depth of a JSON value (a scalar is 0), without recursion so no input can overflow the stack. */
function depth(value: unknown): number {
	let deepest = 0;
	const stack: Array<[unknown, number]> = [[value, 0]];
	while (stack.length > 0) {
		const [item, level] = stack.pop()!;
		if (item === null || typeof item !== "object") continue;
		deepest = Math.max(deepest, level + 1);
		if (deepest > MAX_DATA_DEPTH) return deepest; // no need to look further
		for (const child of Object.values(item)) stack.push([child, level + 1]);
	}
	return deepest;
}

/**
 * Values for a template, wherever a document gets them (generation, preview, a template's sample
 * data): a JSON object nesting at most {@link MAX_DATA_DEPTH} levels, so that nothing downstream
 * (schema validation, rendering) meets data deeper than it can walk.
 */
export const TemplateDataSchema = z
	.record(z.string(), z.unknown())
	// `abort`: later checks (a size as JSON, say) need not walk data this deep.
	.refine((data) => depth(data) <= MAX_DATA_DEPTH, { message: `data may nest objects and lists at most ${MAX_DATA_DEPTH} levels deep`, abort: true });

export const TEMPLATE_DATA_DESCRIPTION = `Values for the template. \`{{ }}\` HTML-escapes them. When the template has a JSON Schema, data that does not match it is refused (400, each field listed). At most ${MAX_DATA_DEPTH} levels of nesting.`;

/**
 * What a document is made from, as POST /v1/generate and POST /v1/templates/preview take it: a
 * template (by id, optionally pinned to a version) or inline HTML, and the data to fill it with.
 * Routes `.extend()` it with their own fields and descriptions, then apply {@link oneDocumentSource}.
 */
export const DocumentSourceSchema = z.object({
	template_id: z.string().min(1).max(200).optional().openapi({ description: "A built-in or account template, e.g. `invoices/invoice` (GET /v1/templates lists them).", example: "invoices/invoice" }),
	template_version: z.number().int().min(1).optional().openapi({ description: "With `template_id`: the version to use. Default: the newest. Built-in templates have only version 1 (any other is 404).", example: 1 }),
	html: z.string().min(1).max(2_000_000).optional().openapi({ description: `Instead of \`template_id\`: an inline Mustache/HTML template. ${HELPERS_NOTE}` }),
	data: TemplateDataSchema.optional().openapi({ description: TEMPLATE_DATA_DESCRIPTION, example: { client: "Acme Corp", total: "$564" } }),
});

/** The rules of a {@link DocumentSourceSchema} that span fields: exactly one of template and HTML; a version only with a template. */
export function oneDocumentSource<S extends z.ZodType<{ template_id?: string; template_version?: number; html?: string }>>(schema: S): S {
	return schema
		.refine((b) => (b.template_id === undefined) !== (b.html === undefined), { message: "send exactly one of template_id and html", path: ["template_id"] })
		.refine((b) => b.template_version === undefined || b.template_id !== undefined, { message: "template_version needs template_id", path: ["template_version"] });
}

export const SampleDataSchema = TemplateDataSchema.refine((value) => utf8Length(JSON.stringify(value)) <= TEMPLATE_LIMITS.sampleDataBytes, `at most ${TEMPLATE_LIMITS.sampleDataBytes} bytes as JSON`).openapi({
	description: `Example data (at most ${TEMPLATE_LIMITS.sampleDataBytes} bytes as JSON, ${MAX_DATA_DEPTH} levels of nesting): used by previews, and checked against \`schema\`.`,
	example: { client: "Acme Corp", total: "$564.00" },
});

export const DataSchemaSchema = jsonObject(TEMPLATE_LIMITS.schemaBytes).openapi({
	description: `JSON Schema (draft 2020-12 unless \`$schema\` says otherwise; at most ${TEMPLATE_LIMITS.schemaBytes} bytes) that \`data\` must match: generation with other data is refused with 400 naming each field. \`$ref\`s must point inside it.`,
	example: { type: "object", required: ["client", "total"], properties: { client: { type: "string" }, total: { type: "string" } } },
});

/** A template's default `pdf` object, bounded so that a version still fits in its D1 row (attachments are the big part). */
export const TemplatePdfSchema = PdfSpecSchema.refine((pdf) => utf8Length(JSON.stringify(pdf)) <= TEMPLATE_LIMITS.pdfBytes, `at most ${TEMPLATE_LIMITS.pdfBytes} bytes as JSON`).openapi({
	description: `Default \`pdf\` object of documents made from this template (at most ${TEMPLATE_LIMITS.pdfBytes} bytes as JSON); a request's \`pdf\` replaces its parts, part by part (\`info\`, \`watermark\`…).`,
});

const VersionSchema = z.object({
	version: z.number().int().openapi({ description: "The version number, from 1.", example: 1 }),
	created_at: z.string().nullable().openapi({ description: "When it was made (ISO 8601, UTC); null for built-ins.", example: "2026-11-21T10:30:00.000Z" }),
	created_by: z.string().nullable().openapi({ description: "Who made it: the API key's preview, or the signed-in member's email; null for built-ins and versions older than this field.", example: "qk_live_4fJ0...x9Qa" }),
});

export const TemplateSchema = z
	.object({
		id: z.string().openapi({ example: "invoices/monthly" }),
		name: z.string().openapi({ description: "A display name.", example: "Monthly invoice" }),
		source: z.enum(["built-in", "account"]).openapi({ description: "`built-in` (from Quire's gallery) or `account` (yours).", example: "account" }),
		description: z.string().optional().openapi({ description: "Built-in templates: what the template is." }),
		version: z.number().int().openapi({ description: "The version shown here." }),
		latest_version: z.number().int().openapi({ description: "The newest version, the one generation uses by default. Built-in templates have only version 1." }),
		pinned_version: z.number().int().nullable().openapi({
			description: "The version pinned with PATCH for the dashboard's API examples, or null. Generation without `template_version` still uses the newest version, pinned or not.",
			example: null,
		}),
		html: z.string().openapi({ description: "The Mustache HTML of this version.", example: "<h1>Invoice for {{client}}</h1><p>Total: {{total}}</p>" }),
		sample_data: z.record(z.string(), z.unknown()).nullable().openapi({ description: "Example data for previews, or null.", example: { client: "Acme Corp", total: "$564.00" } }),
		schema: z.record(z.string(), z.unknown()).nullable().openapi({ description: "The JSON Schema `data` must match, or null (no check)." }),
		options: z.record(z.string(), z.unknown()).openapi({ description: "Default page options; a request's options replace those of the same name." }),
		pdf: PdfSpecSchema.nullable().openapi({ description: "The default `pdf` object, or null; a request's `pdf` replaces its parts, part by part." }),
		versions: z.array(VersionSchema).openapi({ description: "Every version, oldest first." }),
		created_at: z.string().nullable().openapi({ description: "Account templates: when version 1 was made (ISO 8601, UTC); null for built-ins.", example: "2026-11-21T10:30:00.000Z" }),
		updated_at: z.string().nullable().openapi({ description: "Account templates: when the newest version was made; null for built-ins.", example: "2026-11-21T10:30:00.000Z" }),
	})
	.openapi("Template", { description: "A built-in or account template, at one version." });

export const TemplateEnvelopeSchema = z.object({ data: TemplateSchema }).openapi("TemplateResponse");

export type TemplateView = z.infer<typeof TemplateSchema>;

export function builtInView(template: BuiltInTemplate): TemplateView {
	return {
		id: template.id,
		name: template.name,
		source: "built-in",
		description: template.description,
		version: BUILT_IN_VERSION,
		latest_version: BUILT_IN_VERSION,
		html: template.html,
		sample_data: template.sampleData,
		schema: template.schema,
		options: template.options,
		pdf: null,
		pinned_version: null,
		versions: [{ version: BUILT_IN_VERSION, created_at: null, created_by: null }],
		created_at: null,
		updated_at: null,
	};
}

export function accountView(template: AccountTemplate, shown: StoredVersion, versions: VersionSummary[]): TemplateView {
	return {
		id: template.id,
		name: template.name,
		source: "account",
		version: shown.version,
		latest_version: template.latestVersion,
		pinned_version: template.pinnedVersion,
		html: shown.html,
		sample_data: shown.sampleData,
		schema: shown.schema,
		options: shown.options ?? {},
		pdf: shown.pdf,
		versions: versions.map((v) => ({ version: v.version, created_at: v.createdAt, created_by: v.createdBy })),
		created_at: template.createdAt,
		updated_at: template.updatedAt,
	};
}

/** The `missing_variables` of every JSON answer and task. */
export const MissingVariablesSchema = z
	.array(z.string())
	.optional()
	.openapi({
		description:
			"Template variables (`{{name}}`, `{{{name}}}`, `{{#name}}`, `{{^name}}`, in the document and its header and footer) that `data` has no key for, rendered blank; up to 100. " +
			"A path names the sections it is in: `items[].sku` inside `{{#items}}` over a list, `client.address.city` inside `{{#client}}` or written `{{client.address.city}}`. " +
			"A key present with `null`, `false` or `\"\"` is not missing, nor is a field the template's JSON Schema declares. Also counted in the `X-Missing-Variables` header. `strict: true` refuses them instead.",
		example: ["client.address.city", "items[].sku"],
	});
