// Today's design, for comparison: one Renderer object for the whole world, living in `enam`, with
// one browser of four pages. Every document crosses from its client's region to enam and back, and
// waits its turn in one queue when the four pages are busy (src/rendering/renderer.ts at main:
// MAX_CONCURRENT_PAGES = 4, an unbounded queue where a waiting document goes before later ones
// whose account is not at its share).
import { ACCOUNT_SLOTS, CLIENT_TIMEOUT_MS, launchTime, renderTime } from "./inputs.mjs";
import { rtt } from "./latency.mjs";

const HOME = "enam";
const PAGES = 4;

/**
 * @param {{ clock: import("./clock.mjs").VirtualClock, rand: () => number }} world
 * @returns {{ submit: (doc: { region: string, account: string }) => Promise<{ ok: boolean, error?: string, renderer?: string }>, browsers: () => number }}
 */
export function singleDesign({ clock, rand }) {
	let browser = null; // a promise of the browser once its launch starts
	let active = 0;
	const activeByAccount = new Map();
	/**
	 * Documents waiting for a page, oldest first, from `head` on. One whose client gave up is only
	 * marked (`gone`) and skipped later: at 1,000 documents a second tens of thousands wait at once.
	 */
	let waiting = [];
	let head = 0;

	const launch = () => (browser ??= clock.sleep(launchTime(rand)));

	/** The oldest waiting document whose account is under its share, as the Renderer picks it. */
	function next() {
		while (head < waiting.length && waiting[head].gone) head++;
		if (head > 4096 && head * 2 > waiting.length) [waiting, head] = [waiting.slice(head), 0];
		for (let i = head; i < waiting.length; i++) {
			const entry = waiting[i];
			if (entry.gone || (activeByAccount.get(entry.account) ?? 0) >= ACCOUNT_SLOTS) continue;
			entry.gone = true;
			return entry;
		}
		return undefined;
	}

	function start(entry) {
		active++;
		activeByAccount.set(entry.account, (activeByAccount.get(entry.account) ?? 0) + 1);
		clock.clearTimeout(entry.timeout);
		entry.start();
	}

	/** Starts waiting documents, oldest first, while pages are free. */
	function pump() {
		while (active < PAGES) {
			const entry = next();
			if (!entry) return;
			start(entry);
		}
	}

	function release(account) {
		active--;
		activeByAccount.set(account, activeByAccount.get(account) - 1);
		pump();
	}

	/** Waits for a page like Renderer.acquireSlot; false when the client gave up first. */
	function acquire(account, deadline) {
		return new Promise((resolve) => {
			const entry = { account, start: () => resolve(true) };
			entry.timeout = clock.setTimeout(() => {
				entry.gone = true;
				resolve(false);
			}, Math.max(0, deadline - clock.now()));
			waiting.push(entry);
			pump();
		});
	}

	async function submit({ region, account }) {
		const deadline = clock.now() + CLIENT_TIMEOUT_MS;
		const oneWay = rtt(region, HOME) / 2;
		await clock.sleep(oneWay);
		await launch();
		if (!(await acquire(account, deadline))) return { ok: false, error: "CLIENT_TIMEOUT" };
		try {
			await clock.sleep(renderTime(rand));
		} finally {
			release(account);
		}
		await clock.sleep(oneWay);
		return { ok: true, renderer: HOME };
	}

	return { submit, browsers: () => (browser ? 1 : 0) };
}
