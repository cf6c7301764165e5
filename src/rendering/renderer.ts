import { DurableObject } from "cloudflare:workers";
import puppeteer, { type Browser } from "@cloudflare/puppeteer";
import { loadContent, PageNotReadyError } from "./load-content";
import { toPdfOptions, type PageOptions } from "./page-options";

/** Documents rendered at once in one browser; more wait their turn instead of failing. */
const MAX_CONCURRENT_PAGES = 4;
/** Keep the Browser Rendering session open this long between documents (the maximum is 10 minutes). */
const KEEP_ALIVE_MS = 600_000;
/** Upper bound for printing (loading is bounded by loadContent). */
const PRINT_TIMEOUT_MS = 30_000;

export type RenderResult =
	| { ok: true; pdf: Uint8Array<ArrayBuffer> }
	| { ok: false; reason: "bad_page_range" | "bad_selector" | "timeout" | "failed"; message: string };

/**
 * Turns HTML into PDF bytes with Browser Rendering.
 *
 * A Worker can't keep a browser connection between requests; a Durable Object can. This object
 * holds one warm browser, renders up to {@link MAX_CONCURRENT_PAGES} documents at once in fresh
 * pages (closed after each document, so nothing leaks between accounts) and queues the rest.
 * A browser that dies is replaced on the next document.
 */
export class Renderer extends DurableObject<Env> {
	private browser: Promise<Browser> | null = null;
	private active = 0;
	private readonly waiting: Array<() => void> = [];

	async render(html: string, options: PageOptions): Promise<RenderResult> {
		await this.acquireSlot();
		try {
			const browser = await this.warmBrowser();
			const page = await browser.newPage();
			try {
				await loadContent(page, html, options);
				const pdf = await page.pdf({ ...toPdfOptions(options), timeout: PRINT_TIMEOUT_MS });
				return { ok: true, pdf: new Uint8Array(pdf) };
			} finally {
				await page.close().catch(() => {});
			}
		} catch (error) {
			return classify(error);
		} finally {
			this.releaseSlot();
		}
	}

	private async acquireSlot(): Promise<void> {
		if (this.active < MAX_CONCURRENT_PAGES) {
			this.active++;
			return;
		}
		// The slot is handed over by releaseSlot, so `active` stays counted.
		await new Promise<void>((resolve) => this.waiting.push(resolve));
	}

	private releaseSlot(): void {
		const next = this.waiting.shift();
		if (next) next();
		else this.active--;
	}

	private warmBrowser(): Promise<Browser> {
		if (!this.browser) {
			const launching = this.connectOrLaunch();
			this.browser = launching;
			launching.then(
				(browser) => browser.on("disconnected", () => this.browser === launching && (this.browser = null)),
				() => this.browser === launching && (this.browser = null),
			);
		}
		return this.browser;
	}

	/** Reuses an idle Browser Rendering session (e.g. one this object held before it was evicted), else launches one. */
	private async connectOrLaunch(): Promise<Browser> {
		const sessions = await puppeteer.sessions(this.env.BROWSER).catch(() => []);
		for (const session of sessions) {
			if (session.connectionId) continue;
			try {
				return await puppeteer.connect(this.env.BROWSER, session.sessionId);
			} catch {
				// Taken by someone else in the meantime: try the next one.
			}
		}
		return puppeteer.launch(this.env.BROWSER, { keep_alive: KEEP_ALIVE_MS });
	}
}

function classify(error: unknown): RenderResult {
	if (error instanceof PageNotReadyError) return { ok: false, reason: error.reason, message: error.message };
	const message = error instanceof Error ? error.message : String(error);
	if (/page range/i.test(message)) return { ok: false, reason: "bad_page_range", message: "page_ranges selects pages the document does not have" };
	if (/timeout|timed out/i.test(message)) return { ok: false, reason: "timeout", message: "Rendering took too long" };
	return { ok: false, reason: "failed", message };
}

/** The renderer for a request. One object for now; sharding comes with the speed work. */
export function rendererFor(env: Env): DurableObjectStub<Renderer> {
	return env.RENDERER.get(env.RENDERER.idFromName("renderer-0"));
}
