import { z } from "@hono/zod-openapi";
import { PdfSpecSchema } from "../pdf/spec";
import { PageOptionsSchema } from "../rendering/page-options";
import { filenameField } from "../storage/pdfs";
import { DocumentSourceSchema, oneDocumentSource } from "../templates/schemas";

/**
 * One document to render inside a merge or a batch: what POST /v1/generate takes for its document
 * (a template or inline HTML, data, page options, `pdf` finishing, `strict`), without the
 * request-wide fields (return type, async mode, webhook), which the merge or batch sets once.
 */
export const RenderDocumentSchema = DocumentSourceSchema.extend({
	options: PageOptionsSchema.default({}).openapi({ description: "This document's page options; the template's defaults apply unless replaced, option by option." }),
	pdf: PdfSpecSchema.optional().openapi({ description: "This document's own finishing, as on POST /v1/generate." }),
	strict: z.boolean().default(false).openapi({ description: "A template variable `data` lacks is a 400 naming it, rather than blank." }),
});

// Inline, not named components: openapi-typescript would type their defaulted fields (`options`,
// `strict`) as required in a component, though clients may leave them out.

/** A merge's document: a render, or `{"url": …}`, a PDF the account already has stored. */
export const MergeDocumentSchema = RenderDocumentSchema.extend({
	url: z
		.string()
		.max(2048)
		.optional()
		.openapi({ description: "Instead of rendering: the `url` of a PDF this account already has stored (from an earlier generation), unexpired. Free to merge. Another account's, or an expired one, is a 400.", example: "https://quire.example/upload/acc_3kTz9QmW1xYbVc2L/k3J9cQ2mXw4RtZ1aBb7LpN.pdf" }),
})
	.refine((d) => [d.template_id, d.html, d.url].filter((v) => v !== undefined).length === 1, { message: "send exactly one of template_id, html and url", path: ["template_id"] })
	.refine((d) => d.url === undefined || (d.data === undefined && d.pdf === undefined), { message: "a stored PDF (url) takes no data or pdf", path: ["url"] })
	.refine((d) => d.template_version === undefined || d.template_id !== undefined, { message: "template_version needs template_id", path: ["template_version"] });

/** A batch's document: a render, with its own file name and metadata. */
export const BatchDocumentSchema = oneDocumentSource(
	RenderDocumentSchema.extend({
		filename: filenameField("This document's file name (its name in a zip). Default: the template's name, or `document.pdf`.", "invoice-42.pdf"),
		metadata: z
			.record(z.string(), z.unknown())
			.refine((m) => JSON.stringify(m).length <= 8192, "metadata must be at most 8 KB as JSON")
			.optional()
			.openapi({ description: "Echoed back in this document's task. At most 8 KB as JSON." }),
	}),
);

export type MergeDocument = z.infer<typeof MergeDocumentSchema>;
export type BatchDocument = z.infer<typeof BatchDocumentSchema>;
