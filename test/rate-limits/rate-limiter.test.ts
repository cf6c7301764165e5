import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { schemaVersion } from "../../src/db/durable-migrations";
import { clientKey, RATE_LIMITER_MIGRATIONS, rateLimiterFor } from "../../src/rate-limits/rate-limiter";

describe("clientKey", () => {
	it("counts IPv4 as is, IPv6 by its /64 in any spelling, and no address as one client", () => {
		expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
		expect(clientKey("2001:db8:1:2::7")).toBe("2001:db8:1:2::/64");
		expect(clientKey("2001:0DB8:0001:0002:ffff:0:0:9")).toBe("2001:db8:1:2::/64");
		expect(clientKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
		expect(clientKey("::1")).toBe("0:0:0:0::/64");
		expect(clientKey("::ffff:203.0.113.7")).toBe("0:0:0:0::/64");
		expect(clientKey(undefined)).toBe("unknown");
		expect(clientKey("")).toBe("unknown");
	});
});

describe("RateLimiter Durable Object", () => {
	it("allows `limit` hits a window, refuses the rest without counting them, and starts again in the next window", async () => {
		const limiter = rateLimiterFor(env, `test:${crypto.randomUUID()}`);
		const hits = await Promise.all(Array.from({ length: 8 }, () => limiter.hit(5, 3600_000)));
		expect(hits.filter((h) => h.ok)).toHaveLength(5);
		expect(hits.map((h) => h.rate.remaining).sort()).toEqual([0, 0, 0, 0, 1, 2, 3, 4]);
		expect(hits.every((h) => h.rate.limit === 5 && h.rate.reset >= 1 && h.rate.reset <= 3600)).toBe(true);
		await runInDurableObject(limiter, (_instance, state) => state.storage.sql.exec("UPDATE rate_window SET window = window - 1"));
		expect(await limiter.hit(5, 3600_000)).toMatchObject({ ok: true, rate: { remaining: 4 } });
	});

	it("uncounts a released hit in its window, never below zero, and nothing once the window has passed", async () => {
		const limiter = rateLimiterFor(env, `test:${crypto.randomUUID()}`);
		const { window } = await limiter.hit(2, 3600_000);
		await limiter.hit(2, 3600_000);
		await limiter.release(window);
		expect(await limiter.hit(2, 3600_000)).toMatchObject({ ok: true, rate: { remaining: 0 } });
		expect((await limiter.hit(2, 3600_000)).ok).toBe(false);
		await limiter.release(window - 1);
		expect((await limiter.hit(2, 3600_000)).ok).toBe(false);
		for (let i = 0; i < 4; i++) await limiter.release(window);
		expect(await limiter.hit(2, 3600_000)).toMatchObject({ ok: true, rate: { remaining: 1 } });
	});
});

describe("RateLimiter schema", () => {
	it("a new object ends at the latest migration", async () => {
		const limiter = rateLimiterFor(env, `schema:${crypto.randomUUID()}`);
		expect((await limiter.hit(1, 60_000)).ok).toBe(true);
		await runInDurableObject(limiter, (_, state) => expect(schemaVersion(state.storage.sql)).toBe(RATE_LIMITER_MIGRATIONS.length));
	});
});
