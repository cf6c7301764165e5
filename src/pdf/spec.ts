import { z } from "@hono/zod-openapi";
import { ApiError } from "../http/errors";
import { FACTUR_X_PROFILES, facturXProblems } from "./factur-x-xml";
import { PAGE_RANGES, pageRangesProblem } from "./page-ranges";

/**
 * The `pdf` object of a generation request (and a template's default): what is done to the PDF
 * once Chromium has printed it. Every part is optional; each is described, bounded and checked
 * here, without a PDF, so a bad request is a 400 before anything is reserved or rendered. The
 * steps themselves are in src/pdf/finish.ts and the files beside it.
 */

/** At most this many files attached to one PDF. */
export const MAX_ATTACHMENTS = 10;
/** Decoded bytes of all attachments together: the request body is at most 5 MB, and base64 is 4/3 of the bytes. */
export const MAX_ATTACHMENT_BYTES = 3 * 1024 * 1024;
/** Characters of a Factur-X invoice's XML. */
export const MAX_FACTUR_X_XML_CHARS = 1_000_000;

/** Windows-1252, the encoding of the PDF standard font the watermark is drawn in: any other character can't be drawn. */
const WIN_ANSI = /^[\x20-\x7E\xA0-\xFF€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** A file name without a path, a control character or a quote that would break a Content-Disposition. */
const FILENAME = /^[^/\\\x00-\x1F\x7F"]+$/;
const MIME_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}$/;
const LANGUAGE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

const InfoSchema = z
	.object({
		title: z.string().min(1).max(500).optional().openapi({ description: "Document title (Info /Title and XMP dc:title); viewers show it in the window title bar. At most 500 characters.", example: "Invoice INV-2026-001" }),
		author: z.string().min(1).max(500).optional().openapi({ description: "Author (Info /Author, XMP dc:creator). At most 500 characters.", example: "Acme Corp" }),
		subject: z.string().min(1).max(1000).optional().openapi({ description: "Subject (Info /Subject, XMP dc:description). At most 1000 characters.", example: "Invoice for November 2026" }),
		keywords: z
			.array(z.string().min(1).max(100))
			.max(50)
			.optional()
			.openapi({ description: "Keywords (Info /Keywords and XMP pdf:Keywords, joined by spaces). At most 50, of at most 100 characters each.", example: ["invoice", "acme"] }),
		creator: z.string().min(1).max(500).optional().openapi({ description: "The application that made the content (Info /Creator, XMP xmp:CreatorTool). Default: Chromium's. At most 500 characters.", example: "Acme Billing" }),
		language: z
			.string()
			.max(35)
			.regex(LANGUAGE, "a BCP 47 language tag such as en, en-US or fr-CA")
			.optional()
			.openapi({ description: "The document's language, a BCP 47 tag (catalog /Lang, XMP dc:language): screen readers use it.", example: "en-US" }),
	})
	.strict()
	.openapi({ description: "Document metadata, written into both the document information dictionary and the XMP metadata stream (what `pdfinfo` and `pdfinfo -meta` show)." });

const WatermarkSchema = z
	.object({
		// An image from the account's assets comes later as an alternative to `text` (an asset id);
		// src/pdf/watermark.ts draws every stamp through one artifact wrapper, where an image would go too.
		text: z
			.string()
			.min(1)
			.max(200)
			.regex(WIN_ANSI, "Latin characters only (Windows-1252: the watermark is drawn in Helvetica Bold, a PDF standard font)")
			.openapi({ description: "The text stamped across the chosen pages, centred. At most 200 characters, Latin (Windows-1252) only.", example: "CONFIDENTIAL" }),
		opacity: z.number().min(0).max(1).optional().openapi({ description: "0 (invisible) to 1 (opaque). Default 0.2.", example: 0.2 }),
		angle: z.number().min(-360).max(360).optional().openapi({ description: "Rotation in degrees, counter-clockwise, about the page's centre. Default 45.", example: 45 }),
		font_size: z.number().min(4).max(400).optional().openapi({ description: "Font size in points (1/72 inch). Default 72.", example: 72 }),
		color: z
			.string()
			.regex(/^#[0-9a-fA-F]{6}$/, "a hex colour such as #808080")
			.optional()
			.openapi({ description: "Text colour as `#rrggbb`. Default `#808080`.", example: "#dc2626" }),
		pages: z
			.string()
			.max(500)
			.regex(PAGE_RANGES, "page ranges such as 2-3, 5")
			.optional()
			.openapi({ description: "Pages to stamp, like `options.page_ranges` (`2-3, 5`; `4-` to the end), counted in the finished document. Default: every page.", example: "1, 3-" }),
	})
	.strict()
	.openapi({ description: "A text stamped onto the printed pages (not re-rendered), marked as an artifact so the document's tags and text are unchanged." });

const AttachmentSchema = z
	.object({
		filename: z.string().min(1).max(200).regex(FILENAME, "a file name without / \\ \" or control characters").openapi({ description: "Name of the embedded file, unique within the PDF. At most 200 characters.", example: "timesheet.csv" }),
		content_base64: z
			.string()
			.min(1)
			.max(Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4)
			.regex(BASE64, "standard base64 (A-Z a-z 0-9 + /, = padding)")
			.openapi({ description: `The file's bytes, base64. All attachments together at most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB decoded.`, example: "ZGF0ZSxob3Vycwo=" }),
		mime_type: z.string().regex(MIME_TYPE, "a MIME type such as text/csv").optional().openapi({ description: "The file's MIME type. Default `application/octet-stream`.", example: "text/csv" }),
		description: z.string().min(1).max(1000).optional().openapi({ description: "What the file is, shown by viewers' attachment panes. At most 1000 characters.", example: "Hours worked in November" }),
	})
	.strict();

const FacturXSchema = z
	.object({
		xml: z.string().min(1).max(MAX_FACTUR_X_XML_CHARS).openapi({ description: "The invoice as UN/CEFACT Cross Industry Invoice XML (root `rsm:CrossIndustryInvoice`), well-formed, without a DOCTYPE. At most 1,000,000 characters.", example: "<rsm:CrossIndustryInvoice xmlns:rsm=\"urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100\">…</rsm:CrossIndustryInvoice>" }),
		profile: z.enum(FACTUR_X_PROFILES).openapi({ description: "The Factur-X / ZUGFeRD profile the XML follows; when the XML declares its guideline (GuidelineSpecifiedDocumentContextParameter) they must agree.", example: "EN 16931" }),
	})
	.strict()
	.openapi({ description: "Makes the PDF a Factur-X / ZUGFeRD e-invoice: the XML embedded as `factur-x.xml`, PDF/A-3B identification, the Factur-X XMP schema and an sRGB output intent. Not together with `encryption` (PDF/A forbids it) or `watermark` (its font is not embedded, which PDF/A forbids)." });

/** R6 passwords are at most 127 bytes of UTF-8 (pdf-lib cuts longer ones): characters are bounded at 127, and documented so. */
const PASSWORD = z.string().min(1).max(127);

const EncryptionSchema = z
	.object({
		user_password: PASSWORD.optional().openapi({ description: "Needed to open the document. Without it, anyone can open it and the permissions apply. At most 127 characters.", example: "open-sesame" }),
		owner_password: PASSWORD.optional().openapi({ description: "Opens the document with every permission. Default: a random one nobody knows, so the permissions hold for everyone. At most 127 characters.", example: "owner-secret" }),
		permissions: z
			.object({
				print: z.boolean().optional().openapi({ description: "Print (in high resolution). Default true." }),
				copy: z.boolean().optional().openapi({ description: "Copy or extract text and images (accessibility tools may always). Default true." }),
				modify: z.boolean().optional().openapi({ description: "Change the document, assemble pages, fill forms. Default true." }),
				annotate: z.boolean().optional().openapi({ description: "Add or change comments and annotations. Default true." }),
			})
			.strict()
			.optional()
			.openapi({ description: "What a reader who opened the document without the owner password may do; each allowed unless set to false. Viewers honour them; they are not a lock on the content." }),
	})
	.strict()
	.refine((encryption) => encryption.user_password !== undefined || encryption.owner_password !== undefined, { message: "give user_password, owner_password or both" })
	.openapi({ description: "AES-256 encryption (PDF 2.0 standard security handler, /V 5 /R 6), applied last." });

export const PdfSpecSchema = z
	.object({
		info: InfoSchema.optional(),
		outline: z.boolean().optional().openapi({ description: "Bookmarks from the document's headings (h1–h6), as Chromium builds its document outline. Default false." }),
		tagged: z.boolean().optional().openapi({ description: "A tagged (accessible) PDF: a structure tree with the document's headings, paragraphs, lists, tables and figures. Default true." }),
		watermark: WatermarkSchema.optional(),
		attachments: z
			.array(AttachmentSchema)
			.max(MAX_ATTACHMENTS)
			.optional()
			.openapi({ description: `Files embedded in the PDF (viewers list them in an attachments pane). At most ${MAX_ATTACHMENTS} files, ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB decoded together.` }),
		factur_x: FacturXSchema.optional(),
		encryption: EncryptionSchema.optional(),
	})
	.strict()
	.superRefine((spec, ctx) => {
		for (const { path, message } of pdfSpecProblems(spec)) ctx.addIssue({ code: "custom", path, message });
	})
	.openapi("PdfSettings", {
		description: "What is done to the printed PDF: metadata, outline and tags, a watermark, attachments, a Factur-X e-invoice, encryption (in that order, encryption last). Each part optional.",
		example: { info: { title: "Invoice INV-2026-001", author: "Acme Corp", language: "en-US" }, outline: true, watermark: { text: "PAID", pages: "1" } },
	});

export type PdfSpec = z.infer<typeof PdfSpecSchema>;

/**
 * What is wrong with a schema-shaped spec across fields or beyond a pattern (sizes decoded,
 * names unique, the Factur-X XML, parts that exclude each other), each with its path under `pdf`.
 * The one list of such checks: the schema's refinement and {@link checkPdfSpec} both use it.
 */
function pdfSpecProblems(spec: PdfSpec): Array<{ path: (string | number)[]; message: string }> {
	const problems: Array<{ path: (string | number)[]; message: string }> = [];
	const pages = spec.watermark?.pages;
	const rangeProblem = pages === undefined ? null : pageRangesProblem(pages);
	if (rangeProblem) problems.push({ path: ["watermark", "pages"], message: rangeProblem });
	const names = new Set<string>();
	let bytes = 0;
	for (const [i, file] of (spec.attachments ?? []).entries()) {
		if (names.has(file.filename)) problems.push({ path: ["attachments", i, "filename"], message: `another attachment is already named ${file.filename}` });
		if (spec.factur_x && file.filename === "factur-x.xml") problems.push({ path: ["attachments", i, "filename"], message: "factur-x.xml is the Factur-X invoice's name" });
		if (file.content_base64.length % 4 !== 0) problems.push({ path: ["attachments", i, "content_base64"], message: "base64 comes in groups of 4 characters (padded with =)" });
		names.add(file.filename);
		bytes += decodedLength(file.content_base64);
	}
	if (bytes > MAX_ATTACHMENT_BYTES) problems.push({ path: ["attachments"], message: `the attachments are ${bytes} bytes decoded; at most ${MAX_ATTACHMENT_BYTES} together` });
	if (spec.factur_x) {
		for (const { field, message } of facturXProblems(spec.factur_x.xml, spec.factur_x.profile)) problems.push({ path: ["factur_x", field], message });
		if (spec.encryption) problems.push({ path: ["encryption"], message: "a Factur-X invoice is PDF/A-3, which can't be encrypted: send factur_x or encryption" });
		if (spec.watermark) problems.push({ path: ["watermark"], message: "a Factur-X invoice is PDF/A-3, whose fonts must be embedded, and the watermark's is not: send factur_x or watermark" });
	}
	return problems;
}

/** Bytes that `base64` decodes to. */
function decodedLength(base64: string): number {
	const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
	return Math.floor((base64.length * 3) / 4) - padding;
}

/**
 * Every check of {@link PdfSpecSchema}, on a spec that was put together rather than parsed (a
 * template's default merged with a request's): 400 VALIDATION_ERROR listing each bad field as
 * `pdf.<field>`. Needs no PDF, so the pipeline calls it before reserving a credit.
 *
 * @example checkPdfSpec(mergePdfSpecs(template.pdf, body.pdf)) // throws ApiError or returns
 */
export function checkPdfSpec(spec: PdfSpec | undefined): void {
	if (spec === undefined) return;
	const parsed = PdfSpecSchema.safeParse(spec);
	if (parsed.success) return;
	const fields = parsed.error.issues.map((issue) => ({ path: ["pdf", ...issue.path].join("."), message: issue.message }));
	throw new ApiError("VALIDATION_ERROR", `Invalid pdf settings: ${fields.map((field) => `${field.path}: ${field.message}`).join("; ")}`, { fields });
}

/**
 * A template's default `pdf` object with a request's over it, part by part: a part the request
 * gives replaces the template's whole (a request's `watermark` is not mixed with the template's).
 *
 * @example mergePdfSpecs({ info: { title: "Invoice" }, outline: true }, { outline: false }) // { info: { title: "Invoice" }, outline: false }
 */
export function mergePdfSpecs(templateDefault: PdfSpec | undefined, request: PdfSpec | undefined): PdfSpec | undefined {
	if (!templateDefault) return request;
	if (!request) return templateDefault;
	const merged: Record<string, unknown> = { ...templateDefault };
	for (const [part, value] of Object.entries(request)) if (value !== undefined) merged[part] = value;
	return merged as PdfSpec;
}

/** The two settings that are Chromium's, not a step over the printed PDF: they travel with the print parameters. */
export function printSettings(spec: PdfSpec | undefined): { outline: boolean; tagged: boolean } {
	return { outline: spec?.outline ?? false, tagged: spec?.tagged ?? true };
}
