import type { CDPEvents, CDPSession, Page } from "@cloudflare/puppeteer";
import { type OutboundPolicy, refuseResource } from "../outbound/public-url";

/** A resource the page asked for and did not get, and why: `HTTP 404`, `net::ERR_NAME_NOT_RESOLVED`, `timed out after 10000 ms`. */
export interface FailedResource {
	url: string;
	reason: string;
}

/** Failed resources reported per document (like blocked ones, up to 20). */
export const MAX_FAILED_REPORTED = 20;

/** The DevTools session puppeteer itself drives a page with (not in puppeteer's types). */
export function puppeteerSession(page: Page): CDPSession {
	return (page as unknown as { _client(): CDPSession })._client();
}

/**
 * What became of a page's requests, read from the Network events of puppeteer's own DevTools
 * session of the page: its Network domain is on already, so watching costs no command on the
 * document's path, and its events are ordered with the load (`loadContent`) that runs on it.
 * A failure is an HTTP error status, or a request that failed (DNS, refused connection, TLS:
 * Chromium's `net::ERR_…`); a request the page cancelled, or that a CSP stopped, is not.
 * A watch is made per document, and stopped when the document is done.
 */
export class ResourceWatch {
	/** Each request's URL (its latest redirect hop), by request id. */
	private readonly urls = new Map<string, string>();
	private readonly loadingNow = new Set<string>();
	private readonly failures = new Map<string, string>();

	private readonly session: CDPSession;

	constructor(page: Page) {
		this.session = puppeteerSession(page);
		this.session.on("Network.requestWillBeSent", this.sent);
		this.session.on("Network.responseReceived", this.answered);
		this.session.on("Network.loadingFinished", this.finished);
		this.session.on("Network.loadingFailed", this.failed);
	}

	/** Stops watching: the page may go on to its account's next document, which has a watch of its own. */
	stop(): void {
		this.session.off("Network.requestWillBeSent", this.sent);
		this.session.off("Network.responseReceived", this.answered);
		this.session.off("Network.loadingFinished", this.finished);
		this.session.off("Network.loadingFailed", this.failed);
	}

	private readonly sent = ({ requestId, request }: CDPEvents["Network.requestWillBeSent"]) => {
		this.urls.set(requestId, request.url);
		this.loadingNow.add(requestId);
	};

	private readonly answered = ({ requestId, response }: CDPEvents["Network.responseReceived"]) => {
		if (response.status >= 400) this.failures.set(requestId, `HTTP ${response.status}`);
	};

	private readonly finished = ({ requestId }: CDPEvents["Network.loadingFinished"]) => {
		this.loadingNow.delete(requestId);
	};

	private readonly failed = ({ requestId, errorText, canceled, blockedReason }: CDPEvents["Network.loadingFailed"]) => {
		this.loadingNow.delete(requestId);
		// A CSP (the page's, or Quire's with `javascript: false`) stops what the document chose not to load.
		if (canceled || blockedReason === "csp" || this.failures.has(requestId)) return;
		this.failures.set(requestId, errorText || `blocked: ${blockedReason ?? "unknown"}`);
	};

	/** The requests still loading: taken when the page stops waiting, just before it is printed. */
	loading(): Set<string> {
		return new Set(this.loadingNow);
	}

	/**
	 * Every request that failed, and each of `stalled` still loading now (given `stalledReason`),
	 * one per URL, up to {@link MAX_FAILED_REPORTED}. Requests `policy` refuses are left out: the
	 * outbound guard stopped them, and they are reported as blocked.
	 */
	report(policy: OutboundPolicy, stalled: Set<string>, stalledReason: string): FailedResource[] {
		const reasons = new Map(this.failures);
		for (const id of stalled) if (this.loadingNow.has(id) && !reasons.has(id)) reasons.set(id, stalledReason);
		const failed = new Map<string, string>();
		for (const [id, reason] of reasons) {
			const url = this.urls.get(id);
			if (url === undefined || failed.has(url) || refuseResource(url, policy)) continue;
			failed.set(url, reason);
			if (failed.size === MAX_FAILED_REPORTED) break;
		}
		return [...failed].map(([url, reason]) => ({ url, reason }));
	}
}
