import type { PDFOptions } from "@cloudflare/puppeteer";
import { toInches } from "./page-options";

/**
 * DevTools `Page.printToPDF` parameters for puppeteer-style PDF options, the way puppeteer's own
 * `page.pdf()` computes them. Quire sends the command itself, asking for the PDF inline
 * (`ReturnAsBase64`): one round trip instead of puppeteer's five (isolated world, fonts check,
 * print to a stream, read, close), each of which crosses the Browser Rendering connection.
 */

/** Paper sizes in inches, as puppeteer defines them. */
const PAPER: Record<string, { width: number; height: number }> = {
	letter: { width: 8.5, height: 11 },
	legal: { width: 8.5, height: 14 },
	tabloid: { width: 11, height: 17 },
	ledger: { width: 17, height: 11 },
	a0: { width: 33.1, height: 46.8 },
	a1: { width: 23.4, height: 33.1 },
	a2: { width: 16.54, height: 23.4 },
	a3: { width: 11.7, height: 16.54 },
	a4: { width: 8.27, height: 11.7 },
	a5: { width: 5.83, height: 8.27 },
	a6: { width: 4.13, height: 5.83 },
};

/** An optional CSS length in inches, by page-options' one conversion (exact, unlike puppeteer's 3.78 px/mm). */
const inches = (length: string | number | undefined) => (length === undefined ? undefined : toInches(length));

export function printParams(options: PDFOptions) {
	const paper = options.format ? PAPER[options.format.toLowerCase()] : undefined;
	return {
		landscape: options.landscape ?? false,
		displayHeaderFooter: options.displayHeaderFooter ?? false,
		headerTemplate: options.headerTemplate ?? "",
		footerTemplate: options.footerTemplate ?? "",
		printBackground: options.printBackground ?? false,
		scale: options.scale ?? 1,
		paperWidth: paper?.width ?? inches(options.width) ?? 8.5,
		paperHeight: paper?.height ?? inches(options.height) ?? 11,
		marginTop: inches(options.margin?.top) ?? 0,
		marginBottom: inches(options.margin?.bottom) ?? 0,
		marginLeft: inches(options.margin?.left) ?? 0,
		marginRight: inches(options.margin?.right) ?? 0,
		pageRanges: options.pageRanges ?? "",
		preferCSSPageSize: options.preferCSSPageSize ?? false,
		generateTaggedPDF: options.tagged ?? true,
		generateDocumentOutline: options.outline ?? false,
	};
}
