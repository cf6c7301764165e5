import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TEST_DAILY_CAP, type Credits } from "../../src/credits/credits";

function freshAccount(): DurableObjectStub<Credits> {
	return env.CREDITS.get(env.CREDITS.newUniqueId());
}

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe("Credits.reserveMany (a batch's documents)", () => {
	it("reserves every id, each settled on its own", async () => {
		const credits = freshAccount();
		expect(await credits.reserveMany(ids("d", 10), "free")).toMatchObject({ ok: true, credits_left: 40 });
		expect(await credits.refund("d3")).toBe(true);
		expect(await credits.commit("d4")).toBe(true);
		expect((await credits.balance("free"))!.credits_left).toBe(41);
		// Repeating the call charges nothing more for the ids still held.
		expect(await credits.reserveMany(["d4", "d5"], "free")).toMatchObject({ ok: true, credits_left: 41 });
	});

	it("takes nothing when the balance can't cover them all (positive control: one fewer fits)", async () => {
		const credits = freshAccount();
		expect(await credits.reserveMany(ids("x", 51), "free")).toMatchObject({ ok: false, reason: "insufficient_credits", credits_left: 50 });
		expect((await credits.balance("free"))!).toMatchObject({ credits_left: 50, used_this_period: 0 });
		expect(await credits.reserveMany(ids("y", 50), "free")).toMatchObject({ ok: true, credits_left: 0 });
	});

	it("counts against the test-mode daily cap, all or nothing, and `amount` takes that many slots", async () => {
		const credits = freshAccount();
		expect(await credits.reserveMany(ids("t", TEST_DAILY_CAP + 1), "free", { test: true })).toMatchObject({ ok: false, reason: "test_daily_cap" });
		expect((await credits.balance("free"))!.test_used_today).toBe(0);
		expect(await credits.reserve("merge", "free", { test: true, amount: 7 })).toMatchObject({ ok: true });
		expect((await credits.balance("free"))!.test_used_today).toBe(7);
		expect(await credits.refund("merge")).toBe(true);
		expect((await credits.balance("free"))!).toMatchObject({ test_used_today: 0, credits_left: 50 });
	});

	it("counts as one request against the rate", async () => {
		const credits = freshAccount();
		const before = await credits.hit("pro", { refuse: false });
		await credits.reserveMany(ids("r", 20), "pro");
		const after = await credits.hit("pro", { refuse: false });
		// The two hits and the one reservation: three requests, not twenty-two (unless a new window began).
		expect(after.rate.remaining === before.rate.remaining - 2 || after.rate.remaining === after.rate.limit - 1).toBe(true);
	});
});
