import { describe, expect, it } from "vitest";
import { getDocumentProxy } from "unpdf";
import { stampTestWatermark } from "../../src/rendering/watermark";
import { postJson, readPdf, readPdfPages, signUp } from "../helpers";

/** A live (unstamped) PDF as Chromium prints it, through the API. */
async function printed(key: string, body: Record<string, unknown>): Promise<Uint8Array> {
	const res = await postJson("/v1/generate", body, { "X-API-Key": key });
	expect(res.status).toBe(200);
	return new Uint8Array(await res.arrayBuffer());
}

/** What pdf.js reads of the document's tagging: MarkInfo, and each page's structure tree. */
async function tagging(pdf: Uint8Array) {
	const doc = await getDocumentProxy(pdf.slice());
	const trees = [];
	for (let n = 1; n <= doc.numPages; n++) trees.push(await (await doc.getPage(n)).getStructTree());
	return { markInfo: await doc.getMarkInfo(), trees };
}

/** The text shown inside `/Artifact` marked content on page `n`, and the text shown outside it (without spaces). */
async function artifactText(pdf: Uint8Array, n: number): Promise<{ artifact: string; content: string }> {
	const page = await (await getDocumentProxy(pdf.slice())).getPage(n);
	const { items } = await page.getTextContent({ includeMarkedContent: true });
	const open: boolean[] = [];
	let artifact = "";
	let content = "";
	for (const item of items) {
		if ("type" in item) {
			if (item.type === "beginMarkedContent" || item.type === "beginMarkedContentProps") open.push((item as { tag?: string }).tag === "Artifact");
			else if (item.type === "endMarkedContent") open.pop();
		} else if (open.includes(true)) artifact += item.str;
		else content += item.str;
	}
	return { artifact: artifact.replace(/\s/g, ""), content: content.replace(/\s/g, "") };
}

describe("stampTestWatermark", () => {
	it("puts TEST on every page of a real tagged PDF, keeping its pages, sizes, text and structure tree", async () => {
		const { key } = await signUp();
		const html = `<style>@page{size:A4 landscape}</style><h1>Quarterly report</h1><p style="page-break-after:always">first page</p><h2>Annex</h2><p>second page</p><p style="page-break-before:always">third page</p>`;
		const original = await printed(key, { html });
		const before = await readPdfPages(original);
		expect(before).toHaveLength(3);
		for (const page of before) expect(page.text).not.toContain("TEST");
		const tagged = await tagging(original);
		expect(tagged.markInfo?.Marked).toBe(true); // Chromium prints tagged PDFs: the precondition
		expect(tagged.trees.every((tree) => tree !== null)).toBe(true);

		const stamped = await stampTestWatermark(original);
		const after = await readPdfPages(stamped);
		expect(after.map(({ width, height }) => ({ width, height }))).toEqual(before.map(({ width, height }) => ({ width, height })));
		for (const [n, page] of after.entries()) {
			expect(page.text, `page ${n + 1}`).toContain("TEST");
			expect(page.text.replace("TEST", "").trim()).toBe(before[n]!.text);
		}
		// The structure tree and MarkInfo are kept whole, and the stamp is in none of it: it is an artifact.
		expect(await tagging(stamped)).toEqual(tagged);
		for (let n = 1; n <= 3; n++) expect(await artifactText(stamped, n)).toEqual({ artifact: "TEST", content: before[n - 1]!.text.replace(/\s/g, "") });
	});

	it("keeps every page size, from a shipping label to a landscape Letter, with the stamp inside the page", async () => {
		const { key } = await signUp();
		for (const options of [{ format: "Letter", landscape: true }, { width: "4in", height: "6in" }, { format: "A3" }]) {
			const original = await printed(key, { html: "<p>sized</p>", options });
			const stamped = await stampTestWatermark(original);
			const [before] = await readPdfPages(original);
			const [after] = await readPdfPages(stamped);
			expect({ width: after!.width, height: after!.height }, JSON.stringify(options)).toEqual({ width: before!.width, height: before!.height });
			expect(after!.text).toContain("TEST");
			// pdf.js puts the first item at its baseline start: inside the page, the whole word is too (it is centred).
			const test = (await (await (await getDocumentProxy(stamped.slice())).getPage(1)).getTextContent()).items.find((item) => "str" in item && item.str === "TEST");
			const [, , , , x, y] = (test as { transform: number[] }).transform;
			expect(x).toBeGreaterThan(0);
			expect(y).toBeGreaterThan(0);
			expect(x).toBeLessThan(after!.width);
			expect(y).toBeLessThan(after!.height);
		}
	});

	it("rewrites the document whole: no earlier, clean revision is left to cut back to", async () => {
		const { key } = await signUp();
		const original = await printed(key, { template_id: "invoices/invoice", data: { client: "Acme Corp", total: "$564" } });
		const stamped = await stampTestWatermark(original);
		const latin1 = new TextDecoder("latin1").decode(stamped);
		expect(latin1.match(/%%EOF/g)).toHaveLength(1);
		expect(latin1.startsWith("%PDF-1.")).toBe(true);
		const { text, pages } = await readPdf(stamped);
		expect(pages).toBe(1);
		expect(text).toContain("Acme Corp");
		expect(text).toContain("TEST");
	});
});
