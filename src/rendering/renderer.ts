import { DurableObject } from "cloudflare:workers";
import puppeteer, { type Browser, type BrowserContext, type CDPSession, type Page, type Target } from "@cloudflare/puppeteer";
import { Buffer } from "node:buffer";
import { loadContent, PageNotReadyError } from "./load-content";
import { loadOptions, toPdfOptions, type PageOptions } from "./page-options";
import { printParams } from "./print";
import { type FailedResource, puppeteerSession, ResourceWatch } from "./resources";
import { guardedHtml, type OutboundPolicy, refuseResource } from "../outbound/public-url";
import { type FleetConfig, PAGES_PER_BROWSER } from "./fleet/config";
import type { Attempt } from "./fleet/dispatch";
import { parseRendererName } from "./fleet/placement";
import { Slots } from "./fleet/slots";
import { fleetStub } from "./fleet/stubs";
import { readAsset } from "../assets/store";
import { type AssetRef, parseAssetUrl } from "../assets/url";
import { createDb } from "../db";

/** How long after a document its page is cleaned (or closed) and its lane's next page opened (see `tidyAfter`). */
const TIDY_DELAY_MS = 50;
/** How long cleaning a page for its account's next document may take; a page that takes longer is closed. */
const CLEAN_TIMEOUT_MS = 1_000;
/** How many documents one page renders before it is closed and replaced (see `keep`). */
const DOCUMENTS_PER_PAGE = 100;
/** Browser Rendering closes a session after this long without a command (its maximum is 10 minutes). */
const KEEP_ALIVE_MS = 600_000;
/** While documents keep coming, the alarm pings the browser this often so the session stays warm. */
const PING_INTERVAL_MS = 60_000;
/** How long a document may wait for a browser when Browser Rendering's launch limits are reached. */
const LAUNCH_WAIT_MS = 60_000;
/** A pooled page, opened ahead of demand. DevTools calls go through puppeteer's own session of it (`puppeteerSession`). */
interface ReadyPage {
	page: Page;
	/** Documents it has rendered. */
	documents: number;
	/** Whether a document set its media type to `screen` (cleaning sets it back). */
	screen: boolean;
	/** Its one history entry (see `clean`). */
	entryId: number;
}

/**
 * The page of a lane's last document, kept for the same account's next one (see `keep`): it is
 * cleaned first (`clean`, started after the document or by that next one, whichever comes first).
 */
interface KeptPage {
	/** null: the page is being closed, for nobody (its document failed or was stopped, or it is worn). */
	account: string | null;
	ready: ReadyPage;
	clean: () => Promise<boolean>;
	/** Cleaned already: a document can start in it at once. */
	cleaned: boolean;
}

/**
 * One of a browser's page slots: a browser context of its own (its window, cookie jar and HTTP
 * cache), where one document renders at a time while the next one's page waits, opened ahead in
 * the background. A window shows only its front tab, and in each lane's window that is the
 * document's page: so every document is visible (`requestAnimationFrame` runs, as animated
 * charts need), whatever the other lanes do.
 */
interface Lane {
	/** Made when the lane is first used (see `contextOf`). */
	context: Promise<BrowserContext> | null;
	spare: Promise<ReadyPage> | null;
	busy: boolean;
	/** The page of the lane's last document, kept for its account (or being closed, see `tidyAfter`). */
	kept: KeptPage | null;
}

/** A document being rendered: whose it is (its assets are the only ones it reaches), what it may load, and what it was refused (reported, up to 20). */
interface Guard {
	account: string;
	policy: OutboundPolicy;
	blocked: Set<string>;
}

/**
 * The headers an asset is served with. Fonts are fetched with CORS (the page's origin is not the
 * asset's). An SVG may hold scripts and external references: shown as an `<img>` or CSS image,
 * Chromium runs and loads none of them; opened as a document (`<iframe>`, `<object>`) this
 * policy does the same, so an asset never runs code, whatever the document's `javascript`.
 */
