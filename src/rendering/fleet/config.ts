import { isRegion, REGIONS, type Region } from "./regions";

/** How the renderer fleet may grow, from wrangler.toml's `FLEET_*` vars (docs/fleet.md#configuration). */
export interface FleetConfig {
	/**
	 * Which fleet: its registry object and its renderers' names are keyed by it. Production has one,
	 * `main`; a test can run a fleet of its own beside it.
	 */
	name: string;
	/** Regions that run renderers; a client of another region renders in the nearest of these. */
	regions: Region[];
	/** Renderers per enabled region that keep their browser even when idle (0: none, browsers start on demand). */
	minWarm: number;
	/** Renderers (browsers) a region may run at once. */
	maxPerRegion: number;
	/** Browser Rendering's concurrent browsers per Cloudflare account: the whole fleet stays under it. */
	browserLimit: number;
	/** Browser Rendering's new browsers per second per account: launches are paced to it. */
	launchesPerSecond: number;
	/** Documents one browser renders at once (its page slots). */
	pagesPerBrowser: number;
	/** A renderer lets its browser go after this long without a document (unless it is one of the warm minimum). */
	idleMs: number;
	/** How long a document waits for a page when the fleet is at its limits: then 503 `RENDERER_BUSY` (sync) or back to the queue (async). */
	busyWaitMs: { sync: number; async: number };
}

/** Documents one browser renders at once: measured on 2 cores, 4 pages give the best throughput (docs/performance.md). */
export const PAGES_PER_BROWSER = 4;

/**
 * Defaults for a small deployment, with Cloudflare's published Browser Rendering limits for
 * Workers Paid (developers.cloudflare.com/browser-run/limits: 120 concurrent browsers per
 * account, 1 new browser per second).
 */
export const DEFAULT_FLEET: FleetConfig = {
	name: "main",
	regions: [...REGIONS],
	minWarm: 0,
	maxPerRegion: 4,
	browserLimit: 120,
	launchesPerSecond: 1,
	pagesPerBrowser: PAGES_PER_BROWSER,
	idleMs: 300_000,
	busyWaitMs: { sync: 10_000, async: 30_000 },
};

/** The vars {@link fleetConfig} reads; each falls back to {@link DEFAULT_FLEET} when empty or invalid. */
export interface FleetVars {
	FLEET_NAME?: string;
	FLEET_REGIONS?: string;
	FLEET_MIN_WARM?: string;
	FLEET_MAX_PER_REGION?: string;
	FLEET_BROWSER_LIMIT?: string;
	FLEET_LAUNCHES_PER_SECOND?: string;
	FLEET_IDLE_SECONDS?: string;
	FLEET_BUSY_WAIT_SECONDS?: string;
}

const cache = new WeakMap<object, FleetConfig>();

export function fleetConfig(env: FleetVars): FleetConfig {
	const known = cache.get(env);
	if (known) return known;
	const regions = (env.FLEET_REGIONS ?? "").split(",").map((region) => region.trim()).filter(isRegion);
	const busyWait = number(env.FLEET_BUSY_WAIT_SECONDS, 0) * 1000;
	const config: FleetConfig = {
		...DEFAULT_FLEET,
		name: env.FLEET_NAME?.trim() || DEFAULT_FLEET.name,
		regions: regions.length > 0 ? [...new Set(regions)] : DEFAULT_FLEET.regions,
		minWarm: number(env.FLEET_MIN_WARM, DEFAULT_FLEET.minWarm, 0),
		maxPerRegion: number(env.FLEET_MAX_PER_REGION, DEFAULT_FLEET.maxPerRegion),
		browserLimit: number(env.FLEET_BROWSER_LIMIT, DEFAULT_FLEET.browserLimit),
		launchesPerSecond: number(env.FLEET_LAUNCHES_PER_SECOND, DEFAULT_FLEET.launchesPerSecond),
		idleMs: number(env.FLEET_IDLE_SECONDS, DEFAULT_FLEET.idleMs / 1000) * 1000,
		busyWaitMs: busyWait > 0 ? { sync: busyWait, async: Math.max(busyWait, DEFAULT_FLEET.busyWaitMs.async) } : DEFAULT_FLEET.busyWaitMs,
	};
	config.minWarm = Math.min(config.minWarm, config.maxPerRegion);
	cache.set(env, config);
	return config;
}

/** A positive number from a var (at least `min`), else the fallback. */
function number(value: string | undefined, fallback: number, min = Number.MIN_VALUE): number {
	const parsed = Number(value);
	return value !== undefined && value.trim() !== "" && Number.isFinite(parsed) && parsed >= min ? parsed : fallback;
}
