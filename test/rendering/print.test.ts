import { describe, expect, it } from "vitest";
import { toInches, toPdfOptions } from "../../src/rendering/page-options";
import { printParams } from "../../src/rendering/print";

describe("printParams", () => {
	it("turns the API's defaults into DevTools' print parameters (A4 unless the page's CSS @page says otherwise, no margins, backgrounds)", () => {
		expect(printParams(toPdfOptions({}))).toEqual({
			landscape: false,
			displayHeaderFooter: false,
			headerTemplate: "",
			footerTemplate: "",
			printBackground: true,
			scale: 1,
			paperWidth: 8.27,
			paperHeight: 11.7,
			marginTop: 0,
			marginBottom: 0,
			marginLeft: 0,
			marginRight: 0,
			pageRanges: "",
			// No format, width or height asked for: the document's own @page size wins, A4 without one.
			preferCSSPageSize: true,
			generateTaggedPDF: true,
			generateDocumentOutline: false,
		});
	});

	it("converts CSS lengths to inches and maps every option", () => {
		expect(toInches(96)).toBe(1);
		expect(toInches("1in")).toBe(1);
		// Exactly: 25.4 mm and 2.54 cm are an inch (not puppeteer's rounded 3.78 px/mm).
		expect(toInches("25.4mm")).toBe(1);
		expect(toInches("2.54cm")).toBe(1);
		expect(toInches("10mm")).toBeCloseTo(0.393701, 6);
		expect(toInches("48px")).toBe(0.5);
		expect(toInches("48")).toBe(0.5);
		expect(() => toInches("wide")).toThrow(RangeError);
		const params = printParams(toPdfOptions({ format: "Letter", landscape: true, margin: { top: "1in", left: 48 }, scale: 0.5, page_ranges: "2-3", print_background: false }));
		expect(params).toMatchObject({ paperWidth: 8.5, paperHeight: 11, landscape: true, marginTop: 1, marginLeft: 0.5, scale: 0.5, pageRanges: "2-3", printBackground: false });
		expect(printParams({ width: "4in", height: "6in" })).toMatchObject({ paperWidth: 4, paperHeight: 6 });
		expect(printParams({ width: "210mm", height: "297mm", margin: { top: "25.4mm", bottom: "2.54cm" } })).toMatchObject({
			paperWidth: 210 / 25.4,
			paperHeight: 297 / 25.4,
			marginTop: 1,
			marginBottom: 1,
		});
	});
});
