// Draws a PDF's pages as images with pdf.js (self-hosted in /vendor/pdfjs/), so a preview shows
// the same in every browser: headless ones and phones have no built-in PDF viewer for an iframe.

let pdfjs = null;

/** pdf.js, loaded on the first preview (it is large), with its worker from this origin. */
async function loadPdfjs() {
	if (!pdfjs) {
		pdfjs = await import("/vendor/pdfjs/pdf.min.mjs");
		pdfjs.GlobalWorkerOptions.workerSrc = "/vendor/pdfjs/pdf.worker.min.mjs";
	}
	return pdfjs;
}

/**
 * Draws every page of the PDF `bytes` into `container` as canvases named "Page n of m", each as
 * wide as the container, replacing what it showed only once all are drawn (no flicker while
 * typing). Returns the number of pages.
 */
export async function drawPdf(container, bytes) {
	const lib = await loadPdfjs();
	// No eval: the pages' Content-Security-Policy forbids it, and pdf.js has a path without.
	const doc = await lib.getDocument({ data: bytes, isEvalSupported: false }).promise;
	try {
		const width = container.clientWidth || 600;
		const ratio = Math.min(window.devicePixelRatio || 1, 2);
		const canvases = [];
		for (let n = 1; n <= doc.numPages; n++) {
			const page = await doc.getPage(n);
			const viewport = page.getViewport({ scale: (width / page.getViewport({ scale: 1 }).width) * ratio });
			const canvas = document.createElement("canvas");
			canvas.width = Math.floor(viewport.width);
			canvas.height = Math.floor(viewport.height);
			canvas.setAttribute("role", "img");
			canvas.setAttribute("aria-label", `Page ${n} of ${doc.numPages}`);
			await page.render({ canvasContext: canvas.getContext("2d"), viewport }).promise;
			canvases.push(canvas);
		}
		container.replaceChildren(...canvases);
		return doc.numPages;
	} finally {
		await doc.destroy();
	}
}

/** "1 page" or "3 pages". */
export function pages(n) {
	return n === 1 ? "1 page" : `${n} pages`;
}
