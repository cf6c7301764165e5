/** One of the PDFs could not be read: not a PDF, or encrypted (pdf-lib copies no encrypted page). */
export class UnmergeablePdfError extends Error {
	readonly encrypted: boolean;
	constructor(
		readonly index: number,
		cause: unknown,
	) {
		super(`PDF ${index} can't be merged: ${String(cause)}`, { cause });
		this.encrypted = (cause as Error)?.name === "EncryptedPDFError" || /encrypt/i.test(String(cause));
	}
}

/**
 * Several PDFs into one, in the order given: every page of the first, then every page of the
 * second, and so on. Pages are copied as they are (`copyPages`), so each keeps its own size and
 * orientation; nothing is re-rendered.
 *
 * The PDF library (about 1 MB) is imported when first needed, so an isolate that never merges
 * never evaluates it.
 *
 * @example
 * const merged = await mergePdfs([invoice, terms]); // invoice's pages, then the terms'
 */
export async function mergePdfs(pdfs: Uint8Array[]): Promise<Uint8Array<ArrayBuffer>> {
	return (await mergePdfsCounted(pdfs)).pdf;
}

/** {@link mergePdfs}, with the merged document's page count (PDFs finished with object streams hide their pages from a byte scan). */
export async function mergePdfsCounted(pdfs: Uint8Array[]): Promise<{ pdf: Uint8Array<ArrayBuffer>; pages: number }> {
	if (pdfs.length === 0) throw new Error("mergePdfs needs at least one PDF");
	const { PDFDocument, ParseSpeeds } = await import("@cantoo/pdf-lib");
	const merged = await PDFDocument.create({ updateMetadata: false });
	for (const [index, pdf] of pdfs.entries()) {
		const source = await PDFDocument.load(pdf, { parseSpeed: ParseSpeeds.Fastest, updateMetadata: false }).catch((cause: unknown) => {
			throw new UnmergeablePdfError(index, cause);
		});
		const pages = await merged.copyPages(source, source.getPageIndices());
		for (const page of pages) merged.addPage(page);
	}
	return { pdf: await merged.save({ useObjectStreams: true, objectsPerTick: Infinity }), pages: merged.getPageCount() };
}
