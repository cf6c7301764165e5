import type { Page } from "@cloudflare/puppeteer";
import { loadOptions, type PageOptions } from "./page-options";
import { puppeteerSession } from "./resources";

/** The page can't be printed as asked: `wait_for_selector` never matched, or is not a selector. */
export class PageNotReadyError extends Error {
	constructor(
		readonly reason: "timeout" | "bad_selector",
		message: string,
	) {
		super(message);
	}
}

type Readiness = "ready" | "incomplete" | "selector_timeout" | "bad_selector";

/**
 * Runs in the page (as a string: the bundler's helpers must not leak into it). Writes `html` as
 * the page's document and waits for it to be parsed (its deadline starts then, as
 * `wait_timeout_ms` says), then waits, until the deadline, for the load event, then `selector`, then
 * every web font and `<img>` (lazy ones made eager), looking again after each round since scripts
 * may add more. One DevTools call for both: each call is a round trip to the browser.
 */
function loadScript(html: string, budgetMs: number, selector: string | null): string {
	return `(async (html, budgetMs, selector) => {
		window.name = ""; // a page's name outlives its documents: the last one may have set it
		document.open();
		document.write(html);
		document.close();
		if (document.readyState === "loading") await new Promise((resolve) => addEventListener("DOMContentLoaded", resolve, { once: true }));
		const deadline = Date.now() + budgetMs;
		const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
		const inTime = (promise) => Promise.race([promise.then(() => true, () => true), sleep(deadline - Date.now()).then(() => false)]);
		if (document.readyState !== "complete") await inTime(new Promise((resolve) => addEventListener("load", resolve, { once: true })));
		await sleep(0); // what the load handlers scheduled runs first
		if (selector) {
			try { document.querySelector(selector); } catch { return "bad_selector"; }
			while (!document.querySelector(selector)) {
				if (Date.now() >= deadline) return "selector_timeout";
				await sleep(Math.min(50, deadline - Date.now()));
			}
		}
		while (true) {
			const images = [...document.images];
			for (const image of images) if (image.loading === "lazy") image.loading = "eager";
			const pending = images.filter((image) => !image.complete);
			if (pending.length === 0 && document.fonts.status === "loaded") return "ready";
			if (Date.now() >= deadline) return "incomplete";
			const arrivals = pending.map((image) => new Promise((resolve) => {
				image.addEventListener("load", resolve, { once: true });
				image.addEventListener("error", resolve, { once: true });
			}));
			await inTime(Promise.all([document.fonts.ready, ...arrivals]));
			await sleep(0); // never spin on microtasks alone
		}
	})(${JSON.stringify(html)}, ${budgetMs}, ${JSON.stringify(selector)})`;
}

/**
 * Puts `html` in `page` and waits until it is ready to print: the load event, `wait_for_selector`
 * if given, web fonts and images, all within `wait_timeout_ms`. Fonts and images still missing
 * then are left out (a document a little late beats no document); a selector that never appears
 * fails the render, since the client said the page isn't ready without it.
 * Expects a blank page with no media emulated (a new one, or one the Renderer cleaned), so only a
 * non-default media type is set; the page's name, which survives its reload, is emptied here.
 * Nothing here bounds a page whose scripts never yield: the Renderer's deadline does, from outside.
 * Resolves `true` when everything it waited for arrived, `false` when it gave up at `wait_timeout_ms`.
 */
export async function loadContent(page: Page, html: string, options: PageOptions): Promise<boolean> {
	const { media, waitTimeoutMs, selector } = loadOptions(options);
	// Printing uses print media already, and the page comes with no emulation: only `screen` needs a call.
	if (media !== "print") await page.emulateMediaType(media);
	// On puppeteer's session of the page, whose Network events the document's ResourceWatch reads:
	// they then come in order with the answer.
	const loaded = await puppeteerSession(page).send("Runtime.evaluate", { expression: loadScript(html, waitTimeoutMs, selector), awaitPromise: true, returnByValue: true });
	if (loaded.exceptionDetails) throw new Error(loaded.exceptionDetails.exception?.description ?? loaded.exceptionDetails.text);
	const readiness = loaded.result.value as Readiness;
	if (readiness === "bad_selector") throw new PageNotReadyError("bad_selector", `wait_for_selector: "${selector}" is not a valid CSS selector`);
	if (readiness === "selector_timeout") throw new PageNotReadyError("timeout", `wait_for_selector: nothing matched "${selector}" within ${waitTimeoutMs} ms`);
	return readiness === "ready";
}
