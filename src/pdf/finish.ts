import type { PdfSpec } from "./spec";

/*
 * STAND-IN, written by the pipeline helper: finishing owns this file, and the merge takes its
 * real one (every finishing step in order, encryption last). This one returns the PDF untouched.
 */

/** The finished PDF: every step `spec` asks for, in order; the input untouched when it asks for nothing. */
export async function finishPdf(pdf: Uint8Array, _spec: PdfSpec | undefined): Promise<Uint8Array<ArrayBuffer>> {
	return pdf.buffer instanceof ArrayBuffer ? (pdf as Uint8Array<ArrayBuffer>) : new Uint8Array(pdf);
}
