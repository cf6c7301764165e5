import { degrees, PDFDocument, PDFName, PDFOperator, PDFOperatorNames, type PDFFont, type PDFPage, popGraphicsState, pushGraphicsState, rgb, StandardFonts } from "@cantoo/pdf-lib";
import { ApiError } from "../http/errors";
import { selectPages } from "./page-ranges";
import type { PdfSpec } from "./spec";

type Watermark = NonNullable<PdfSpec["watermark"]>;

/** The defaults of `pdf.watermark`, as src/pdf/spec.ts documents them. */
export const WATERMARK_DEFAULTS = { opacity: 0.2, angle: 45, font_size: 72, color: "#808080" } as const;

/** One stamp in a page's own units (points): text centred on the page, rotated about its centre. */
export interface TextStamp {
	text: string;
	/** Points. */
	size: number;
	/** Degrees, counter-clockwise. */
	angle: number;
	/** `#rrggbb`. */
	color: string;
	opacity: number;
	/** A frame around the text (the TEST stamp's look). */
	frame?: boolean;
}

/**
 * Draws stamps onto printed pages (and gives the font, to measure text with), without re-rendering them. Made once per document: the font
 * and the pair of graphics-state streams that isolate each page's own content are shared by
 * every page. Each stamp is marked content `/Artifact /Watermark`, so the structure tree is
 * untouched and screen readers and accessible text extraction skip it.
 *
 * The seam for other kinds of stamp (an image from the account's assets): {@link asArtifact}
 * wraps whatever is drawn; a second drawer beside {@link drawText} is all an image needs.
 */
export async function stamper(doc: PDFDocument): Promise<{ font: PDFFont; stamp: (page: PDFPage, stamp: TextStamp) => void }> {
	const font = await doc.embedFont(StandardFonts.HelveticaBold);
	// Whatever graphics state the page's own content leaves (Skia leaves a flipped CTM) is undone
	// before the stamp; one pair of tiny streams serves every page.
	const save = doc.context.register(doc.context.contentStream([pushGraphicsState()]));
	const restore = doc.context.register(doc.context.contentStream([popGraphicsState()]));
	const isolated = new Set<PDFPage>();
	const stamp = (page: PDFPage, text: TextStamp) => {
		if (!isolated.has(page)) {
			page.node.normalize(); // a single /Contents stream becomes an array, which can be wrapped
			page.node.wrapContentStreams(save, restore);
			isolated.add(page);
		}
		asArtifact(page, () => drawText(page, font, text));
	};
	return { font, stamp };
}

/** `/Artifact <</Type /Pagination /Subtype /Watermark>> BDC … EMC`: a watermark, not the document's content (PDF 32000 §14.8.2.2). */
function asArtifact(page: PDFPage, draw: () => void): void {
	page.pushOperators(PDFOperator.of(PDFOperatorNames.BeginMarkedContentSequence, [PDFName.of("Artifact"), "<< /Type /Pagination /Subtype /Watermark >>"]));
	draw();
	page.pushOperators(PDFOperator.of(PDFOperatorNames.EndMarkedContent));
}

/** The text (and its frame) centred on the page, rotated about the page's centre. */
function drawText(page: PDFPage, font: PDFFont, { text, size, angle, color, opacity, frame }: TextStamp): void {
	const { width, height } = page.getSize();
	const radians = (angle * Math.PI) / 180;
	const textWidth = font.widthOfTextAtSize(text, size);
	const capHeight = font.heightAtSize(size, { descender: false });
	// pdf-lib rotates a drawing about its origin, so the origin goes where the centre lands on the page's.
	const at = (x: number, y: number) => ({
		x: width / 2 + x * Math.cos(radians) - y * Math.sin(radians),
		y: height / 2 + x * Math.sin(radians) + y * Math.cos(radians),
	});
	const colour = hexColour(color);
	const rotate = degrees(angle);
	page.drawText(text, { ...at(-textWidth / 2, -capHeight / 2), size, font, color: colour, opacity, rotate });
	if (!frame) return;
	const pad = { x: size / 5, y: size / 8 };
	const box = { width: textWidth + 2 * pad.x, height: capHeight + 2 * pad.y };
	page.drawRectangle({ ...at(-box.width / 2, -box.height / 2), ...box, rotate, borderColor: colour, borderOpacity: opacity, borderWidth: size / 16 });
}

function hexColour(hex: string) {
	const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16) / 255);
	return rgb(r!, g!, b!);
}

/**
 * `pdf.watermark`: its text on the pages `pages` chooses (every page by default). A range past
 * the last page is the client's mistake: 400 on `pdf.watermark.pages`.
 */
export async function applyWatermark(doc: PDFDocument, watermark: Watermark): Promise<void> {
	const pages = doc.getPages();
	let chosen: number[];
	try {
		chosen = selectPages(watermark.pages, pages.length);
	} catch (error) {
		const message = (error as Error).message;
		throw new ApiError("VALIDATION_ERROR", `pdf.watermark.pages: ${message}`, { fields: [{ path: "pdf.watermark.pages", message }] });
	}
	const { stamp } = await stamper(doc);
	const style = {
		text: watermark.text,
		size: watermark.font_size ?? WATERMARK_DEFAULTS.font_size,
		angle: watermark.angle ?? WATERMARK_DEFAULTS.angle,
		color: watermark.color ?? WATERMARK_DEFAULTS.color,
		opacity: watermark.opacity ?? WATERMARK_DEFAULTS.opacity,
	};
	for (const index of chosen) stamp(pages[index]!, style);
}
