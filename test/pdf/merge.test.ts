import { describe, expect, it } from "vitest";
import { mergePdfs, mergePdfsCounted } from "../../src/pdf/merge";
import { postJson, readPdfPages, signUp } from "../helpers";

async function printed(key: string, html: string, options: Record<string, unknown> = {}): Promise<Uint8Array> {
	const res = await postJson("/v1/generate", { html, options }, { "X-API-Key": key });
	expect(res.status).toBe(200);
	return new Uint8Array(await res.arrayBuffer());
}

describe("mergePdfs", () => {
	it("appends every page of each PDF in order, each keeping its size", async () => {
		const { key } = await signUp();
		const alpha = await printed(key, `<h1>Alpha one</h1><div style="break-before: page">Alpha two</div>`, { format: "A4" });
		const beta = await printed(key, "<h1>Beta landscape</h1>", { format: "Letter", landscape: true });
		const { pdf, pages } = await mergePdfsCounted([beta, alpha, beta]);
		expect(pages).toBe(4);
		const read = await readPdfPages(pdf);
		expect(read.map((p) => p.text)).toEqual(["Beta landscape", "Alpha one", "Alpha two", "Beta landscape"]);
		// Each page exactly as it was printed: Letter landscape (792 × 612 pt), then A4 portrait.
		const size = (p: { width: number; height: number }) => [p.width, p.height];
		const [betaPage] = await readPdfPages(beta);
		const [alphaPage] = await readPdfPages(alpha);
		expect(size(betaPage!)).toEqual([792, 612]);
		expect(alphaPage!.height).toBeGreaterThan(alphaPage!.width);
		expect(read.map(size)).toEqual([size(betaPage!), size(alphaPage!), size(alphaPage!), size(betaPage!)]);
		expect((await readPdfPages(await mergePdfs([alpha]))).map((p) => p.text)).toEqual(["Alpha one", "Alpha two"]);
	});

	it("refuses an empty list and bytes that are not a PDF", async () => {
		await expect(mergePdfs([])).rejects.toThrow(/at least one/);
		await expect(mergePdfs([new TextEncoder().encode("not a pdf")])).rejects.toThrow();
	});
});
