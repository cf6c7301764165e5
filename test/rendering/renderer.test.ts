import { runInDurableObject } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "@cloudflare/puppeteer";
import type { Renderer } from "../../src/rendering/renderer";
import { postJson, readPdf, rendererOf, signUp } from "../helpers";

/** The pages a renderer's lanes keep after their last document, and whose (see `Renderer.keep`). */
function keptPages(renderer: DurableObjectStub<Renderer>) {
	return runInDurableObject(renderer, (instance: Renderer) => {
		type Kept = { account: string | null; ready: { page: Page; documents: number } } | null;
		const lanes = (instance as unknown as { lanes: Array<{ kept: Kept; busy: boolean }> }).lanes;
		return lanes.flatMap(({ kept }) => (kept ? [{ account: kept.account, page: (kept.ready.page.target() as unknown as { _targetId: string })._targetId, documents: kept.ready.documents }] : []));
	});
}

/** Whether the browser still has the page (a DevTools target id). */
function pageOpen(renderer: DurableObjectStub<Renderer>, targetId: string) {
	return runInDurableObject(renderer, async (instance: Renderer) => {
		const browser = await (instance as unknown as { browser: Promise<Browser> }).browser;
		return browser.targets().some((target) => (target as unknown as { _targetId: string })._targetId === targetId);
	});
}

