import type { PlaceAnswer } from "./placement";
import { parseRendererName } from "./placement";
import type { Region } from "./regions";
import type { Load } from "./slots";

/** A renderer's answer to one document: rendered (whatever the outcome), or full for it, at once. */
export type Attempt<T> = { ok: true; value: T; load: Load } | { ok: false; load: Load };

/** How {@link dispatch} reaches renderers and the fleet: Durable Object calls in the Worker, simulated ones in `npm run simulate`. */
export interface FleetPorts<T> {
	/** Renders on `name`; `waitMs` 0: answer full at once if no page is free for this document. */
	render(name: string, waitMs: number): Promise<Attempt<T>>;
	/** Asks the fleet's registry for a renderer of the region other than `exclude` (one hop, off the hot path). */
	place(region: Region, exclude: string[]): Promise<PlaceAnswer>;
	sleep(ms: number): Promise<void>;
	now(): number;
}

export type Dispatched<T> = { ok: true; renderer: string; value: T } | { ok: false; retryAfterMs: number };

/**
 * What one Worker isolate knows of the renderers: each one's load when it last answered. It is what
 * lets a document go straight to a warm renderer with a free page, with no hop to the registry.
 * An entry is trusted for `knownForMs`: the fleet's idle time, since a renderer keeps its browser
 * that long after its last document (a stale load costs one in-region hop: a full renderer says so).
 */
export class Directory {
	private readonly known = new Map<string, { region: Region; load: Load; at: number }>();

	constructor(private readonly knownForMs = 300_000) {}

	note(name: string, load: Load, at: number): void {
		this.known.set(name, { region: parseRendererName(name).region, load, at });
	}

	/** Renderers of the region last seen with a free page, least loaded first. */
	withRoom(region: Region, exclude: readonly string[], now: number): string[] {
		return this.fresh(region, now)
			.filter(([name, { load }]) => !exclude.includes(name) && load.active + load.queued < load.capacity)
			.sort(([, a], [, b]) => a.load.active + a.load.queued - (b.load.active + b.load.queued))
			.map(([name]) => name);
	}

	/** Whether this isolate knows any renderer of the region. */
	knows(region: Region, now: number): boolean {
		return this.fresh(region, now).length > 0;
	}

	/** The region's renderer with the shortest queue, to wait at when the fleet can't grow. */
	leastLoaded(region: Region, now: number): string | undefined {
		return this.fresh(region, now)
			.filter(([, { load }]) => load.capacity > 0)
			.sort(([, a], [, b]) => a.load.active + a.load.queued - (b.load.active + b.load.queued))[0]?.[0];
	}

	private fresh(region: Region, now: number) {
		return [...this.known].filter(([, entry]) => entry.region === region && now - entry.at < this.knownForMs);
	}
}

/**
 * Where one document renders, within its region. In order:
 * 1. a renderer this isolate saw with a free page, called directly (the hot path: one hop); an
 *    isolate that knows none tries the region's first renderer (`firstRenderer`) directly, which
 *    is warm whenever the region has traffic;
 * 2. a full renderer answers at once, so the next one is tried; when none is known with room, the
 *    fleet's registry names one, or brings a new browser up within the account's limits;
 * 3. when the next browser may launch only later (the launch rate), it asks again then; when the
 *    fleet is at its limits, the document waits at the least loaded renderer, in its fair queue,
 *    until `waitMs` runs out: then `{ ok: false, retryAfterMs }` (503 `RENDERER_BUSY`).
 */
export async function dispatch<T>(region: Region, ports: FleetPorts<T>, directory: Directory, waitMs: number, firstRenderer?: string): Promise<Dispatched<T>> {
	const deadline = ports.now() + waitMs;
	const tried: string[] = [];
	let retryAfterMs = 1000;
	// Nothing known of the region (a new isolate): its first renderer before the registry, an ocean away maybe.
	let guess = firstRenderer && !directory.knows(region, ports.now()) ? firstRenderer : undefined;
	for (;;) {
		let name = directory.withRoom(region, tried, ports.now())[0] ?? guess;
		guess = undefined;
		if (!name) {
			const placed = await ports.place(region, tried);
			if ("renderer" in placed) name = placed.renderer;
			else {
				retryAfterMs = placed.retryAfterMs;
				const remaining = deadline - ports.now();
				if (remaining <= 0) return { ok: false, retryAfterMs: Math.max(retryAfterMs, 1000) };
				const queue = directory.leastLoaded(region, ports.now()) ?? tried[0];
				if (!queue) {
					await ports.sleep(Math.min(retryAfterMs, remaining));
					continue;
				}
				// Wait in the least loaded renderer's fair queue: until the deadline when the fleet is at
				// its limits, else until the next browser may launch (a page may free before then).
				const waited = await ports.render(queue, placed.full ? remaining : Math.min(retryAfterMs, remaining));
				directory.note(queue, waited.load, ports.now());
				if (waited.ok) return { ok: true, renderer: queue, value: waited.value };
				if (placed.full) return { ok: false, retryAfterMs: Math.max(retryAfterMs, 1000) };
				continue;
			}
		}
		const attempt = await ports.render(name, 0);
		directory.note(name, attempt.load, ports.now());
		if (attempt.ok) return { ok: true, renderer: name, value: attempt.value };
		tried.push(name);
	}
}
