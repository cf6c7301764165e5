import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Credits } from "../../src/credits/credits";
import { rateLimiterFor } from "../../src/rate-limits/rate-limiter";

/**
 * Each Durable Object cleans its own expired records from its alarm: the Credits object its
 * Idempotency-Key records, settled reservations and ended rate window; the RateLimiter its count.
 */

const DAY_MS = 86_400_000;

function freshAccount(): DurableObjectStub<Credits> {
	return env.CREDITS.get(env.CREDITS.newUniqueId());
}

function rows<T>(stub: DurableObjectStub, query: string): Promise<T[]> {
	return runInDurableObject(stub, (_instance, state) => state.storage.sql.exec(query).toArray() as T[]);
}

function exec(stub: DurableObjectStub, query: string, ...bindings: unknown[]): Promise<void> {
	return runInDurableObject(stub, (_instance, state) => void state.storage.sql.exec(query, ...bindings));
}

describe("the Credits alarm", () => {
	it("deletes an expired Idempotency-Key record and keeps a fresh one", async () => {
		const credits = freshAccount();
		await credits.beginIdempotent("expired", "fp", "req_a");
		await credits.beginIdempotent("fresh", "fp", "req_b");
		await exec(credits, "UPDATE idempotency SET expires_at = ? WHERE key = 'expired'", Date.now() - 1);

		expect(await runDurableObjectAlarm(credits)).toBe(true);
		// Positive control: the fresh record is still there, so the alarm did not just empty the table.
		expect((await rows<{ key: string }>(credits, "SELECT key FROM idempotency")).map((r) => r.key)).toEqual(["fresh"]);
	});

	it("forgets a settled reservation past its retention, keeps a recent one, and stays scheduled for it with nothing open", async () => {
		const credits = freshAccount();
		for (const id of ["old", "recent"]) {
			await credits.reserve(id, "free");
			await credits.commit(id);
		}
		await exec(credits, "UPDATE reservations SET expires_at = ? WHERE request_id = 'old'", Date.now() - 41 * DAY_MS);

		expect(await runDurableObjectAlarm(credits)).toBe(true);
		expect((await rows<{ request_id: string }>(credits, "SELECT request_id FROM reservations")).map((r) => r.request_id)).toEqual(["recent"]);
		// Nothing is open now: the next alarm is the recent reservation's end of retention (40 days past its deadline).
		const [recent] = await rows<{ expires_at: number }>(credits, "SELECT expires_at FROM reservations");
		expect(await runInDurableObject(credits, (_instance, state) => state.storage.getAlarm())).toBe(recent!.expires_at + 40 * DAY_MS);
		// The balance is untouched by forgetting: both documents stay charged.
		expect((await credits.balance("free"))!.credits_left).toBe(48);
	});

	it("drops a rate window that has ended, not the current one", async () => {
		const credits = freshAccount();
		await credits.hit("free");
		await credits.beginIdempotent("k", "fp", "req_a");
		await exec(credits, "UPDATE idempotency SET expires_at = ?", Date.now() - 1);
		expect(await runDurableObjectAlarm(credits)).toBe(true);
		// Positive control: the current window's count survives an alarm.
		expect(await rows(credits, "SELECT * FROM rate_window")).toHaveLength(1);

		await exec(credits, "UPDATE rate_window SET window = window - 2");
		await credits.beginIdempotent("k2", "fp", "req_b");
		await exec(credits, "UPDATE idempotency SET expires_at = ?", Date.now() - 1);
		expect(await runDurableObjectAlarm(credits)).toBe(true);
		expect(await rows(credits, "SELECT * FROM rate_window")).toEqual([]);
	});
});

describe("the RateLimiter alarm", () => {
	it("is set to the end of the counted window and then clears the count", async () => {
		const limiter = rateLimiterFor(env, `alarm-test:${crypto.randomUUID()}`);
		const windowMs = 3600_000;
		const { window } = await limiter.hit(5, windowMs);
		await limiter.hit(5, windowMs);
		expect(await runInDurableObject(limiter, (_instance, state) => state.storage.getAlarm())).toBe((window + 1) * windowMs);
		expect(await rows<{ count: number }>(limiter, "SELECT count FROM rate_window")).toEqual([{ count: 2 }]);

		expect(await runDurableObjectAlarm(limiter)).toBe(true);
		expect(await rows(limiter, "SELECT * FROM rate_window")).toEqual([]);
		// The object still counts: the next hit starts from one.
		expect(await limiter.hit(5, windowMs)).toMatchObject({ ok: true, rate: { remaining: 4 } });
	});
});