/** The ids of the browser's renderer processes now, and its command line. */
function browserProcesses(renderer: DurableObjectStub<Renderer>) {
	return runInDurableObject(renderer, async (instance: Renderer) => {
		const browser = await (instance as unknown as { browser: Promise<Browser> }).browser;
		const session = await browser.target().createCDPSession();
		try {
			const { processInfo } = await session.send("SystemInfo.getProcessInfo");
			const { arguments: args } = await session.send("Browser.getBrowserCommandLine");
			return { renderers: processInfo.filter((process) => process.type === "renderer").map((process) => process.id), args };
		} finally {
			await session.detach();
		}
	});
}

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

	it("keeps a page for its account's next document, which starts clean: none of the last one's globals, window.name, timers, policies or media", async () => {
		const server = inject("webhookReceiver");
		const { accountId, key } = await signUp();
		const printMedia = `<style>.print { display: none } @media print { .print { display: block } }</style><p class="print">laid out for print</p>`;
		const image = `<img src="${server}/slow/10/image.png?${accountId}" width="32" height="32">`;
		const first = await postJson(
			"/v1/generate",
			{
				html: `<meta http-equiv="Content-Security-Policy" content="img-src 'none'">${printMedia}<p>first</p><script>window.name = "left behind"; window.leftover = 1; setInterval(() => { document.title = "a timer of the first" }, 5)</script>${image}<script>addEventListener("load", () => document.body.append("first image " + document.images[0].naturalWidth))</script>`,
				options: { emulate_media: "screen" },
			},
			{ "X-API-Key": key },
		);
		expect(first.status).toBe(200);
		const firstText = (await readPdf(await first.arrayBuffer())).text;
		expect(firstText).not.toContain("laid out for print"); // its media was screen
		expect(firstText).toContain("first image 0"); // its own policy kept its image out
		const renderer = rendererOf(first);
		const [kept] = (await keptPages(renderer)).filter((page) => page.account === accountId);
		expect(kept).toMatchObject({ documents: 1 });

		const probe = `${printMedia}${image}<p id="seen"></p><script>setTimeout(() => { seen.textContent = "seen " + JSON.stringify({ name: window.name, leftover: typeof window.leftover, timer: document.title.startsWith("a timer"), history: history.length, url: location.href, image: document.images[0].naturalWidth }); seen.id = "done" }, 100)</script>`;
		// Every resource must load (its image too): else 422 with the failure.
		const second = await postJson("/v1/generate", { html: probe, options: { wait_for_selector: "#done" }, fail_on_resource_error: true }, { "X-API-Key": key });
		expect({ status: second.status, body: second.status === 200 ? "" : await second.text() }).toEqual({ status: 200, body: "" });
		const { text } = await readPdf(await second.arrayBuffer());
		expect(text).toContain('seen {"name":"","leftover":"undefined","timer":false,"history":1,"url":"about:blank","image":64}');
		expect(text).toContain("laid out for print");
		// It did render in the first one's page: what it saw is what cleaning left.
		expect((await keptPages(renderer)).filter((page) => page.account === accountId)).toEqual([{ ...kept, documents: 2 }]);
	});

	it("closes, rather than cleans, a page whose document navigated or changed its history", async () => {
		const { accountId, key } = await signUp();
		for (const html of [`<p>pushed</p><script>history.pushState(null, "", "#pushed")</script>`, `<p>navigated</p><script>if (!location.hash) location.replace("about:blank#again")</script>`]) {
			const warm = await postJson("/v1/generate", { html: "<p>warm</p>" }, { "X-API-Key": key });
			expect(warm.status).toBe(200);
			const renderer = rendererOf(warm);
			const [before] = (await keptPages(renderer)).filter((page) => page.account === accountId);
			const res = await postJson("/v1/generate", { html }, { "X-API-Key": key });
			expect(res.status).toBe(200);
			const [used] = (await keptPages(renderer)).filter((page) => page.account === accountId);
			expect(used).toEqual({ ...before, documents: before!.documents + 1 }); // it rendered in the kept page
			const next = await postJson("/v1/generate", { html: "<p>next</p>" }, { "X-API-Key": key });
			expect(next.status).toBe(200);
			const [after] = (await keptPages(renderer)).filter((page) => page.account === accountId);
			expect(after).toEqual({ account: accountId, page: expect.not.stringMatching(before!.page), documents: 1 });
		}
	});

	it("never lends a page to another account: its document closes the page the lane kept, and renders in a new one", async () => {
		const a = await signUp();
		const b = await signUp();
		const first = await postJson("/v1/generate", { html: "<p>a</p>" }, { "X-API-Key": a.key });
		expect(first.status).toBe(200);
		const renderer = rendererOf(first);
		const [kept] = (await keptPages(renderer)).filter((page) => page.account === a.accountId);
		// Every other lane is taken, so b's document gets the lane that keeps a's page.
		const setOthersBusy = (busy: boolean) =>
			runInDurableObject(renderer, (instance: Renderer) => {
				for (const lane of (instance as unknown as { lanes: Array<{ kept: { ready: { page: Page } } | null; busy: boolean }> }).lanes) {
					if ((lane.kept?.ready.page.target() as unknown as { _targetId: string } | undefined)?._targetId !== kept!.page) lane.busy = busy;
				}
			});
		await setOthersBusy(true);
		try {
			const res = await postJson("/v1/generate", { html: "<p>b</p>" }, { "X-API-Key": b.key });
			expect(res.status).toBe(200);
			expect(rendererOf(res).id.toString()).toBe(renderer.id.toString());
		} finally {
			await setOthersBusy(false);
		}
		const pages = await keptPages(renderer);
		expect(pages.filter((page) => page.account === a.accountId)).toEqual([]);
		expect(pages.filter((page) => page.account === b.accountId)).toEqual([{ account: b.accountId, page: expect.not.stringMatching(kept!.page), documents: 1 }]);
		await expect.poll(() => pageOpen(renderer, kept!.page)).toBe(false);
	});

	it("closes a page whose last document's scripts hold it after printing: the account's next document renders in a new one", async () => {
		const { accountId, key } = await signUp();
		const first = await postJson("/v1/generate", { html: `<p>first</p><script>addEventListener("afterprint", () => setTimeout(() => { for (;;) {} }))</script>` }, { "X-API-Key": key });
		expect(first.status).toBe(200);
		const renderer = rendererOf(first);
		const [kept] = (await keptPages(renderer)).filter((page) => page.account === accountId);
		expect(kept).toMatchObject({ documents: 1 });
		const second = await postJson("/v1/generate", { html: "<p>second</p>" }, { "X-API-Key": key });
		expect(second.status).toBe(200);
		expect((await readPdf(await second.arrayBuffer())).text).toContain("second");
		const [now] = (await keptPages(renderer)).filter((page) => page.account === accountId);
		expect(now).toEqual({ account: accountId, page: expect.not.stringMatching(kept!.page), documents: 1 });
		await expect.poll(() => pageOpen(renderer, kept!.page)).toBe(false);
	});

	it("starts no renderer process per document while lanes take turns: the local browser keeps no spare process", async () => {
		const accounts = await Promise.all([signUp(), signUp(), signUp()]);
		// Three accounts' documents at once: three lanes, three browser contexts, each page reloaded after its document.
		const round = () => Promise.all(accounts.map(({ key }) => postJson("/v1/generate", { html: "<p>taking turns</p>" }, { "X-API-Key": key })));
		const settled = () => new Promise((resolve) => setTimeout(resolve, 500)); // pages cleaned, lanes' next pages open
		const [first] = await round();
		const renderer = rendererOf(first!);
		await round();
		await settled();
		const before = await browserProcesses(renderer);
		// miniflare's own disabled features are still there, with the spare process added to them.
		const disabled = before.args.filter((arg) => arg.startsWith("--disable-features="));
		expect(disabled).toEqual([expect.stringMatching(/^--disable-features=.*IsolateSandboxedIframes.*,SpareRendererForSitePerProcess$/)]);
		const seen = new Set(before.renderers);
		for (let i = 0; i < 4; i++) {
			for (const res of await round()) expect(res.status).toBe(200);
			await settled();
			for (const id of (await browserProcesses(renderer)).renderers) seen.add(id);
		}
		// With a spare process, each round's reloads would leave a new one behind: 4 more here.
		expect([...seen].sort()).toEqual([...before.renderers].sort());
	});
});
