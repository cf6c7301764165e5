import { ParseSpeeds, PDFDocument } from "@cantoo/pdf-lib";
import { stamper } from "../pdf/watermark";

const RED = "#dc2626";
const OPACITY = 0.22;
/** Points; the HTML stamp this replaces was 200 CSS px (150 pt) on every page size. */
const MAX_FONT_SIZE = 150;

/**
 * Stamps a large diagonal "TEST" in a frame on every page of a finished test-mode PDF, through
 * the watermark step's stamper (src/pdf/watermark.ts): drawn into the PDF after Chromium has
 * printed it, so nothing in the page (a style, a script, a template's CSS) can hide it, and
 * marked as a watermark artifact, so the structure tree is kept and accessible text skips it.
 *
 * The document is rewritten whole (object streams, the existing streams copied as they are, not
 * re-encoded), not appended to as an incremental update: cutting the file at the first `%%EOF`
 * would give back the clean original. Page sizes and metadata are kept.
 *
 * @example
 * const stamped = await stampTestWatermark(pdf); // same pages, each with TEST across it
 */
export async function stampTestWatermark(pdf: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
	const doc = await PDFDocument.load(pdf, { parseSpeed: ParseSpeeds.Fastest, updateMetadata: false });
	const { font, stamp } = await stamper(doc);
	for (const page of doc.getPages()) {
		const { width, height } = page.getSize();
		// Along the page's diagonal, as large as fits it (at most MAX_FONT_SIZE).
		const size = Math.min(MAX_FONT_SIZE, (0.55 * Math.hypot(width, height)) / font.widthOfTextAtSize("TEST", 1));
		stamp(page, { text: "TEST", size, angle: (Math.atan2(height, width) * 180) / Math.PI, color: RED, opacity: OPACITY, frame: true });
	}
	return doc.save({ useObjectStreams: true, objectsPerTick: Infinity });
}
