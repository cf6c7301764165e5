import { PDFDict, PDFDocument, PDFName, PDFNumber } from "@cantoo/pdf-lib";
import { describe, expect, it } from "vitest";
import { finishPdf } from "../../src/pdf/finish";
import { selectPages } from "../../src/pdf/page-ranges";
import { checkPdfSpec } from "../../src/pdf/spec";
import { readPdfPages } from "../helpers";
import { apiErrorOf, open, pagesHtml, printed } from "./printed";

/** On page `n`: the text inside `/Artifact` marked content, the text outside it, and each watermark item's transform. */
async function pageText(pdf: Uint8Array, n: number, stamp: string) {
	const page = await (await open(pdf)).getPage(n);
	const { items } = await page.getTextContent({ includeMarkedContent: true });
	const open_: boolean[] = [];
	let artifact = "";
	let content = "";
	let transform: number[] | undefined;
	for (const item of items) {
		if ("type" in item) {
			if (item.type === "beginMarkedContent" || item.type === "beginMarkedContentProps") open_.push((item as { tag?: string }).tag === "Artifact");
			else if (item.type === "endMarkedContent") open_.pop();
		} else if (open_.includes(true)) {
			artifact += item.str;
			if (item.str === stamp) transform = item.transform as number[];
		} else content += item.str;
	}
	return { artifact, content: content.replace(/\s/g, ""), transform };
}

/** The fill opacities (`/ca`) of the graphics states page `n` uses. */
async function fillOpacities(pdf: Uint8Array, n: number): Promise<number[]> {
	const page = (await PDFDocument.load(pdf, { updateMetadata: false })).getPage(n - 1);
	const states = page.node.Resources()?.lookupMaybe(PDFName.of("ExtGState"), PDFDict);
	return (states?.values() ?? []).map((state) => (page.doc.context.lookup(state) as PDFDict).lookupMaybe(PDFName.of("ca"), PDFNumber)?.asNumber()).filter((ca): ca is number => ca !== undefined);
}

