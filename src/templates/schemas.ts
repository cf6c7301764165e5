import { z } from "@hono/zod-openapi";
import type { AccountTemplate } from "../db/schema";
import { BUILT_IN_VERSION, type BuiltInTemplate } from "../rendering/templates";
import type { StoredVersion } from "./store";

/** Limits of a stored template (a D1 row holds at most 2 MB). */
export const TEMPLATE_LIMITS = { idLength: 100, nameLength: 100, htmlBytes: 1_000_000, sampleDataBytes: 256_000, schemaBytes: 64_000 } as const;

const utf8Length = (text: string) => new TextEncoder().encode(text).byteLength;

/** Path-like, lowercase: `invoices/monthly-invoice`. */
export const TemplateIdSchema = z
	.string()
	.max(TEMPLATE_LIMITS.idLength)
	.regex(/^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/, "lowercase letters, digits, - and _, in /-separated segments, e.g. invoices/monthly")
	.openapi({ description: `Path-like and lowercase (a-z, 0-9, \`-\`, \`_\`, segments separated by \`/\`), at most ${TEMPLATE_LIMITS.idLength} characters.`, example: "invoices/monthly" });

export const TemplateIdParams = z.object({
	id: z.string().max(TEMPLATE_LIMITS.idLength).openapi({ description: "The template id; its `/`s are sent as they are: `GET /v1/templates/invoices/invoice`.", example: "invoices/invoice" }),
});

export const TemplateNameSchema = z.string().trim().min(1, "name must not be empty").max(TEMPLATE_LIMITS.nameLength).openapi({ example: "Monthly invoice" });

export const TemplateHtmlSchema = z
	.string()
	.min(1)
	.max(TEMPLATE_LIMITS.htmlBytes)
	.refine((html) => utf8Length(html) <= TEMPLATE_LIMITS.htmlBytes, `at most ${TEMPLATE_LIMITS.htmlBytes} bytes`)
	.openapi({ description: `Mustache HTML, at most ${TEMPLATE_LIMITS.htmlBytes} bytes (UTF-8). \`{{ }}\` HTML-escapes values, \`{{{ }}}\` does not.`, example: "<h1>Invoice for {{client}}</h1><p>Total: {{total}}</p>" });

/** A JSON object of at most `bytes` bytes once serialized. */
function jsonObject(bytes: number) {
	return z.record(z.string(), z.unknown()).refine((value) => utf8Length(JSON.stringify(value)) <= bytes, `at most ${bytes} bytes as JSON`);
}

export const SampleDataSchema = jsonObject(TEMPLATE_LIMITS.sampleDataBytes).openapi({
	description: `Example data (at most ${TEMPLATE_LIMITS.sampleDataBytes} bytes as JSON): used by previews, and checked against \`schema\`.`,
	example: { client: "Acme Corp", total: "$564.00" },
});

export const DataSchemaSchema = jsonObject(TEMPLATE_LIMITS.schemaBytes).openapi({
	description: `JSON Schema (draft 2020-12 unless \`$schema\` says otherwise; at most ${TEMPLATE_LIMITS.schemaBytes} bytes) that \`data\` must match: generation with other data is refused with 400 naming each field. \`$ref\`s must point inside it.`,
	example: { type: "object", required: ["client", "total"], properties: { client: { type: "string" }, total: { type: "string" } } },
});

const VersionSchema = z.object({
	version: z.number().int().openapi({ description: "The version number, from 1.", example: 1 }),
	created_at: z.string().nullable().openapi({ description: "When it was made (ISO 8601, UTC); null for built-ins.", example: "2026-11-21T10:30:00.000Z" }),
});

export const TemplateSchema = z
	.object({
		id: z.string().openapi({ example: "invoices/monthly" }),
		name: z.string().openapi({ description: "A display name.", example: "Monthly invoice" }),
		source: z.enum(["built-in", "account"]).openapi({ description: "`built-in` (from Quire's gallery) or `account` (yours).", example: "account" }),
		description: z.string().optional().openapi({ description: "Built-in templates: what the template is." }),
		version: z.number().int().openapi({ description: "The version shown here." }),
		latest_version: z.number().int().openapi({ description: "The newest version, the one generation uses by default. Built-in templates have only version 1." }),
		html: z.string().openapi({ description: "The Mustache HTML of this version.", example: "<h1>Invoice for {{client}}</h1><p>Total: {{total}}</p>" }),
		sample_data: z.record(z.string(), z.unknown()).nullable().openapi({ description: "Example data for previews, or null.", example: { client: "Acme Corp", total: "$564.00" } }),
		schema: z.record(z.string(), z.unknown()).nullable().openapi({ description: "The JSON Schema `data` must match, or null (no check)." }),
		options: z.record(z.string(), z.unknown()).openapi({ description: "Default page options; a request's options replace those of the same name." }),
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
		versions: [{ version: BUILT_IN_VERSION, created_at: null }],
		created_at: null,
		updated_at: null,
	};
}

export function accountView(template: AccountTemplate, shown: StoredVersion, versions: Array<{ version: number; createdAt: string }>): TemplateView {
	return {
		id: template.id,
		name: template.name,
		source: "account",
		version: shown.version,
		latest_version: template.latestVersion,
		html: shown.html,
		sample_data: shown.sampleData,
		schema: shown.schema,
		options: shown.options ?? {},
		versions: versions.map((v) => ({ version: v.version, created_at: v.createdAt })),
		created_at: template.createdAt,
		updated_at: template.updatedAt,
	};
}
