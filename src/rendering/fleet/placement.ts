import type { FleetConfig } from "./config";
import type { Region } from "./regions";
import type { Load } from "./slots";

/** What the fleet knows of one renderer that holds (or is getting) a browser. */
export interface RendererState extends Load {
	name: string;
	region: Region;
	/** When its browser came up; null while it launches. */
	browserUpSince: number | null;
	/** When the renderer last said how it is. */
	reportedAt: number;
}

/**
 * Where a document nobody known had room for goes: a renderer (maybe one just granted a browser),
 * or not yet: the fleet is at its limits (`full`: only a freed page helps), or the next launch is
 * due in `retryAfterMs` (the launch rate).
 */
export type PlaceAnswer = { renderer: string; launching: boolean } | { retryAfterMs: number; full: boolean };

export interface SavedPlacement {
	renderers: RendererState[];
	nextLaunchAt: number;
}

/** When there is no room and no launch is allowed, ask again after this long at most. */
const POLL_MS = 250;

/** Whether a renderer has a page free, or a place in its queue. */
const hasRoom = (state: Load) => state.active + state.queued < state.capacity;

/** A renderer's name: `weur-2`; in a fleet other than `main` (a test's), prefixed: `burst/weur-2`. */
export function rendererName(fleet: string, region: Region, index: number): string {
	return fleet === "main" ? `${region}-${index}` : `${fleet}/${region}-${index}`;
}

/** The region and index in a renderer's name. */
export function parseRendererName(name: string): { region: Region; index: number } {
	const match = /([a-z]+)-(\d+)$/.exec(name);
	return { region: (match?.[1] ?? "enam") as Region, index: Number(match?.[2] ?? 0) };
}

/**
 * The fleet's registry and its scaling decisions, without I/O: which renderers hold browsers,
 * where a document goes when the renderers a Worker knows are full, and when a new browser may
 * come up. It keeps the fleet under Browser Rendering's account limits: at most `browserLimit`
 * browsers at once, launches paced to `launchesPerSecond`, at most `maxPerRegion` per region.
 * The Fleet Durable Object holds one; the simulation drives another with its own clock.
 */
export class Placement {
	private readonly renderers = new Map<string, RendererState>();
	/** The earliest moment the next browser may launch. */
	private nextLaunchAt = 0;

	constructor(
		private config: FleetConfig,
		private readonly now: () => number,
	) {}

	/** What a Durable Object keeps across restarts, so the limits hold after one. */
	save(): SavedPlacement {
		return { renderers: [...this.renderers.values()], nextLaunchAt: this.nextLaunchAt };
	}

	load(saved: SavedPlacement): void {
		this.renderers.clear();
		for (const state of saved.renderers) this.renderers.set(state.name, state);
		this.nextLaunchAt = saved.nextLaunchAt;
	}

	/** The deployment's configuration may change between calls (a new version); the registry stays. */
	configure(config: FleetConfig): void {
		this.config = config;
	}

	/**
	 * A renderer of `region` for a document that the renderers in `exclude` had no room for: the
	 * least loaded other one with a free page, else a new one when the limits allow (its browser
	 * is counted from now), else when to ask again.
	 */
	place(region: Region, exclude: readonly string[]): PlaceAnswer {
		this.forgetStale();
		const inRegion = this.inRegion(region);
		const room = inRegion
			.filter((state) => !exclude.includes(state.name) && hasRoom(state))
			.sort((a, b) => a.active + a.queued - (b.active + b.queued))[0];
		if (room) return { renderer: room.name, launching: room.browserUpSince === null };
		if (this.atLimit(region)) return { retryAfterMs: POLL_MS, full: true };
		const wait = this.launchWait(region);
		if (wait > 0) return { retryAfterMs: wait, full: false };
		const name = this.freeName(region);
		this.launch(name, region);
		return { renderer: name, launching: true };
	}

	/**
	 * A renderer is about to bring up a browser (its first, or one replacing a browser that died):
	 * allowed when it already holds its place in the registry (granted by {@link place}), or when
	 * the limits allow a new one.
	 */
	acquireLaunch(name: string): { ok: true } | { retryAfterMs: number } {
		const known = this.renderers.get(name);
		if (known) {
			known.reportedAt = this.now();
			return { ok: true };
		}
		const { region } = parseRendererName(name);
		const wait = this.launchWait(region);
		if (wait > 0) return { retryAfterMs: wait };
		this.launch(name, region);
		return { ok: true };
	}

	/**
	 * A renderer says how it is (its browser came up, it turned full or free, its periodic ping).
	 * When every page of it is busy and every other browser of its region is full, the registry grants one more
	 * ahead of demand, if the limits allow it now, and returns its name for the caller to bring
	 * up: under growing load a browser's 1–3 s launch then overlaps the documents still finding
	 * pages, rather than starting once one of them has none (the launch rate is what binds).
	 */
	report(state: Omit<RendererState, "reportedAt">): string | null {
		this.renderers.set(state.name, { ...state, reportedAt: this.now() });
		// Every page busy (not a queue of one account's documents waiting for its share: those wait their turn).
		if (state.active < state.capacity || this.inRegion(state.region).some((other) => other.browserUpSince === null || hasRoom(other))) return null;
		if (this.launchWait(state.region) > 0) return null;
		const name = this.freeName(state.region);
		this.launch(name, state.region);
		return name;
	}

	/** A renderer let its browser go, or lost it. */
	down(name: string): void {
		this.renderers.delete(name);
	}

	/** The renderers each enabled region must keep warm and doesn't have yet. */
	toWarm(): string[] {
		const missing: string[] = [];
		for (const region of this.config.regions) {
			for (let index = 0; index < this.config.minWarm; index++) {
				const name = rendererName(this.config.name, region, index);
				if (!this.renderers.has(name)) missing.push(name);
			}
		}
		return missing;
	}

	snapshot(): RendererState[] {
		this.forgetStale();
		return [...this.renderers.values()].sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
	}

	private inRegion(region: Region): RendererState[] {
		return [...this.renderers.values()].filter((state) => state.region === region);
	}

	/** Whether the region or the account holds all the browsers it may. */
	private atLimit(region: Region): boolean {
		return this.inRegion(region).length >= this.config.maxPerRegion || this.renderers.size >= this.config.browserLimit;
	}

	/** 0 when a browser may launch in `region` now; else how long until it is worth asking again. */
	private launchWait(region: Region): number {
		if (this.atLimit(region)) return POLL_MS;
		return Math.max(0, Math.ceil(this.nextLaunchAt - this.now()));
	}

	private launch(name: string, region: Region): void {
		const now = this.now();
		this.nextLaunchAt = Math.max(now, this.nextLaunchAt) + 1000 / this.config.launchesPerSecond;
		this.renderers.set(name, { name, region, browserUpSince: null, active: 0, queued: 0, capacity: this.config.pagesPerBrowser, reportedAt: now });
	}

	/** The lowest index of the region no renderer holds. */
	private freeName(region: Region): string {
		for (let index = 0; ; index++) {
			const name = rendererName(this.config.name, region, index);
			if (!this.renderers.has(name)) return name;
		}
	}

	/**
	 * A renderer reports at least every minute while it has a browser; one silent for longer than
	 * the idle time plus two minutes lost its browser without saying so (its object was evicted).
	 */
	private forgetStale(): void {
		const before = this.now() - this.config.idleMs - 120_000;
		for (const [name, state] of this.renderers) if (state.reportedAt < before) this.renderers.delete(name);
	}
}
