// What the simulation assumes about the world, each figure with where it comes from.

/**
 * Time to render one document on a warm page, in ms: a log-normal fitted to `npm run bench`'s
 * sequential figures through the API (docs/performance.md, 2026-12-01: p50 132 ms, p95 176 ms).
 * Those include Quire's own overhead of about 13 ms, which counts here as part of the render.
 * Fit: median = e^µ = 132, p95 = e^(µ + 1.645σ) = 176, so σ = ln(176/132) / 1.645 ≈ 0.175.
 */
export const RENDER_MS = { p50: 132, p95: 176 };
const Z95 = 1.6448536269514722;
const MU = Math.log(RENDER_MS.p50);
const SIGMA = Math.log(RENDER_MS.p95 / RENDER_MS.p50) / Z95;

/** Time from asking Browser Rendering for a browser to its first page being ready: 1 to 3 s, uniform (the figure). */
export const LAUNCH_MS = { min: 1_000, max: 3_000 };

/**
 * Where the documents come from: shares of the total rate per region. An assumption, not a
 * measurement (Quire has no production traffic yet): a business API's customers, weighted toward
 * North America and Europe, with every region sending some.
 */
export const REGION_WEIGHTS = { wnam: 0.15, enam: 0.2, sam: 0.07, weur: 0.2, eeur: 0.06, apac: 0.18, oc: 0.05, afr: 0.04, me: 0.05 };

/**
 * How many accounts send the documents, each document from one at random: many small customers,
 * so that per-account shares of a renderer rarely bind and the figures measure the fleet itself.
 */
export const ACCOUNTS = 200;
/** Pages one account's documents may hold at once on one renderer (the business plan's share today: 3 of 4). */
export const ACCOUNT_SLOTS = 3;

/**
 * How long a client waits for its PDF before it gives up, counted as an error. Only the single
 * renderer reaches it: its queue has no bound. (The fleet's own bound, `busyWaitMs`, is shorter.)
 */
export const CLIENT_TIMEOUT_MS = 30_000;

/** A seeded pseudo-random generator (mulberry32): the same seed gives the same run. */
export function random(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Draws from the fitted render-time distribution (Box–Muller for the normal). */
export function renderTime(rand) {
	const u = 1 - rand();
	const v = rand();
	const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
	return Math.exp(MU + SIGMA * z);
}

/** Draws a browser launch time. */
export function launchTime(rand) {
	return LAUNCH_MS.min + (LAUNCH_MS.max - LAUNCH_MS.min) * rand();
}

/** The p95 of the render time itself, the yardstick of the fleet's target (p95 within 60 ms of it). */
export const RENDER_P95_MS = RENDER_MS.p95;
