import { DurableObject } from "cloudflare:workers";
import puppeteer, { type Browser, type CDPSession, type Page } from "@cloudflare/puppeteer";
import { Buffer } from "node:buffer";
import { loadContent, PageNotReadyError } from "./load-content";
import { toPdfOptions, type PageOptions } from "./page-options";
import { printParams } from "./print";
import { guardedHtml, type OutboundPolicy, refuseResource } from "../outbound/public-url";

/** Documents rendered at once by one object; more wait their turn instead of failing. */
const MAX_CONCURRENT_PAGES = 4;
/** Pages kept open ahead of demand, so a document never waits for a new page. */
const SPARE_PAGES = MAX_CONCURRENT_PAGES;
/** Browser Rendering closes a session after this long without a command (its maximum is 10 minutes). */
const KEEP_ALIVE_MS = 600_000;
/** While documents keep coming, the alarm pings the browser this often so the session stays warm. */
const PING_INTERVAL_MS = 60_000;
/** After this long without a document, the object lets its browser go. */
const IDLE_MS = 10 * 60_000;
/** How long a document may wait for a browser when Browser Rendering's launch limits are reached. */
const LAUNCH_WAIT_MS = 60_000;
/** A pooled page and the DevTools session it prints through, both opened ahead of demand. */
interface ReadyPage {
	page: Page;
	cdp: CDPSession;
}

/** A document being rendered: what it may load, and what it was refused (reported, up to 20). */
interface Guard {
	policy: OutboundPolicy;
	blocked: Set<string>;
}

const MAX_BLOCKED_REPORTED = 20;
/** For requests no document can be found for (a window a page opened): nothing goes out. */
const STRICT: OutboundPolicy = { allowLoopback: false, blockRemote: true };

/** Upper bound for printing (loading is bounded by loadContent). */
const PRINT_TIMEOUT_MS = 30_000;

export type RenderResult =
	| { ok: true; pdf: Uint8Array<ArrayBuffer>; blocked: string[] }
	| { ok: false; reason: "bad_page_range" | "bad_selector" | "timeout" | "failed"; message: string };

/**
 * Turns HTML into PDF bytes with Browser Rendering.
 *
 * A Worker can't keep a browser connection between requests; a Durable Object can. This object
 * holds one warm browser and a few fresh pages opened ahead of demand. A document takes a ready
 * page, and the browser's cookie jar is emptied just before it renders; right after, the page
 * is closed (its DOM, scripts and storage go with it) while a replacement opens in the
 * background. So nothing one document leaves behind reaches the next. (A browser context per
 * document would also isolate the HTTP cache, but measured here it costs a third of the
 * throughput.) Up to
 * {@link MAX_CONCURRENT_PAGES} documents render at once; more wait for a slot. A browser that
 * dies is replaced on the next document; launch limits are waited out, not turned into errors.
 */
export class Renderer extends DurableObject<Env> {
	private browser: Promise<Browser> | null = null;
	/**
	 * A DevTools session on the browser itself: browser-wide commands (clearing cookies), and the
	 * outbound guard, which pauses every request of every page (windows they open, redirect hops
	 * and navigations included) until it is checked against its document's policy.
	 */
	private browserSession: Promise<CDPSession> | null = null;
	private readonly documents = new Map<Page, Guard>();
	private spare: Array<Promise<ReadyPage>> = [];
	private active = 0;
	private readonly waiting: Array<() => void> = [];
	private lastUsed = 0;
	private alarmSet = false;

	async render(html: string, options: PageOptions, policy: OutboundPolicy): Promise<RenderResult> {
		await this.acquireSlot();
		this.lastUsed = Date.now();
		try {
			const { page, cdp } = await this.takePage();
			const guard: Guard = { policy, blocked: new Set() };
			this.documents.set(page, guard);
			try {
				await this.clearCookies();
				await loadContent(page, guardedHtml(html), options);
				const print = cdp.send("Page.printToPDF", { ...printParams(toPdfOptions(options)), transferMode: "ReturnAsBase64" });
				const { data } = await withTimeout(print, PRINT_TIMEOUT_MS, "Printing timed out");
				return { ok: true, pdf: new Uint8Array(Buffer.from(data, "base64")), blocked: [...guard.blocked] };
			} finally {
				this.documents.delete(page);
				// Off the document's path: the caller has its PDF; the next page is already open.
				void page.close().catch(() => {});
				this.refill();
			}
		} catch (error) {
			return classify(error);
		} finally {
			this.releaseSlot();
			this.keepWarm();
		}
	}

	/** Keeps the session alive between documents, and lets it go once documents stop coming. */
	override async alarm(): Promise<void> {
		this.alarmSet = false;
		if (!this.browser) return;
		if (Date.now() - this.lastUsed > IDLE_MS) {
			const browser = this.browser;
			this.browser = null;
			this.browserSession = null;
			this.spare = [];
			await browser.then((b) => b.close()).catch(() => {});
			return;
		}
		await this.browser.then((b) => b.version()).catch(() => {});
		this.keepWarm();
	}

	/** A ready page from the pool, or a new one when none is (first document, or a burst). */
	private async takePage(): Promise<ReadyPage> {
		while (this.spare.length > 0) {
			const ready = await this.spare.shift()!.catch(() => null);
			if (ready && !ready.page.isClosed()) return ready;
		}
		return this.openPage();
	}

