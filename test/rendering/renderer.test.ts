import { runInDurableObject } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext } from "@cloudflare/puppeteer";
import type { Renderer } from "../../src/rendering/renderer";
import { postJson, readPdf, rendererOf, signUp } from "../helpers";

describe("Renderer Durable Object", () => {
	it("replaces a browser that died, on the next document", async () => {
		const { key } = await signUp();
		const before = await postJson("/v1/generate", { html: "<p>before</p>" }, { "X-API-Key": key });
		expect(before.status).toBe(200);
		await runInDurableObject(rendererOf(before), async (instance: Renderer) => {
			const browser = await (instance as unknown as { browser: Promise<Browser> }).browser;
			await browser.close();
		});
		const res = await postJson("/v1/generate", { html: "<p>after the crash</p>" }, { "X-API-Key": key });
		expect(res.status).toBe(200);
		expect((await readPdf(await res.arrayBuffer())).text).toContain("after the crash");
	});

	it("empties the cookie jar before each document: a cookie left in the browser is not sent by the next one", async () => {
		const server = inject("webhookReceiver");
		const { key } = await signUp();
		const id = crypto.randomUUID();
		// What an earlier document could leave: a first-party cookie of a site it navigated to.
		const warm = await postJson("/v1/generate", { html: "<p>warm</p>" }, { "X-API-Key": key });
		await runInDurableObject(rendererOf(warm), async (instance: Renderer) => {
			// In every lane's browser context, so whichever the next document takes has it.
			const renderer = instance as unknown as { lanes: unknown[]; contextOf(lane: unknown): Promise<BrowserContext> };
			expect(renderer.lanes.length).toBeGreaterThan(0);
			for (const lane of renderer.lanes) {
				const page = await (await renderer.contextOf(lane)).newPage();
				await page.setCookie({ name: "left_behind", value: id, url: server });
				await page.close();
			}
		});
		// The next document navigates to that site, where the cookie would be sent.
		await postJson("/v1/generate", { html: `<script>location.href = "${server}/echo-cookie/${id}"</script>` }, { "X-API-Key": key });
		let seen: Array<{ headers: Record<string, string> }> = [];
		await expect.poll(async () => (seen = await (await fetch(`${server}/received/${id}`)).json()).length, { timeout: 5000 }).toBeGreaterThan(0);
		expect(seen[0]!.headers.cookie).toBeUndefined();
	});

	it("shows every document: its page is visible and requestAnimationFrame runs, also while other documents render", async () => {
		// An element added in an animation frame is what the page waits for: a hidden page never adds it (504).
		const html = `<script>requestAnimationFrame(() => { const p = document.createElement("p"); p.id = "drawn"; p.textContent = "drawn while " + document.visibilityState; document.body.append(p); });</script>`;
		const accounts = await Promise.all([signUp(), signUp(), signUp()]);
		// Twice: the second round renders in pages opened ahead while the first round's documents rendered.
		for (let round = 0; round < 2; round++) {
			const results = await Promise.all(
				accounts.map(async ({ key }) => {
					const res = await postJson("/v1/generate", { html, options: { wait_for_selector: "#drawn", wait_timeout_ms: 3000 } }, { "X-API-Key": key });
					return { status: res.status, text: res.status === 200 ? (await readPdf(await res.arrayBuffer())).text : await res.text() };
				}),
			);
			for (const result of results) expect(result).toEqual({ status: 200, text: expect.stringContaining("drawn while visible") });
		}
	});
});