describe("pdf.watermark", () => {
	it("stamps the text on the chosen pages only, as an artifact, keeping every page's text and structure tree", async () => {
		const original = await printed(pagesHtml(4));
		const watermark = { text: "DRAFT", pages: "2-3", angle: 30, font_size: 40, color: "#dc2626", opacity: 0.3 };
		const finished = await finishPdf(original, { watermark });

		const before = await readPdfPages(original);
		const after = await readPdfPages(finished);
		expect(after.map(({ width, height }) => [width, height])).toEqual(before.map(({ width, height }) => [width, height]));
		for (const n of [1, 2, 3, 4]) {
			const chosen = n === 2 || n === 3;
			const { artifact, content, transform } = await pageText(finished, n, "DRAFT");
			expect(artifact, `page ${n}`).toBe(chosen ? "DRAFT" : "");
			expect(content, `page ${n}`).toBe(`Section${n}page${n}`); // the page's own text, unchanged and outside the stamp
			if (!chosen) continue;
			// pdf.js's text matrix: font size × (cos, sin) of the angle.
			const [a, b] = transform!;
			expect(Math.hypot(a!, b!)).toBeCloseTo(40, 3);
			expect((Math.atan2(b!, a!) * 180) / Math.PI).toBeCloseTo(30, 3);
			expect(await fillOpacities(finished, n)).toContain(0.3);
		}
		expect(await fillOpacities(finished, 1)).not.toContain(0.3);

		// The structure tree is the same on every page: the stamp is in none of it.
		const trees = async (pdf: Uint8Array) => {
			const doc = await open(pdf);
			return Promise.all([1, 2, 3, 4].map(async (n) => (await doc.getPage(n)).getStructTree()));
		};
		const treesBefore = await trees(original);
		expect(treesBefore.every((tree) => tree !== null)).toBe(true);
		expect(await trees(finished)).toEqual(treesBefore);
	});

	it("stamps every page by default, in the documented defaults (45°, 72 pt, 0.2 opacity), in any Windows-1252 text", async () => {
		const text = "Entwurf – geprüft €";
		const finished = await finishPdf(await printed(pagesHtml(2)), { watermark: { text } });
		for (const n of [1, 2]) {
			const { artifact, transform } = await pageText(finished, n, text);
			expect(artifact).toBe(text);
			expect(Math.hypot(transform![0]!, transform![1]!)).toBeCloseTo(72, 3);
			expect((Math.atan2(transform![1]!, transform![0]!) * 180) / Math.PI).toBeCloseTo(45, 3);
			expect(await fillOpacities(finished, n)).toContain(0.2);
		}
	});

	it("refuses pages past the end (400 on pdf.watermark.pages), and bad ranges or text before any PDF", async () => {
		const original = await printed(pagesHtml(2));
		expect(await apiErrorOf(() => finishPdf(original, { watermark: { text: "X", pages: "3" } }))).toEqual({
			code: "VALIDATION_ERROR",
			fields: [{ path: "pdf.watermark.pages", message: "page 3 is past the document's last page (2)" }],
		});
		// A range that reaches past the end is cut there, as Chromium cuts page_ranges.
		const cut = await finishPdf(original, { watermark: { text: "X", pages: "2-9" } });
		expect((await pageText(cut, 2, "X")).artifact).toBe("X");

		expect((await apiErrorOf(() => checkPdfSpec({ watermark: { text: "X", pages: "0-2" } }))).fields).toEqual([{ path: "pdf.watermark.pages", message: "page numbers start at 1: 0-2" }]);
		expect((await apiErrorOf(() => checkPdfSpec({ watermark: { text: "X", pages: "3-1" } }))).fields).toEqual([{ path: "pdf.watermark.pages", message: "a range runs forwards: 3-1" }]);
		expect((await apiErrorOf(() => checkPdfSpec({ watermark: { text: "X", pages: "two" } }))).fields[0]!.path).toBe("pdf.watermark.pages");
		expect((await apiErrorOf(() => checkPdfSpec({ watermark: { text: "草稿" } }))).fields[0]!.path).toBe("pdf.watermark.text");
		expect((await apiErrorOf(() => checkPdfSpec({ watermark: { text: "X", color: "red" } }))).fields[0]!.path).toBe("pdf.watermark.color");
		expect(() => checkPdfSpec({ watermark: { text: "Entwurf – geprüft €" } })).not.toThrow(); // Windows-1252 is drawable
	});

	it("can draw every character the schema lets through (Windows-1252), and the schema refuses the first one past it", async () => {
		const extras = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ";
		const codes = [...Array.from({ length: 0x7f - 0x20 }, (_, i) => 0x20 + i), ...Array.from({ length: 0x100 - 0xa0 }, (_, i) => 0xa0 + i)];
		const all = String.fromCharCode(...codes) + extras;
		const original = await printed(pagesHtml(1));
		for (let at = 0; at < all.length; at += 200) {
			const text = all.slice(at, at + 200);
			expect(() => checkPdfSpec({ watermark: { text } })).not.toThrow();
			await finishPdf(original, { watermark: { text, font_size: 6 } }); // pdf-lib throws on a character its font can't encode
		}
		for (const outside of ["\u0100", "Ω", "\n", "\u007f"]) expect((await apiErrorOf(() => checkPdfSpec({ watermark: { text: `a${outside}` } }))).fields[0]!.path).toBe("pdf.watermark.text");
	});

	it("selects pages like page_ranges", () => {
		expect(selectPages("2-3, 5", 6)).toEqual([1, 2, 4]);
		expect(selectPages("4-", 6)).toEqual([3, 4, 5]);
		expect(selectPages(" 3 , 1-2, 2 ", 3)).toEqual([0, 1, 2]);
		expect(selectPages(undefined, 3)).toEqual([0, 1, 2]);
	});
});
