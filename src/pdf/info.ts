import { PDFHexString, PDFName, PDFString, type PDFDocument } from "@cantoo/pdf-lib";
import type { PdfSpec } from "./spec";

type Info = NonNullable<PdfSpec["info"]>;

/**
 * `pdf.info`: the document information dictionary (and the catalog's `/Lang`). The XMP packet
 * that mirrors it is written once at the end of finishing (src/pdf/xmp.ts), from what the
 * dictionary then holds, so the two always agree (PDF/A requires it).
 */
export function applyInfo(doc: PDFDocument, info: Info): void {
	if (info.title !== undefined) doc.setTitle(info.title, { showInWindowTitleBar: true });
	if (info.author !== undefined) doc.setAuthor(info.author);
	if (info.subject !== undefined) doc.setSubject(info.subject);
	if (info.keywords !== undefined) doc.setKeywords(info.keywords);
	if (info.creator !== undefined) doc.setCreator(info.creator);
	if (info.language !== undefined) doc.setLanguage(info.language);
}

/** The catalog's `/Lang` (Chromium writes the page's `<html lang>` there), if any. */
export function documentLanguage(doc: PDFDocument): string | undefined {
	const lang = doc.catalog.lookup(PDFName.of("Lang"));
	return lang instanceof PDFString || lang instanceof PDFHexString ? lang.decodeText() : undefined;
}
