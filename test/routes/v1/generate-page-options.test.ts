import { describe, expect, it } from "vitest";
import { creditsLeft, errorOf, expectStatus, postJson, readPdfPages, signUp } from "../../helpers";

const THREE_PAGES = `<style>section{break-after:page;font:16px sans-serif}section:last-child{break-after:auto}</style>
<section>one</section><section>two</section><section>three</section>`;

async function pagesOf(key: string, html: string, options: Record<string, unknown>) {
	const res = await postJson("/v1/generate", { html, options }, { "X-API-Key": key });
	await expectStatus(res, 200);
	return readPdfPages(await res.arrayBuffer());
}

/** Chromium rounds paper sizes up by less than a point (A4 comes out 595.92 × 842.88). */
function expectSize(page: { width: number; height: number }, width: number, height: number) {
	expect(Math.abs(page.width - width), `width ${page.width}`).toBeLessThan(1);
	expect(Math.abs(page.height - height), `height ${page.height}`).toBeLessThan(1);
}

describe("page options", () => {
	it("a three-page document with a footer shows Page 2 of 3 on its second page, with room made for it", async () => {
		const { key } = await signUp();
		const pages = await pagesOf(key, THREE_PAGES, { footer_template: '<div style="text-align:center">Page {{page}} of {{pages}}</div>', header_template: "<div>{{title}}</div>" });
		expect(pages.map((p) => p.text)).toEqual([expect.stringContaining("Page 1 of 3"), expect.stringContaining("Page 2 of 3"), expect.stringContaining("Page 3 of 3")]);
		expect(pages[1]!.text).toContain("two");
		// The 20 mm default top margin (for the header) moves the body down.
		const body = pages[1]!.firstText!;
		expect(body.y).toBeGreaterThan(56);
	});

	it("Chromium's own placeholder classes work as well as the shorthands, and data fills the footer", async () => {
		const { key } = await signUp();
		const res = await postJson(
			"/v1/generate",
			{ html: THREE_PAGES, data: { doc: "Q3 <report>" }, options: { footer_template: '{{doc}}: <span class="pageNumber"></span>/<span class="totalPages"></span>' } },
			{ "X-API-Key": key },
		);
		const pages = await readPdfPages(await res.arrayBuffer());
		expect(pages[2]!.text).toContain("Q3 <report>: 3/3");
	});

	it("landscape A4 is 842 × 595 pt; width and height set any size; prefer_css_page_size lets CSS decide", async () => {
		const { key } = await signUp();
		expectSize((await pagesOf(key, "<p>x</p>", { format: "A4", landscape: true }))[0]!, 842, 595);
		expectSize((await pagesOf(key, "<p>x</p>", {}))[0]!, 595, 842);
		expectSize((await pagesOf(key, "<p>x</p>", { width: "4in", height: "6in" }))[0]!, 288, 432);
		expectSize((await pagesOf(key, "<p>x</p>", { width: 384, height: "10cm" }))[0]!, 288, 283.46);
		const css = "<style>@page{size:100mm 50mm}</style><p>x</p>";
		expectSize((await pagesOf(key, css, { prefer_css_page_size: true }))[0]!, 283.46, 141.73);
	});

	it("with no format, width or height, the document's CSS @page size is the paper; a format given wins; no @page size is A4", async () => {
		const { key } = await signUp();
		const a5 = "<style>@page{size:A5 landscape}</style><p>x</p>";
		expectSize((await pagesOf(key, a5, {}))[0]!, 595, 420);
		// A4 paper, turned as the CSS says: Chromium takes a CSS `landscape` whatever the paper.
		expectSize((await pagesOf(key, a5, { format: "A4" }))[0]!, 842, 595);
		expectSize((await pagesOf(key, a5, { format: "A4", prefer_css_page_size: true }))[0]!, 595, 420);
		expectSize((await pagesOf(key, a5, { prefer_css_page_size: false }))[0]!, 842, 595);
		expectSize((await pagesOf(key, "<style>@page{size:A5}</style><p>x</p>", { format: "A4" }))[0]!, 595, 842);
		expectSize((await pagesOf(key, "<p>x</p>", {}))[0]!, 595, 842);
		expectSize((await pagesOf(key, "<p>x</p>", { landscape: true }))[0]!, 842, 595);
	});

	it("margins move the content by as much as asked", async () => {
		const { key } = await signUp();
		const html = "<p style='margin:0;font:14px sans-serif'>Margin probe</p>";
		const [plain] = await pagesOf(key, html, {});
		const [moved] = await pagesOf(key, html, { margin: { left: "50mm", top: "1in" } });
		// 50 mm = 141.73 pt, 1 in = 72 pt; Chromium rounds margins to whole CSS pixels (0.75 pt).
		expect(Math.abs(moved!.firstText!.x - plain!.firstText!.x - 141.73)).toBeLessThan(1);
		expect(Math.abs(moved!.firstText!.y - plain!.firstText!.y - 72)).toBeLessThan(1);
	});

	it("page_ranges keeps the pages asked for, in any combination", async () => {
		const { key } = await signUp();
		const pages = await pagesOf(key, THREE_PAGES, { page_ranges: "1, 3" });
		expect(pages.map((p) => p.text)).toEqual(["one", "three"]);
		expect((await pagesOf(key, THREE_PAGES, { page_ranges: "2-" })).map((p) => p.text)).toEqual(["two", "three"]);
	});

	it("emulate_media lays the page out for screen or print", async () => {
		const { key } = await signUp();
		const html = "<style>@media print{.screen{display:none}} @media screen{.print{display:none}}</style><p class=print>PRINT-ONLY</p><p class=screen>SCREEN-ONLY</p>";
		expect((await pagesOf(key, html, {}))[0]!.text).toBe("PRINT-ONLY");
		expect((await pagesOf(key, html, { emulate_media: "screen" }))[0]!.text).toBe("SCREEN-ONLY");
		expect((await pagesOf(key, html, { emulate_media: "print" }))[0]!.text).toBe("PRINT-ONLY");
	});

	it("refuses options it can't honour with 400 naming them, and charges nothing", async () => {
		const { key } = await signUp();
		const cases: Array<[Record<string, unknown>, string]> = [
			[{ format: "A4", width: "4in", height: "6in" }, "options.format"],
			[{ width: "4in" }, "options.height"],
			[{ wait_timeout_ms: 60_000 }, "options.wait_timeout_ms"],
			[{ emulate_media: "tv" }, "options.emulate_media"],
			[{ margin: { left: "500in" } }, "options.margin.left"],
			[{ footer_template: "{{#x}}" }, ""],
		];
		for (const [options, field] of cases) {
			const res = await postJson("/v1/generate", { html: "<p>x</p>", options }, { "X-API-Key": key });
			const error = await errorOf(res);
			if (field === "") {
				expect(res.status).toBe(422);
				expect(error.message).toMatch(/options\.footer_template/);
				continue;
			}
			expect(res.status, JSON.stringify(options)).toBe(400);
			expect(JSON.stringify(error.details), JSON.stringify(options)).toContain(`"path":"${field}"`);
		}
		expect(await creditsLeft(key)).toBe(50);
	});
});