function assetHeaders(type: string): Array<{ name: string; value: string }> {
	return [
		{ name: "Content-Type", value: type },
		{ name: "Access-Control-Allow-Origin", value: "*" },
		{ name: "X-Content-Type-Options", value: "nosniff" },
		{ name: "Content-Security-Policy", value: "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; sandbox" },
	];
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

/**
 * Who this renderer is in the fleet, and how long a document may wait for one of its pages:
 * `waitMs` when every page is taken (0: not at all), `queueMs` while the renderer has room (see
 * {@link Slots.admit}).
 */
export interface Seat {
	name: string;
	config: FleetConfig;
	waitMs: number;
	queueMs: number;
}

/** A renderer as `GET /admin/fleet` shows it. */
export interface RendererStats {
	name: string;
	region: string;
	browser_up_since: string;
	active: number;
	spare: number;
	queued: number;
	documents: number;
	last_used_at: string | null;
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
 * holds one warm browser, whose pages are lanes (see {@link Lane}): a browser context each, with a
 * fresh page opened ahead of demand. A document takes a free lane's ready page, and the lane's
 * cookie jar is emptied just before it renders. Once its PDF is on its way, the page is cleaned
 * for its account's next document (a reload of its blank first document: see `keep`), or closed
 * when another account's document needs the lane. So nothing one document leaves behind reaches
 * the next, accounts never share a page, and documents rendering at once share no cookie jar or
 * HTTP cache. (A browser context per document would also isolate the HTTP cache from the lane's
 * earlier documents, but measured here it costs a third of the throughput.)
 *
 * Every document is hostile until printed. Each page runs in a renderer process of its own, so a
 * page whose scripts never yield holds up only itself; its deadline is enforced from outside the
 * page: the browser closes the page's target (which ends its process, busy or not) and the page
 * is never used again. Up to {@link PAGES_PER_BROWSER} documents render at once, and one
 * account's documents hold at most their plan's share of them ({@link Slots}).
 *
 * Each object is one member of the renderer fleet (docs/fleet.md), named after its region
 * (`weur-2`) and created there. It answers at once when it has no page for a document, so the
 * Worker can go elsewhere; it asks the fleet's registry before bringing a browser up, tells it
 * when it turns full or free, and lets its browser go after the fleet's idle time. A browser that
 * dies is replaced on the next document.
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
	/** The browser's lanes, one per page it renders at once ({@link PAGES_PER_BROWSER}). */
	private lanes: Lane[] = [];
	private readonly slots = new Slots(PAGES_PER_BROWSER);
	/** Who this object is in the fleet: set by the first call (an object can't read its own name). */
	private seat: { name: string; config: FleetConfig } | null = null;
	private browserUpSince: number | null = null;
	private documentsRendered = 0;
	private lastUsed = 0;
	private alarmSet = false;
	/** Whether the fleet's registry was last told that this renderer is full. */
	private reportedFull = false;

	/**
	 * Renders one document, or answers at once that it can't: no page is free for it (every page
	 * is busy, or its account holds its share of them) and `seat.waitMs` is 0, or it waited that
	 * long in vain, or this renderer has no browser and the fleet allows none now. Then the Worker
	 * tries elsewhere, rather than queueing here blindly.
	 */
	async render(html: string, options: PageOptions, policy: OutboundPolicy, limits: DocumentLimits, seat: Seat): Promise<Attempt<RenderResult>> {
		this.seat = { name: seat.name, config: seat.config };
		if (!(await this.hasBrowser())) return { ok: false, load: { ...this.slots.load(), capacity: 0 } };
		if (!(await this.slots.admit(limits.account, limits.slots, seat.waitMs, seat.queueMs))) {
			this.reportLoad();
			return { ok: false, load: this.slots.load() };
		}
		this.reportLoad();
		try {
			const value = await this.renderOnPage(html, options, policy, limits);
			this.documentsRendered++;
			return { ok: true, value, load: this.slots.load() };
		} finally {
			this.slots.release(limits.account);
			this.reportLoad();
			this.keepWarm();
		}
	}

	/**
	 * Brings the browser up ahead of demand: one of its region's warm minimum (`FLEET_MIN_WARM`),
	 * or a browser the registry granted because every other of the region is full. Counts as a
	 * use, so it is kept for the idle time.
	 */
	async warm(name: string, config: FleetConfig): Promise<void> {
		this.seat = { name, config };
		this.lastUsed = Date.now();
		if (!(await this.hasBrowser())) return;
		await this.warmBrowser();
		this.refill();
		this.keepWarm();
	}

	/** This renderer for `GET /admin/fleet`; null when it holds no browser. */
	stats(): RendererStats | null {
		if (!this.seat || this.browserUpSince === null) return null;
		const { active, queued } = this.slots.load();
		return {
			name: this.seat.name,
			region: parseRendererName(this.seat.name).region,
			browser_up_since: new Date(this.browserUpSince).toISOString(),
			active,
			spare: this.lanes.filter((lane) => lane.spare).length,
			queued,
			documents: this.documentsRendered,
			last_used_at: this.lastUsed ? new Date(this.lastUsed).toISOString() : null,
		};
	}

	private async renderOnPage(html: string, options: PageOptions, policy: OutboundPolicy, limits: DocumentLimits): Promise<RenderResult> {
		this.lastUsed = Date.now();
		try {
			const lane = this.takeLane(limits.account);
			const ready = await this.takePage(lane, limits.account).catch((error: unknown) => {
				lane.busy = false;
				throw error;
			});
			const { page } = ready;
			const guard: Guard = { account: limits.account, policy, blocked: new Set() };
			this.documents.set(page, guard);
			const resources = new ResourceWatch(page);
			const watch = this.watch(page, limits.deadlineMs);
			const { media, waitTimeoutMs } = loadOptions(options);
			let rendered = false;
			try {
				await watch.bound(this.clearCookies(lane));
				ready.screen ||= media === "screen";
				const complete = await watch.bound(loadContent(page, guardedHtml(html, { javascript: limits.javascript }), options));
				const stalled = resources.loading();
				const print = puppeteerSession(page).send("Page.printToPDF", { ...printParams(toPdfOptions(options)), transferMode: "ReturnAsBase64" });
				const { data } = await watch.bound(print);
				const stalledReason = complete ? "still loading when the page was printed" : `timed out after ${waitTimeoutMs} ms`;
				const failed = resources.report(policy, stalled, stalledReason);
				rendered = true;
				return { ok: true, pdf: new Uint8Array(Buffer.from(data, "base64")), blocked: [...guard.blocked], failed };
			} catch (error) {
				if (watch.stopped) return stoppedResult(watch.stopped, limits.deadlineMs);
				throw error;
			} finally {
				watch.end();
				resources.stop();
				this.documents.delete(page);
				lane.busy = false;
				ready.documents++;
				this.tidyAfter(lane, watch.stopped ? null : ready, rendered ? limits.account : null);
			}
		} catch (error) {
			return classify(error);
		}
	}

	/**
	 * Whether this renderer has (or is bringing up) a browser. A renderer without one asks the
	 * fleet's registry first: it alone keeps the fleet under the account's browser limits.
	 */
	private async hasBrowser(): Promise<boolean> {
		if (this.browser) return true;
		const seat = this.seat!;
		const answer = await fleetStub(this.env, seat.config)
			.acquireLaunch(seat.config, seat.name)
			.catch(() => ({ ok: true as const })); // the registry unreachable must not stop rendering
		if (!("ok" in answer)) return false;
		void this.warmBrowser().catch(() => {}); // the document waits for it in takePage
		return true;
	}

	/** Tells the fleet's registry how this renderer is: when its browser is up, and whenever it turns full or free. */
	private reportLoad(force = false): void {
		if (!this.seat || this.browserUpSince === null) return;
		const load = this.slots.load();
		const full = load.active + load.queued >= load.capacity;
		if (!force && full === this.reportedFull) return;
		this.reportedFull = full;
		const { name, config } = this.seat;
		const state = { name, region: parseRendererName(name).region, browserUpSince: this.browserUpSince, ...load };
		void fleetStub(this.env, config).report(config, state).catch(() => {});
	}

	private reportDown(): void {
		if (!this.seat) return;
		const { name, config } = this.seat;
		void fleetStub(this.env, config).down(config, name).catch(() => {});
	}

	/**
	 * Bounds a document from outside its page: past `deadlineMs`, or when its renderer process
	 * crashes, every step `bound` waits on fails at once with {@link Stopped}, and the page is
	 * closed by the browser (a page busy in an endless script is closed just the same).
	 */
	private watch(page: Page, deadlineMs: number) {
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
			void puppeteerSession(page).send("Runtime.terminateExecution").catch(() => {});
			void this.closePage(page);
		};
		const timer = setTimeout(() => fire("stopped"), deadlineMs);
		const crashed = () => fire("crashed");
		page.on("error", crashed); // puppeteer's "Page crashed!"
		return watch;
	}

	/** Closes a page through the browser: immediate even when the page's own thread never answers. */
	private async closePage(page: Page): Promise<void> {
		const targetId = targetIdOf(page.target());
		try {
			await (await this.guardedBrowserSession()).send("Target.closeTarget", { targetId });
		} catch {
			await page.close().catch(() => {}); // the browser is gone, or the page already is
		}
	}

	/**
	 * Keeps the session alive between documents and tells the registry how this renderer is; lets
	 * the browser go once documents stop coming for the fleet's idle time (unless this renderer is
	 * one of its region's warm minimum).
	 */
	override async alarm(): Promise<void> {
		this.alarmSet = false;
		if (!this.browser || !this.seat) return;
		const { config, name } = this.seat;
		const warmMinimum = parseRendererName(name).index < config.minWarm;
		if (!warmMinimum && this.slots.load().active === 0 && Date.now() - this.lastUsed > config.idleMs) {
			const browser = this.browser;
			this.forgetBrowser();
			this.reportDown();
			await browser.then((b) => b.close()).catch(() => {});
			return;
		}
		await this.browser.then((b) => b.version()).catch(() => {});
		this.reportLoad(true);
		this.keepWarm();
	}

	/**
	 * A free lane for an account's document: one keeping a page of that account (cleaned already
	 * first), else one whose next page is open (one keeping no other account's page first), else
	 * any. There always is a free lane: a renderer starts no more documents than it has pages
	 * ({@link Slots}).
	 */
	private takeLane(account: string): Lane {
		const free = this.browserLanes().filter((lane) => !lane.busy);
		const lane =
			free.find((candidate) => candidate.kept?.account === account && candidate.kept.cleaned) ??
			free.find((candidate) => candidate.kept?.account === account) ??
			free.find((candidate) => candidate.spare && !candidate.kept) ??
			free.find((candidate) => candidate.spare) ??
			free[0];
		if (!lane) throw new Error("every lane is busy");
		lane.busy = true;
		return lane;
	}

	/**
	 * The page for an account's document: the lane's kept page when it is that account's and
	 * cleaned, else the lane's page opened ahead, else a new one (the first document, or a burst).
	 * Another account's kept page goes first: this page comes to its window's front, and nothing of
	 * the last document is left to fill the cookie jar this one starts with.
	 */
	private async takePage(lane: Lane, account: string): Promise<ReadyPage> {
		const kept = lane.kept;
		lane.kept = null;
		if (kept?.account === account) {
			if (await kept.clean()) return kept.ready; // else `clean` closed it
		} else if (kept) void this.closePage(kept.ready.page);
		const ready = await lane.spare?.catch(() => null);
		lane.spare = null;
		if (ready && !ready.page.isClosed()) return ready;
		return this.openPage(lane);
	}

	/** Cookies live in the lane's browser context, not the page: whatever an earlier document's resources set goes. */
	private async clearCookies(lane: Lane): Promise<void> {
		const browserContextId = (await this.contextOf(lane)).id;
		await (await this.guardedBrowserSession()).send("Storage.clearCookies", { browserContextId });
	}

	private guardedBrowserSession(): Promise<CDPSession> {
		this.browserSession ??= this.warmBrowser().then(async (browser) => {
			const session = await browser.target().createCDPSession();
			session.on("Fetch.requestPaused", (event) => {
				const guard = this.documentOf(event.frameId);
				const asset = parseAssetUrl(event.request.url);
				if (asset) return void this.serveAsset(session, event.requestId, guard?.account ?? null, asset);
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

	/**
	 * Answers a page's request for an asset from R2, without any network: the asset of the
	 * document's account, else 404 (another account's asset, a deleted one, or a request no
	 * document owns). The page then sees an ordinary response, reported like any other failure.
	 */
	private async serveAsset(session: CDPSession, requestId: string, account: string | null, ref: AssetRef): Promise<void> {
		const found = account ? await readAsset(this.env, createDb(this.env.DB), account, ref).catch(() => null) : null;
		const answer = found
			? { responseCode: 200, responseHeaders: assetHeaders(found.type), body: Buffer.from(found.bytes).toString("base64") }
			: { responseCode: 404, responseHeaders: [{ name: "Content-Type", value: "text/plain" }, { name: "Access-Control-Allow-Origin", value: "*" }], body: "" };
		await session.send("Fetch.fulfillRequest", { requestId, ...answer }).catch(() => {}); // the page may be closing
	}

	/** The document whose page holds this frame (its own, or one of its iframes). */
	private documentOf(frameId: string | undefined): Guard | undefined {
		for (const [page, guard] of this.documents) {
			if (page.frames().some((frame) => (frame as unknown as { _id: string })._id === frameId)) return guard;
		}
		return undefined;
	}

	/**
	 * After a document, once its PDF is on its way back: keeps its page for the account's next
	 * document (see `keep`), or closes it (a document that failed or was stopped, or a page worn by
	 * {@link DOCUMENTS_PER_PAGE} documents), and opens the lanes' next pages. Opening a tab and
	 * closing one cost Chromium and puppeteer tens of milliseconds of CPU, which would otherwise
	 * delay that answer (measured locally: 30 ms of a 130 ms document). A page being closed is cut
	 * off already: the outbound guard no longer knows it, so whatever its scripts still ask for is
	 * refused; the lane's next document closes it at once if it comes sooner.
	 */
	private tidyAfter(lane: Lane, ready: ReadyPage | null, account: string | null): void {
		if (ready && account && ready.documents < DOCUMENTS_PER_PAGE) return this.keep(lane, ready, account);
		if (ready) lane.kept = { account: null, ready, clean: async () => false, cleaned: false };
		const browser = this.browser;
		setTimeout(() => {
			if (this.browser !== browser) return; // it died or was let go meanwhile, with its pages
			this.refill();
			void lane.spare?.catch(() => null).then(() => {
				if (!ready || lane.kept?.ready !== ready) return;
				lane.kept = null;
				void this.closePage(ready.page);
			});
		}, TIDY_DELAY_MS);
	}

	/**
	 * Keeps a document's page for its account's next document, so that one skips opening a tab
	 * (measured locally: a third to a half of Chromium's CPU per document). Accounts never share a
	 * page: another account's document closes it (`takePage`) and takes a new one. Between an
	 * account's own documents, cleaning leaves nothing behind: the page reloads its blank first
	 * document (a new window object: the last document's globals, timers and workers end, and so
	 * do the policies it set) and media emulation is reset; `window.name`, which survives a
	 * reload, is emptied as the next document is written (`loadContent`), and the cookie jar
	 * before each document. A document that navigated or changed the page's history is not
	 * cleaned but closed, and so is one whose scripts hold the page longer than
	 * {@link CLEAN_TIMEOUT_MS}.
	 */
	private keep(lane: Lane, ready: ReadyPage, account: string): void {
		let cleaning: Promise<boolean> | null = null;
		const kept: KeptPage = { account, ready, clean: () => (cleaning ??= this.clean(ready).then((clean) => (kept.cleaned = clean))), cleaned: false };
		lane.kept = kept;
		const browser = this.browser;
		setTimeout(() => {
			if (this.browser !== browser) return;
			if (lane.kept === kept) void kept.clean();
			this.refill();
		}, TIDY_DELAY_MS);
	}

	private async clean(ready: ReadyPage): Promise<boolean> {
		const { page } = ready;
		const steps = (async () => {
			// A document that navigated away is not reloaded: that would fetch its page again.
			if (page.url() !== "about:blank") return false;
			// Reloading the page's first entry brings its first policies back (none of the document's), and
			// its address space, so loopback stays reachable where the deployment allows it (a blank page
			// the browser navigates to would be public: Private Network Access blocks it from loopback).
			await page.reload({ waitUntil: "load", timeout: 0 });
			// Checked once reloaded, when no script of the document is left to move it: still the page's one
			// history entry, the one it opened with. A document that navigated (a blank page it navigated to
			// would keep its Content-Security-Policy, report-uri included) or pushed state fails this.
			const { entries } = await puppeteerSession(page).send("Page.getNavigationHistory");
			if (entries.length !== 1 || entries[0]!.id !== ready.entryId || entries[0]!.url !== "about:blank") return false;
			if (ready.screen) await page.emulateMediaType();
			ready.screen = false;
			return true;
		})();
		let timer: ReturnType<typeof setTimeout> | undefined;
		const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), CLEAN_TIMEOUT_MS)));
		const clean = await Promise.race([steps.catch(() => false), late]);
		clearTimeout(timer);
		if (!clean) void this.closePage(page);
		return clean;
	}

	/** The browser's lanes, made the first time they are needed. */
	private browserLanes(): Lane[] {
		if (this.lanes.length > 0) return this.lanes;
		this.lanes = Array.from({ length: PAGES_PER_BROWSER }, () => ({ context: null, spare: null, busy: false, kept: null }));
		return this.lanes;
	}

	/** The lane's browser context, made on first use. */
	private contextOf(lane: Lane): Promise<BrowserContext> {
		return (lane.context ??= this.warmBrowser().then((browser) => browser.createBrowserContext()));
	}

	/** Opens, in the background, the next page of every lane that has none. */
	private refill(): void {
		for (const lane of this.browserLanes()) {
			if (lane.spare) continue;
			lane.spare = this.openPage(lane);
			lane.spare.catch(() => {}); // a failed one is replaced by takePage
		}
	}

	/**
	 * A new page in the lane's window, in the background: the lane's document keeps the front, and
	 * this page comes to the front when that document's page closes.
	 * (A page of `browser.newPage()` is a tab of one shared window, where only the newest tab is
	 * visible: a document in an older one would see `document.visibilityState` "hidden" and never
	 * get a `requestAnimationFrame`.)
	 */
	private async openPage(lane: Lane): Promise<ReadyPage> {
		const session = await this.guardedBrowserSession(); // no page exists before the guard does
		const browser = await this.warmBrowser();
		const browserContextId = (await this.contextOf(lane)).id;
		const { targetId } = await session.send("Target.createTarget", { url: "about:blank", browserContextId, background: true });
		const page = await (await browser.waitForTarget((target) => targetIdOf(target) === targetId)).page();
		if (!page) throw new Error(`no page for the new target ${targetId}`);
		const { entries } = await puppeteerSession(page).send("Page.getNavigationHistory");
		return { page, documents: 0, screen: false, entryId: entries[0]!.id };
	}

	private keepWarm(): void {
		if (this.alarmSet) return;
		this.alarmSet = true;
		const idleMs = this.seat?.config.idleMs ?? PING_INTERVAL_MS;
		void this.ctx.storage.setAlarm(Date.now() + Math.min(PING_INTERVAL_MS, idleMs + 500));
	}

	/** The browser is gone (let go, or it died): its pages and sessions went with it. */
	private forgetBrowser(): void {
		this.browser = null;
		this.browserSession = null;
		this.browserUpSince = null;
		this.reportedFull = false;
		this.lanes = [];
	}

	private warmBrowser(): Promise<Browser> {
		if (!this.browser) {
			const launching = this.connectOrLaunch();
			this.browser = launching;
			const forget = () => {
				if (this.browser !== launching) return;
				this.forgetBrowser();
				this.reportDown();
			};
			launching.then((browser) => {
				this.browserUpSince = Date.now();
				this.reportLoad(true);
				browser.on("disconnected", forget);
			}, forget);
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

/** A target's DevTools id (not in puppeteer's types). */
function targetIdOf(target: Target): string {
	return (target as unknown as { _targetId: string })._targetId;
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
