import { PDFDocument, PDFName } from "@cantoo/pdf-lib";
import { describe, expect, it } from "vitest";
import { printSettings } from "../../src/pdf/spec";
import { toPdfOptions } from "../../src/rendering/page-options";
import { printParams } from "../../src/rendering/print";
import { open, printed } from "./printed";

const HTML = `<h1>Annual report</h1><p>intro</p><h2>Revenue</h2><p style="page-break-after:always">numbers</p><h2>Outlook</h2><p>next year</p>`;

/** The outline's titles, as a tree of `title` and `items`. */
type Entry = { title: string; items: Entry[] };
const titles = (items: Entry[] | null): unknown => items?.map((item) => (item.items.length ? { [item.title]: titles(item.items) } : item.title)) ?? null;

/** What the catalog says of tagging: a structure tree root, and MarkInfo. */
async function tagging(pdf: Uint8Array) {
	const doc = await PDFDocument.load(pdf, { updateMetadata: false });
	return { structTreeRoot: doc.catalog.has(PDFName.of("StructTreeRoot")), markInfo: doc.catalog.has(PDFName.of("MarkInfo")) };
}

describe("pdf.outline and pdf.tagged: Chromium's print settings", () => {
	it("default to no outline and a tagged PDF, and travel to the print parameters", () => {
		expect(printSettings(undefined)).toEqual({ outline: false, tagged: true });
		expect(printSettings({ outline: true, tagged: false })).toEqual({ outline: true, tagged: false });
		expect(printParams(toPdfOptions({ format: "A4", ...printSettings({ outline: true, tagged: false }) }))).toMatchObject({ generateDocumentOutline: true, generateTaggedPDF: false });
		expect(printParams(toPdfOptions({}))).toMatchObject({ generateDocumentOutline: false, generateTaggedPDF: true });
	});

	it("outline: true gives bookmarks that are the document's headings; without it, none", async () => {
		const withOutline = await printed(HTML, printSettings({ outline: true }));
		expect(titles((await (await open(withOutline)).getOutline()) as Entry[])).toEqual([{ "Annual report": ["Revenue", "Outlook"] }]);
		const without = await printed(HTML, printSettings({}));
		expect(await (await open(without)).getOutline()).toBeNull();
	});

	it("tagged (the default) has a structure tree and MarkInfo; tagged: false has neither", async () => {
		const tagged = await printed(HTML, printSettings({}));
		expect(await tagging(tagged)).toEqual({ structTreeRoot: true, markInfo: true });
		expect((await (await open(tagged)).getMarkInfo())?.Marked).toBe(true);
		const untagged = await printed(HTML, printSettings({ tagged: false }));
		expect(await tagging(untagged)).toEqual({ structTreeRoot: false, markInfo: false });
	});
});
