import { degrees, ParseSpeeds, PDFDocument, PDFName, PDFOperator, PDFOperatorNames, popGraphicsState, pushGraphicsState, rgb, StandardFonts } from "@cantoo/pdf-lib";

const RED = rgb(220 / 255, 38 / 255, 38 / 255);
const OPACITY = 0.22;
/** Points; the HTML stamp this replaces was 200 CSS px (150 pt) on every page size. */
const MAX_FONT_SIZE = 150;

/**
 * Stamps a large diagonal "TEST" on every page of a finished test-mode PDF. It is drawn into
 * the PDF after Chromium has printed it, so nothing in the page (a style, a script, a template's
 * CSS) can hide it, as it could hide the HTML element it replaces.
 *
 * The document is rewritten whole (object streams, the existing streams copied as they are, not
 * re-encoded), not appended to as an incremental update: cutting the file at the first `%%EOF`
 * would give back the clean original. The structure tree, page sizes and metadata are kept; the
 * stamp is marked as a watermark artifact, so screen readers and text extraction for
 * accessibility skip it.
 *
 * @example
 * const stamped = await stampTestWatermark(pdf); // same pages, each with TEST across it
 */
export async function stampTestWatermark(pdf: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
	const doc = await PDFDocument.load(pdf, { parseSpeed: ParseSpeeds.Fastest, updateMetadata: false });
	const font = await doc.embedFont(StandardFonts.HelveticaBold);
	// Whatever graphics state the page's own content leaves (Skia leaves a flipped CTM) is undone
	// before the stamp; one pair of tiny streams serves every page.
	const save = doc.context.register(doc.context.contentStream([pushGraphicsState()]));
	const restore = doc.context.register(doc.context.contentStream([popGraphicsState()]));
	for (const page of doc.getPages()) {
		page.node.normalize(); // a single /Contents stream becomes an array, which can be wrapped
		page.node.wrapContentStreams(save, restore);
		const { width, height } = page.getSize();
		const angle = Math.atan2(height, width);
		const size = Math.min(MAX_FONT_SIZE, (0.55 * Math.hypot(width, height)) / font.widthOfTextAtSize("TEST", 1));
		const textWidth = font.widthOfTextAtSize("TEST", size);
		const capHeight = font.heightAtSize(size, { descender: false });
		// Box around the text (the HTML stamp's border and padding), in the text's own frame.
		const pad = { x: size / 5, y: size / 8 };
		const box = { width: textWidth + 2 * pad.x, height: capHeight + 2 * pad.y };
		// Rotated about its origin, so the origin goes where the box's centre lands on the page's.
		const at = (x: number, y: number) => ({
			x: width / 2 + x * Math.cos(angle) - y * Math.sin(angle),
			y: height / 2 + x * Math.sin(angle) + y * Math.cos(angle),
		});
		const rotate = degrees((angle * 180) / Math.PI);
		page.pushOperators(beginWatermarkArtifact());
		page.drawText("TEST", { ...at(-textWidth / 2, -capHeight / 2), size, font, color: RED, opacity: OPACITY, rotate });
		page.drawRectangle({ ...at(-box.width / 2, -box.height / 2), ...box, rotate, borderColor: RED, borderOpacity: OPACITY, borderWidth: size / 16 });
		page.pushOperators(PDFOperator.of(PDFOperatorNames.EndMarkedContent));
	}
	return doc.save({ useObjectStreams: true, objectsPerTick: Infinity });
}

/** `/Artifact <</Type /Pagination /Subtype /Watermark>> BDC`: a watermark, not the document's content (PDF 32000 §14.8.2.2). */
function beginWatermarkArtifact(): PDFOperator {
	return PDFOperator.of(PDFOperatorNames.BeginMarkedContentSequence, [PDFName.of("Artifact"), "<< /Type /Pagination /Subtype /Watermark >>"]);
}