	/** Cookies live in the browser, not the page: whatever an earlier document's resources set goes. */
	private async clearCookies(): Promise<void> {
		await (await this.guardedBrowserSession()).send("Storage.clearCookies", {});
	}

	private guardedBrowserSession(): Promise<CDPSession> {
		this.browserSession ??= this.warmBrowser().then(async (browser) => {
			const session = await browser.target().createCDPSession();
			session.on("Fetch.requestPaused", (event) => {
				const guard = this.documentOf(event.frameId);
				const refused = refuseResource(event.request.url, guard?.policy ?? STRICT);
				if (refused && guard && guard.blocked.size < MAX_BLOCKED_REPORTED) guard.blocked.add(event.request.url);
				// A refused navigation is "Aborted": Chromium then keeps the document instead of showing an error page.
				const errorReason = event.resourceType === "Document" ? "Aborted" : "BlockedByClient";
				const answer = refused
					? session.send("Fetch.failRequest", { requestId: event.requestId, errorReason })
					: session.send("Fetch.continueRequest", { requestId: event.requestId });
				answer.catch(() => {}); // the page may be closing
			});
			await session.send("Fetch.enable", { patterns: [{ urlPattern: "*" }] });
			// Printing a document never needs a second window: close the ones pages open.
			browser.on("targetcreated", (target) => {
				if (target.opener()) void target.page().then((popup) => popup?.close()).catch(() => {});
			});
			return session;
		});
		return this.browserSession;
	}

	/** The document whose page holds this frame (its own, or one of its iframes). */
	private documentOf(frameId: string | undefined): Guard | undefined {
		for (const [page, guard] of this.documents) {
			if (page.frames().some((frame) => (frame as unknown as { _id: string })._id === frameId)) return guard;
		}
		return undefined;
	}

	private refill(): void {
		while (this.spare.length < SPARE_PAGES) {
			const opening = this.openPage();
			opening.catch(() => {}); // a failed spare is skipped by takePage
			this.spare.push(opening);
		}
	}

	private async openPage(): Promise<ReadyPage> {
		await this.guardedBrowserSession(); // no page exists before the guard does
		const page = await (await this.warmBrowser()).newPage();
		return { page, cdp: await page.createCDPSession() };
	}

	private acquireSlot(): Promise<void> {
		if (this.active < MAX_CONCURRENT_PAGES) {
			this.active++;
			return Promise.resolve();
		}
		// The slot is handed over by releaseSlot, so `active` stays counted.
		return new Promise<void>((resolve) => this.waiting.push(resolve));
	}

	private releaseSlot(): void {
		const next = this.waiting.shift();
		if (next) next();
		else this.active--;
	}

	private keepWarm(): void {
		if (this.alarmSet) return;
		this.alarmSet = true;
		void this.ctx.storage.setAlarm(Date.now() + PING_INTERVAL_MS);
	}

	private warmBrowser(): Promise<Browser> {
		if (!this.browser) {
			const launching = this.connectOrLaunch();
			this.browser = launching;
			const forget = () => {
				if (this.browser !== launching) return;
				this.browser = null;
				this.browserSession = null;
				this.spare = []; // their pages died with the browser
			};
			launching.then((browser) => browser.on("disconnected", forget), forget);
		}
		return this.browser;
	}

	/**
	 * Reuses an idle Browser Rendering session (one this object held before it was evicted), else
	 * launches one. When the account's concurrent-browser or launches-per-minute limit is reached,
	 * waits as long as Browser Rendering says and tries again.
	 */
	private async connectOrLaunch(): Promise<Browser> {
		const deadline = Date.now() + LAUNCH_WAIT_MS;
		for (;;) {
			const sessions = await puppeteer.sessions(this.env.BROWSER).catch(() => []);
			for (const session of sessions) {
				if (session.connectionId) continue;
				try {
					return await puppeteer.connect(this.env.BROWSER, session.sessionId);
				} catch {
					// Taken by someone else in the meantime: try the next one.
				}
			}
			try {
				return await puppeteer.launch(this.env.BROWSER, { keep_alive: KEEP_ALIVE_MS });
			} catch (error) {
				const limits = await puppeteer.limits(this.env.BROWSER).catch(() => null);
				const wait = limits && limits.allowedBrowserAcquisitions === 0 ? limits.timeUntilNextAllowedBrowserAcquisition : 1000;
				if (Date.now() + wait > deadline) throw error;
				await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 100)));
			}
		}
	}
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
	return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function classify(error: unknown): RenderResult {
	if (error instanceof PageNotReadyError) return { ok: false, reason: error.reason, message: error.message };
	const message = error instanceof Error ? error.message : String(error);
	if (/page range/i.test(message)) return { ok: false, reason: "bad_page_range", message: "page_ranges selects pages the document does not have" };
	if (/timeout|timed out/i.test(message)) return { ok: false, reason: "timeout", message: "Rendering took too long" };
	return { ok: false, reason: "failed", message };
}

/**
 * The renderer for a document: one of `RENDERER_SHARDS` objects (default 1), picked at random so
 * load spreads when one browser is not enough. Each shard holds its own browser and pages.
 */
export function rendererFor(env: Env): DurableObjectStub<Renderer> {
	const shards = Math.max(1, Number(env.RENDERER_SHARDS) || 1);
	const shard = Math.floor(Math.random() * shards);
	return env.RENDERER.get(env.RENDERER.idFromName(`renderer-${shard}`));
}
