import { describe, expect, it } from "vitest";
import { Slots } from "../../../src/rendering/fleet/slots";

describe("a renderer's page slots", () => {
	it("an account holds at most its share; the other pages stay open to other accounts", () => {
		const slots = new Slots(4);
		expect(slots.tryStart("a", 1)).toBe(true);
		expect(slots.tryStart("a", 1)).toBe(false); // full for a…
		expect(slots.tryStart("b", 3)).toBe(true); // …not for b
		expect(slots.tryStart("b", 3)).toBe(true);
		expect(slots.tryStart("b", 3)).toBe(true);
		expect(slots.tryStart("c", 3)).toBe(false); // every page busy
		expect(slots.load()).toEqual({ active: 4, queued: 0, capacity: 4 });
	});

	it("a waiting document starts when a page frees, before a later one of an account at its share", async () => {
		const slots = new Slots(2);
		slots.tryStart("a", 1);
		slots.tryStart("b", 2);
		const a = slots.wait("a", 1, 10_000); // a is at its share
		const c = slots.wait("c", 1, 10_000);
		expect(slots.load().queued).toBe(2);
		slots.release("b"); // the freed page goes to c: a is still at its share
		expect(await c).toBe(true);
		slots.release("a");
		expect(await a).toBe(true);
		expect(slots.load()).toEqual({ active: 2, queued: 0, capacity: 2 });
	});

	it("a wait that runs out gives up, and leaves the queue", async () => {
		const slots = new Slots(1);
		slots.tryStart("a", 1);
		expect(await slots.wait("b", 1, 0)).toBe(false); // 0: answer at once
		expect(await slots.wait("b", 1, 20)).toBe(false);
		expect(slots.load().queued).toBe(0);
		slots.release("a");
		expect(await slots.wait("b", 1, 20)).toBe(true); // positive control
	});

	it("admit: while the renderer has room, a document at its account's share waits its turn here; when every page and the room are taken, it is full at once", async () => {
		const slots = new Slots(4);
		for (let i = 0; i < 3; i++) expect(await slots.admit("a", 3, 0, 10_000)).toBe(true);
		const fourth = slots.admit("a", 3, 0, 10_000); // a at its share, one page free: it waits here
		expect(slots.load()).toEqual({ active: 3, queued: 1, capacity: 4 });
		expect(await slots.admit("a", 3, 0, 10_000)).toBe(false); // no room left: full at once
		slots.release("a");
		expect(await fourth).toBe(true);
	});
});
