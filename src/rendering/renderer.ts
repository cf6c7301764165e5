import { DurableObject } from "cloudflare:workers";
import puppeteer, { type Browser, type CDPSession, type Page } from "@cloudflare/puppeteer";
import { Buffer } from "node:buffer";
import { loadContent, PageNotReadyError } from "./load-content";
import { loadOptions, toPdfOptions, type PageOptions } from "./page-options";
import { printParams } from "./print";
import { type FailedResource, ResourceWatch } from "./resources";
import { guardedHtml, type OutboundPolicy, refuseResource } from "../outbound/public-url";

/** Documents rendered at once by one object; more wait their turn instead of failing. */
export const MAX_CONCURRENT_PAGES = 4;
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

/** What one document may use of this renderer. */
export interface DocumentLimits {
	/** Whose document it is: an account's documents hold at most `slots` of the renderer's pages at once. */
	account: string;
	slots: number;
	/**
	 * Wall-clock bound, from the moment the document has a page to its last PDF byte. Past it the
	 * page is closed from outside, whatever its scripts are doing, and the render is `stopped`.
	 */
	deadlineMs: number;
	/** `false`: the page's own scripts don't run. */
	javascript: boolean;
}

export type RenderResult =
	| { ok: true; pdf: Uint8Array<ArrayBuffer>; blocked: string[]; failed: FailedResource[] }
	| { ok: false; reason: "bad_page_range" | "bad_selector" | "timeout" | "stopped" | "crashed" | "print_failed" | "failed"; message: string };

/** Why a document's page was taken away from it: its deadline passed, or its renderer process died. */
class Stopped extends Error {
	constructor(readonly reason: "stopped" | "crashed") {
		super(reason);
	}
}

/**
 * Turns HTML into PDF bytes with Browser Rendering.
 *
 * A Worker can't keep a browser connection between requests; a Durable Object can. This object
 * holds one warm browser and a few fresh pages opened ahead of demand. A document takes a ready
 * page, and the browser's cookie jar is emptied just before it renders; right after, the page
 * is closed (its DOM, scripts and storage go with it) while a replacement opens in the
 * background. So nothing one document leaves behind reaches the next. (A browser context per
 * document would also isolate the HTTP cache, but measured here it costs a third of the
 * throughput.)
 *
 * Every document is hostile until printed. Each page runs in a renderer process of its own, so a
 * page whose scripts never yield holds up only itself; its deadline is enforced from outside the
 * page: the browser closes the page's target (which ends its process, busy or not) and the page
 * is never used again. Up to {@link MAX_CONCURRENT_PAGES} documents render at once, and one
 * account's documents hold at most their plan's share of them; a document waiting for a page
 * goes before any later one whose account is not at its share, so one account's documents never
 * queue another's. A browser that dies is replaced on the next document; launch limits are
 * waited out, not turned into errors.
 */
export class Renderer extends DurableObject<Env> {
	private browser: Promise<Browser> | null = null;
	/**
	 * A DevTools session on the browser itself: browser-wide commands (clearing cookies, closing a
	 * page whose scripts hold it), and the outbound guard, which pauses every request of every page
	 * (windows they open, redirect hops and navigations included) until it is checked against its
	 * document's policy.
	 */
	private browserSession: Promise<CDPSession> | null = null;
	private readonly documents = new Map<Page, Guard>();
	private spare: Array<Promise<ReadyPage>> = [];
	/** Pages rendering now, in all and per account. */
	private active = 0;
	private readonly activeByAccount = new Map<string, number>();
	/** Documents waiting for a page, oldest first. */
	private readonly waiting: Array<{ limits: DocumentLimits; start: () => void }> = [];
	private lastUsed = 0;
	private alarmSet = false;

	async render(html: string, options: PageOptions, policy: OutboundPolicy, limits: DocumentLimits): Promise<RenderResult> {
		await this.acquireSlot(limits);
		this.lastUsed = Date.now();
		try {
			const { page, cdp } = await this.takePage();
			const guard: Guard = { policy, blocked: new Set() };
			this.documents.set(page, guard);
			const resources = new ResourceWatch(page);
			const watch = this.watch(page, cdp, limits.deadlineMs);
			try {
				await watch.bound(this.clearCookies());
				const complete = await watch.bound(loadContent(page, guardedHtml(html, { javascript: limits.javascript }), options));
				const stalled = resources.loading();
				const print = cdp.send("Page.printToPDF", { ...printParams(toPdfOptions(options)), transferMode: "ReturnAsBase64" });
				const { data } = await watch.bound(print);
				const stalledReason = complete ? "still loading when the page was printed" : `timed out after ${loadOptions(options).waitTimeoutMs} ms`;
				const failed = resources.report(policy, stalled, stalledReason);
				return { ok: true, pdf: new Uint8Array(Buffer.from(data, "base64")), blocked: [...guard.blocked], failed };
			} catch (error) {
				if (watch.stopped) return stoppedResult(watch.stopped, limits.deadlineMs);
				throw error;
			} finally {
				watch.end();
				this.documents.delete(page);
				// Off the document's path: the caller has its PDF; the next page is already open.
				if (!watch.stopped) void this.closePage(page);
				this.refill();
			}
		} catch (error) {
			return classify(error);
		} finally {
			this.releaseSlot(limits.account);
			this.keepWarm();
		}
	}

