import { z } from "@hono/zod-openapi";

/*
 * STAND-IN, written by the pipeline helper so that the pipeline builds before the finishing
 * helper's work is merged: the same exports as the contract gives (`PdfSpecSchema`, `PdfSpec`,
 * `mergePdfSpecs`, `checkPdfSpec`, `printSettings`), with a permissive schema and no checks of
 * their own. The merge takes finishing's real file in place of this one.
 */

/** The `pdf` object of a request (and a template's default): what to do with the printed PDF. */
const InfoText = (what: string) => z.string().max(1000).optional().openapi({ description: `The document's ${what}.` });

export const PdfSpecSchema = z
	.object({
		info: z
			.object({
				title: InfoText("title"),
				author: InfoText("author"),
				subject: InfoText("subject"),
				keywords: InfoText("keywords"),
				creator: InfoText("creator"),
				language: z.string().max(100).optional().openapi({ description: "The document's language (BCP 47)." }),
			})
			.strict()
			.optional()
			.openapi({ description: "Document information and XMP metadata." }),
		outline: z.boolean().optional().openapi({ description: "Bookmarks from the headings. Default false." }),
		tagged: z.boolean().optional().openapi({ description: "A tagged, accessible PDF. Default true." }),
		watermark: z.record(z.string(), z.unknown()).optional().openapi({ description: "Text stamped onto the chosen pages." }),
		attachments: z.array(z.record(z.string(), z.unknown())).optional().openapi({ description: "Files embedded in the PDF." }),
		factur_x: z.record(z.string(), z.unknown()).optional().openapi({ description: "A Factur-X / ZUGFeRD e-invoice." }),
		encryption: z.record(z.string(), z.unknown()).optional().openapi({ description: "Passwords and permissions (AES-256), applied last." }),
	})
	.strict()
	.openapi("PdfSettings", { description: "What to do with the printed PDF: metadata, outline, tags, watermark, attachments, Factur-X, encryption. Each part optional." });

export type PdfSpec = z.infer<typeof PdfSpecSchema>;

/** A template's default `pdf` and a request's: per part, the request's part wins. */
export function mergePdfSpecs(templateDefault: PdfSpec | undefined, request: PdfSpec | undefined): PdfSpec | undefined {
	if (!templateDefault) return request;
	if (!request) return templateDefault;
	return { ...templateDefault, ...request };
}

/** Every check of a spec that needs no PDF (stand-in: none), so a request is refused before a credit is reserved. */
export function checkPdfSpec(_spec: PdfSpec | undefined): void {}

/** The print settings among the spec's parts: they travel to Chromium with the render options. */
export function printSettings(spec: PdfSpec | undefined): { outline: boolean; tagged: boolean } {
	return { outline: spec?.outline ?? false, tagged: spec?.tagged ?? true };
}
