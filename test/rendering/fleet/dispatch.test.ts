import { describe, expect, it } from "vitest";
import { DEFAULT_FLEET } from "../../../src/rendering/fleet/config";
import { Directory, dispatch, type FleetPorts } from "../../../src/rendering/fleet/dispatch";
import { Placement } from "../../../src/rendering/fleet/placement";
import { Slots } from "../../../src/rendering/fleet/slots";

/**
 * Dispatch over in-memory renderers (a fake of the Durable Object calls, for the decisions alone;
 * test/rendering/fleet/fleet.test.ts runs the real objects). Counts every hop to the registry.
 */
function world(config = { ...DEFAULT_FLEET, maxPerRegion: 2 }) {
	const renderers = new Map<string, Slots>();
	const placement = new Placement(config, Date.now);
	const hops = { place: 0, render: [] as string[] };
	const ports: FleetPorts<string> = {
		async render(name, waitMs) {
			hops.render.push(name);
			const slots = renderers.get(name) ?? renderers.set(name, new Slots(config.pagesPerBrowser)).get(name)!;
			if (!(await slots.wait("account", 4, waitMs))) return { ok: false, load: slots.load() };
			return { ok: true, value: name, load: slots.load() }; // the page stays held: the test frees it
		},
		async place(region, exclude) {
			hops.place++;
			return placement.place(region, exclude);
		},
		sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
		now: Date.now,
	};
	return { renderers, placement, hops, ports, directory: new Directory() };
}

describe("dispatch", () => {
	it("a warm renderer with room is called directly: no hop to the registry", async () => {
		const { ports, directory, hops } = world();
		expect(await dispatch("weur", ports, directory, 1000)).toEqual({ ok: true, renderer: "weur-0", value: "weur-0" });
		expect(hops.place).toBe(1); // the first document: this isolate knew no renderer
		await dispatch("weur", ports, directory, 1000);
		expect(hops.place).toBe(1);
		expect(hops.render).toEqual(["weur-0", "weur-0"]);
	});

	it("an isolate that knows no renderer of the region tries its first renderer directly, and asks the registry only when that one is full", async () => {
		const warm = world();
		await dispatch("oc", warm.ports, warm.directory, 1000); // another isolate brought oc-0 up
		const cold = { ...warm, directory: new Directory() };
		warm.hops.place = 0;
		expect(await dispatch("oc", cold.ports, cold.directory, 1000, "oc-0")).toMatchObject({ ok: true, renderer: "oc-0" });
		expect(warm.hops.place).toBe(0);
		// oc-0 full: the registry is asked, once.
		for (let i = 0; i < 3; i++) await dispatch("oc", warm.ports, warm.directory, 2000);
		warm.hops.place = 0;
		const third = new Directory();
		expect(await dispatch("oc", warm.ports, third, 2000, "oc-0")).toMatchObject({ ok: true, renderer: "oc-1" });
		expect(warm.hops.place).toBe(1);
	});

	it("a full renderer answers at once and the document goes to another; at the limits it waits, then gives up busy", async () => {
		const { ports, directory, renderers, hops } = world();
		const results = [];
		for (let i = 0; i < 8; i++) results.push(await dispatch("weur", ports, directory, 2000));
		// The second browser launches a second after the first (the launch rate): the fifth document waited for it.
		expect(results.map((r) => r.ok && r.renderer)).toEqual([...Array(4).fill("weur-0"), ...Array(4).fill("weur-1")]);
		expect(renderers.get("weur-1")!.load().active).toBe(4);
		const before = Date.now();
		const busy = await dispatch("weur", ports, directory, 300);
		expect(busy).toMatchObject({ ok: false, retryAfterMs: expect.any(Number) });
		expect(Date.now() - before).toBeGreaterThanOrEqual(290); // it waited its time at a renderer
		expect(hops.render.filter((name) => name === "weur-2")).toEqual([]); // never past the region's maximum
		// A page frees while a document waits: it gets it.
		const waiting = dispatch("weur", ports, directory, 2000);
		setTimeout(() => renderers.get("weur-0")!.release("account"), 100);
		expect(await waiting).toMatchObject({ ok: true, renderer: "weur-0" });
	});

	it("while the next launch is not yet due, a document waits in a known renderer's queue and takes a page that frees", async () => {
		const { ports, directory, renderers, hops, placement } = world({ ...DEFAULT_FLEET, maxPerRegion: 2, launchesPerSecond: 0.2 });
		for (let i = 0; i < 4; i++) await dispatch("weur", ports, directory, 2000); // weur-0's four pages; the next launch is 5 s away
		const asked = hops.place;
		const waiting = dispatch("weur", ports, directory, 2000);
		setTimeout(() => renderers.get("weur-0")!.release("account"), 100);
		expect(await waiting).toMatchObject({ ok: true, renderer: "weur-0" });
		expect(hops.render).not.toContain("weur-1"); // no second browser for it
		expect(hops.place).toBeGreaterThan(asked); // it asked the registry (no launch due yet), then waited where a page would free
		expect(placement.snapshot().map((r) => r.name)).toEqual(["weur-0"]);
	});
});