	/**
	 * Bounds a document from outside its page: past `deadlineMs`, or when its renderer process
	 * crashes, every step `bound` waits on fails at once with {@link Stopped}, and the page is
	 * closed by the browser (a page busy in an endless script is closed just the same).
	 */
	private watch(page: Page, cdp: CDPSession, deadlineMs: number) {
		let stop!: (reason: Stopped) => void;
		const stopping = new Promise<never>((_, reject) => (stop = reject));
		stopping.catch(() => {}); // observed through `bound`
		const watch = {
			stopped: null as Stopped["reason"] | null,
			bound: <T>(step: Promise<T>): Promise<T> => Promise.race([step, stopping]),
			end: () => {
				clearTimeout(timer);
				page.off("error", crashed);
			},
		};
		const fire = (reason: Stopped["reason"]) => {
			if (watch.stopped) return;
			watch.stopped = reason;
			stop(new Stopped(reason));
			// Stop the running script first (answered even while it runs), then take the page away.
			void cdp.send("Runtime.terminateExecution").catch(() => {});
			void this.closePage(page);
		};
		const timer = setTimeout(() => fire("stopped"), deadlineMs);
		const crashed = () => fire("crashed");
		page.on("error", crashed); // puppeteer's "Page crashed!"
		return watch;
	}

	/** Closes a page through the browser: immediate even when the page's own thread never answers. */
	private async closePage(page: Page): Promise<void> {
		const targetId = (page.target() as unknown as { _targetId: string })._targetId;
		try {
			await (await this.guardedBrowserSession()).send("Target.closeTarget", { targetId });
		} catch {
			await page.close().catch(() => {}); // the browser is gone, or the page already is
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

	/** A page for a document of `limits.account`, at once if one is free and the account is under its share. */
	private acquireSlot(limits: DocumentLimits): Promise<void> {
		if (this.mayStart(limits)) {
			this.startDocument(limits.account);
			return Promise.resolve();
		}
		return new Promise<void>((start) => this.waiting.push({ limits, start }));
	}

	private mayStart({ account, slots }: DocumentLimits): boolean {
		return this.active < MAX_CONCURRENT_PAGES && (this.activeByAccount.get(account) ?? 0) < Math.max(1, slots);
	}

	private startDocument(account: string): void {
		this.active++;
		this.activeByAccount.set(account, (this.activeByAccount.get(account) ?? 0) + 1);
	}

	/** Frees a page, and hands it to the oldest waiting document whose account is under its share. */
	private releaseSlot(account: string): void {
		this.active--;
		const left = (this.activeByAccount.get(account) ?? 1) - 1;
		if (left > 0) this.activeByAccount.set(account, left);
		else this.activeByAccount.delete(account);
		const next = this.waiting.findIndex(({ limits }) => this.mayStart(limits));
		if (next === -1) return;
		const [{ limits, start }] = this.waiting.splice(next, 1) as [{ limits: DocumentLimits; start: () => void }];
		this.startDocument(limits.account);
		start();
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

function stoppedResult(reason: Stopped["reason"], deadlineMs: number): RenderResult {
	if (reason === "crashed") return { ok: false, reason, message: "The page crashed while rendering (a script may have used too much memory)" };
	return { ok: false, reason, message: `The document did not finish within its ${Math.round(deadlineMs / 1000)} s render limit, so it was stopped` };
}

function classify(error: unknown): RenderResult {
	if (error instanceof PageNotReadyError) return { ok: false, reason: error.reason, message: error.message };
	const message = error instanceof Error ? error.message : String(error);
	if (/page range/i.test(message)) return { ok: false, reason: "bad_page_range", message: "page_ranges selects pages the document does not have" };
	// Chromium's only answer when it can't print what the page asks for (a header that loads a stylesheet, a CSS page too large…).
	if (/printing failed/i.test(message)) return { ok: false, reason: "print_failed", message };
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
