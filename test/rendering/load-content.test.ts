import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import type { PageOptions } from "../../src/rendering/page-options";
import { renderOnFleet } from "../../src/rendering/render";
import { creditsLeft, errorOf, postJson, readPdf, signUp } from "../helpers";

/** test/webhook-receiver.ts serves `/slow/<ms>/image.png` and `/slow/<ms>/font.ttf` (the font named `slowFont`) after <ms>. */
const receiver = inject("webhookReceiver");
const fontName = inject("slowFont");
const slow = (ms: number, asset: "image.png" | "font.ttf") => `${receiver}/slow/${ms}/${asset}`;

/** A page whose text uses a web font that arrives after `ms`, with Liberation Serif (installed) as the fallback. */
const lateFont = (ms: number) =>
	`<style>@font-face{font-family:Late;src:url(${slow(ms, "font.ttf")})} p{font:20px Late,"Liberation Serif"}</style><p>Late font</p>`;
const lateImage = (ms: number, attributes = "") => `<p>Picture:</p><img ${attributes} src="${slow(ms, "image.png")}" width="64" height="64">`;

/** What a PDF embeds: its fonts' names (Skia writes uncompressed object dictionaries) and whether it holds an image. */
async function render(html: string, options: PageOptions = {}) {
	const { result } = await renderOnFleet(env, html, options, { allowLoopback: true, blockRemote: false }, { account: "load-content-test", slots: 4, deadlineMs: 60_000, javascript: true }, { async: true });
	if (!result.ok) throw new Error(`${result.reason}: ${result.message}`);
	const raw = new TextDecoder("latin1").decode(result.pdf);
	return {
		fonts: [...raw.matchAll(/\/BaseFont\s*\/[A-Z]{6}\+([\w-]+)/g)].map((m) => m[1]),
		hasImage: /\/Subtype\s*\/Image/.test(raw),
		text: (await readPdf(result.pdf)).text,
	};
}

describe("the wait before printing", () => {
	it.skipIf(!fontName)("a web font that arrives late is in the PDF; one later than wait_timeout_ms is not, and the PDF is still made", async () => {
		const waited = await render(lateFont(1500));
		expect(waited.fonts).toContain(fontName);
		expect(waited.text).toContain("Late font");

		const gaveUp = await render(lateFont(4000), { wait_timeout_ms: 300 });
		expect(gaveUp.fonts).not.toContain(fontName);
		expect(gaveUp.text).toContain("Late font");
	});

	it("an image that arrives late is in the PDF; one later than wait_timeout_ms is not", async () => {
		expect((await render(lateImage(1500))).hasImage).toBe(true);
		expect((await render(lateImage(4000), { wait_timeout_ms: 300 })).hasImage).toBe(false);
	});

	it("waits for what scripts add after the load event, and for lazy images", async () => {
		const added = `<p>Start</p><script>addEventListener("load", () => setTimeout(() => document.body.insertAdjacentHTML("beforeend",
			'<style>@font-face{font-family:Late;src:url(${slow(1000, "font.ttf")})} .late{font:20px Late,serif}</style><p class=late>Added later</p><img src="${slow(1000, "image.png")}">'), 0));</script>`;
		const page = await render(added);
		expect(page.text).toContain("Added later");
		if (fontName) expect(page.fonts).toContain(fontName);
		expect(page.hasImage).toBe(true);

		// Far below the fold, where the browser would never load a lazy image by itself.
		expect((await render(`<div style="height:3000px"></div>${lateImage(500, 'loading="lazy"')}`)).hasImage).toBe(true);
	});

	it("wait_for_selector prints once the element exists", async () => {
		const html = `<p>Chart:</p><script>setTimeout(() => document.body.insertAdjacentHTML("beforeend", "<p id=chart>drawn</p>"), 800)</script>`;
		expect((await render(html, { wait_for_selector: "#chart" })).text).toContain("drawn");
	});

	it("a selector that never appears is 504 RENDER_TIMEOUT and one that is not a selector is 400, both refunded", async () => {
		const { key } = await signUp();
		const timeout = await postJson("/v1/generate", { html: "<p>x</p>", options: { wait_for_selector: "#never", wait_timeout_ms: 300 } }, { "X-API-Key": key });
		expect(timeout.status).toBe(504);
		expect(await errorOf(timeout)).toMatchObject({ code: "RENDER_TIMEOUT", message: expect.stringMatching(/#never.*300 ms; nothing was charged/) });
		const invalid = await postJson("/v1/generate", { html: "<p>x</p>", options: { wait_for_selector: "p[" } }, { "X-API-Key": key });
		expect(invalid.status).toBe(400);
		expect(await errorOf(invalid)).toMatchObject({ code: "VALIDATION_ERROR", details: { fields: [{ path: "options.wait_for_selector" }] } });
		expect(await creditsLeft(key)).toBe(50);
	});

	it("a page that never finishes loading is printed after wait_timeout_ms with what it has", async () => {
		const started = Date.now();
		const page = await render(`<p>Text first</p>${lateImage(20_000)}`, { wait_timeout_ms: 1000 });
		expect(page.text).toContain("Text first");
		expect(page.hasImage).toBe(false);
		expect(Date.now() - started).toBeLessThan(8000);
	});
});
