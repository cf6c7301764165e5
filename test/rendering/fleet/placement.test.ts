import { describe, expect, it } from "vitest";
import { DEFAULT_FLEET, type FleetConfig } from "../../../src/rendering/fleet/config";
import { Placement } from "../../../src/rendering/fleet/placement";

function fleet(overrides: Partial<FleetConfig> = {}) {
	let now = 1_000_000;
	const config = { ...DEFAULT_FLEET, ...overrides };
	return { placement: new Placement(config, () => now), advance: (ms: number) => (now += ms), config };
}

describe("the fleet's placement", () => {
	it("names new renderers after their region, paced to the launch rate", () => {
		const { placement, advance } = fleet({ launchesPerSecond: 2 });
		expect(placement.place("weur", [])).toEqual({ renderer: "weur-0", launching: true });
		// weur-0 has room while it launches: the next document goes there too.
		expect(placement.place("weur", [])).toEqual({ renderer: "weur-0", launching: true });
		// Full for a document: a second browser, but only after the launch interval (500 ms).
		const early = placement.place("weur", ["weur-0"]);
		expect(early).toEqual({ retryAfterMs: 500, full: false });
		advance(500);
		expect(placement.place("weur", ["weur-0"])).toEqual({ renderer: "weur-1", launching: true });
		expect(placement.place("apac", [])).toMatchObject({ retryAfterMs: expect.any(Number) });
		advance(500);
		expect(placement.place("apac", [])).toEqual({ renderer: "apac-0", launching: true });
	});

	it("never exceeds the account's browser limit or a region's maximum", () => {
		const { placement, advance } = fleet({ browserLimit: 3, maxPerRegion: 2 });
		const granted = new Set<string>();
		for (let i = 0; i < 50; i++) {
			advance(1000);
			for (const region of ["weur", "apac"] as const) {
				const answer = placement.place(region, [...granted]);
				if ("renderer" in answer) granted.add(answer.renderer);
			}
		}
		expect(granted.size).toBe(3);
		expect(placement.snapshot()).toHaveLength(3);
		expect(placement.snapshot().filter((r) => r.region === "weur").length).toBeLessThanOrEqual(2);
		// A browser let go frees a place.
		placement.down([...granted][0]!);
		advance(1000);
		expect("renderer" in placement.place("weur", [...granted])).toBe(true);
	});

	it("prefers a known renderer with a free page over a new browser, least loaded first", () => {
		const { placement } = fleet();
		placement.report({ name: "weur-0", region: "weur", browserUpSince: 1, active: 3, queued: 0, capacity: 4 });
		placement.report({ name: "weur-1", region: "weur", browserUpSince: 1, active: 1, queued: 0, capacity: 4 });
		expect(placement.place("weur", [])).toEqual({ renderer: "weur-1", launching: false });
		expect(placement.place("weur", ["weur-1"])).toEqual({ renderer: "weur-0", launching: false });
	});

	it("launches a browser ahead of demand when the last one of a region with room turns full", () => {
		const { placement, advance } = fleet();
		const up = (name: string, active: number, queued = 0) => placement.report({ name, region: "weur", browserUpSince: 1, active, queued, capacity: 4 });
		// Full by a queue (an account waiting for its share of pages, one of them free): those wait their turn.
		expect(up("weur-0", 3, 1)).toBeNull();
		expect(up("weur-0", 4)).toBe("weur-1"); // every page of its only browser busy: a second is granted and named
		expect(up("weur-0", 4)).toBeNull(); // weur-1 is launching: no third
		advance(1000);
		expect(up("weur-1", 2)).toBeNull(); // weur-1 has room
		expect(up("weur-1", 4)).toBe("weur-2"); // now every browser of weur is full
		// Within the launch rate only: another full report at once grants nothing.
		expect(up("weur-2", 4)).toBeNull();
		expect(placement.snapshot().map((r) => r.name)).toEqual(["weur-0", "weur-1", "weur-2"]);
	});

	it("a replacement launch is allowed within the limits; a renderer silent past its idle time is forgotten", () => {
		const { placement, advance, config } = fleet({ browserLimit: 1 });
		expect(placement.acquireLaunch("enam-0")).toEqual({ ok: true });
		expect(placement.acquireLaunch("enam-0")).toEqual({ ok: true }); // it already holds its place
		advance(2000);
		expect(placement.acquireLaunch("enam-1")).toMatchObject({ retryAfterMs: expect.any(Number) });
		advance(config.idleMs + 121_000);
		expect(placement.snapshot()).toEqual([]);
		expect(placement.acquireLaunch("enam-1")).toEqual({ ok: true });
	});

	it("lists the renderers each region keeps warm and lacks", () => {
		const { placement } = fleet({ regions: ["weur", "apac"], minWarm: 1 });
		placement.report({ name: "weur-0", region: "weur", browserUpSince: 1, active: 0, queued: 0, capacity: 4 });
		expect(placement.toWarm()).toEqual(["apac-0"]);
	});
});
