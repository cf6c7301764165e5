import { checkPdfSpec, type PdfSpec } from "./spec";

// The contract names these here too; they need no PDF, so they live in ./spec.
export { checkPdfSpec, mergePdfSpecs } from "./spec";

/** The parts of a {@link PdfSpec} that are steps over the printed PDF (`outline` and `tagged` are Chromium's print settings). */
const STEPS = ["info", "watermark", "attachments", "factur_x", "encryption"] as const;

/**
 * The finishing steps over a printed PDF, in order: info → watermark → attachments → factur_x →
 * encryption (last: everything before it is encrypted with the rest). One load and one save of
 * the document for all of them. A spec that asks for no step gives the input back untouched
 * (the same bytes, nothing loaded): documents without a `pdf` object are exactly as before.
 *
 * The PDF library (about 1 MB) and the steps are imported on first use, so an isolate that never
 * finishes a document never evaluates them. Bad input the request checks could not see (a
 * watermark page past the end) is 400 VALIDATION_ERROR on `pdf.<field>`.
 *
 * @example const pdf = await finishPdf(printed, { info: { title: "Invoice" }, encryption: { user_password: "s3cret" } });
 */
export async function finishPdf(pdf: Uint8Array, spec: PdfSpec | undefined): Promise<Uint8Array<ArrayBuffer>> {
	if (!spec || STEPS.every((step) => spec[step] === undefined)) return asArrayBufferBacked(pdf);
	checkPdfSpec(spec);
	const [{ ParseSpeeds, PDFDocument }, { applyInfo }, { applyWatermark }, { attachFiles }, { embedFacturX }, { writeXmp }, { encrypt }] = await Promise.all([
		import("@cantoo/pdf-lib"),
		import("./info"),
		import("./watermark"),
		import("./attachments"),
		import("./factur-x"),
		import("./xmp"),
		import("./encryption"),
	]);
	// Chromium's Producer and dates stay: the steps say what they changed, not pdf-lib.
	const doc = await PDFDocument.load(pdf, { parseSpeed: ParseSpeeds.Fastest, updateMetadata: false });
	if (spec.info) applyInfo(doc, spec.info);
	if (spec.watermark) await applyWatermark(doc, spec.watermark);
	if (spec.attachments) await attachFiles(doc, spec.attachments);
	const pdfa = spec.factur_x ? await embedFacturX(doc, spec.factur_x, new Date()) : undefined;
	if (spec.info || pdfa) writeXmp(doc, pdfa);
	if (spec.encryption) encrypt(doc, spec.encryption);
	// In object streams, which encryption needs: pdf-lib's plain writer encrypts streams only, and
	// would leave every string outside them (the title, the attachments' names) in clear text, which
	// readers then "decrypt" into garbage (test/pdf/encryption.test.ts). They also make the invoice
	// a fifth smaller, for a few milliseconds of compression.
	return doc.save({ useObjectStreams: true, objectsPerTick: Infinity });
}

/** The bytes as a `Uint8Array<ArrayBuffer>`, copied only when they are a view of something else (a SharedArrayBuffer). */
function asArrayBufferBacked(pdf: Uint8Array): Uint8Array<ArrayBuffer> {
	return pdf.buffer instanceof ArrayBuffer ? (pdf as Uint8Array<ArrayBuffer>) : pdf.slice();
}
