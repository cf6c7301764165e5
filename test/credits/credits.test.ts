import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CREDITS_MIGRATIONS, Credits as CreditsObject, IDEMPOTENCY_TTL_MS, MONTHLY_ALLOWANCE, nextResetAt, periodOf, TEST_DAILY_CAP, type Credits } from "../../src/credits/credits";
import { schemaVersion } from "../../src/db/durable-migrations";
import { PLANS } from "../../src/credits/plans";
import { awayFromWindowEdge } from "../helpers";

function freshAccount(): DurableObjectStub<Credits> {
	return env.CREDITS.get(env.CREDITS.newUniqueId());
}

describe("Credits Durable Object", () => {
	it("starts with the monthly allowance", async () => {
		const balance = (await freshAccount().balance("free"))!;
		expect(balance).toMatchObject({ credits_left: 50, monthly_allowance: 50, used_this_period: 0, purchased_credits: 0, test_daily_limit: TEST_DAILY_CAP, test_used_today: 0 });
		expect(balance.resets_at).toBe(nextResetAt(Date.now()));
	});

	it("charges a request id once however often it is reserved or committed", async () => {
		const credits = freshAccount();
		expect(await credits.reserve("r1", "free")).toMatchObject({ ok: true, credits_left: 49 });
		expect(await credits.reserve("r1", "free")).toMatchObject({ ok: true, credits_left: 49 });
		expect(await credits.commit("r1")).toBe(true);
		expect(await credits.commit("r1")).toBe(true);
		expect(await credits.reserve("r1", "free")).toMatchObject({ ok: true, credits_left: 49 });
		expect((await credits.balance("free"))!.used_this_period).toBe(1);
	});

	it("refunds once, and never refunds a committed charge", async () => {
		const credits = freshAccount();
		await credits.reserve("a", "free");
		await credits.reserve("b", "free");
		expect(await credits.refund("a")).toBe(true);
		expect(await credits.refund("a")).toBe(true);
		expect((await credits.balance("free"))!.credits_left).toBe(49);
		await credits.commit("b");
		expect(await credits.refund("b")).toBe(false);
		expect(await credits.refund("unknown")).toBe(false);
		expect(await credits.commit("a")).toBe(false);
		expect((await credits.balance("free"))!.credits_left).toBe(49);
	});

	it("never goes negative under 80 concurrent reservations", async () => {
		const credits = freshAccount();
		const results = await Promise.all(Array.from({ length: 80 }, (_, i) => credits.reserve(`c${i}`, "free")));
		expect(results.filter((r) => r.ok)).toHaveLength(MONTHLY_ALLOWANCE);
		expect(results.filter((r) => !r.ok).every((r) => r.credits_left === 0)).toBe(true);
		expect((await credits.balance("free"))!.credits_left).toBe(0);
	});

	it("counts test-mode documents against the daily cap, never against credits", async () => {
		const credits = freshAccount();
		const results = await Promise.all(Array.from({ length: TEST_DAILY_CAP + 5 }, (_, i) => credits.reserve(`t${i}`, "free", { test: true })));
		expect(results.filter((r) => r.ok)).toHaveLength(TEST_DAILY_CAP);
		expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === "test_daily_cap")).toBe(true);
		expect(await credits.balance("free"))!.toMatchObject({ credits_left: 50, used_this_period: 0, test_used_today: TEST_DAILY_CAP });
		await credits.refund("t0");
		expect((await credits.balance("free"))!.test_used_today).toBe(TEST_DAILY_CAP - 1);
		expect(await credits.reserve("t-again", "free", { test: true })).toMatchObject({ ok: true });
		// A new day gives the cap back.
		await runInDurableObject(credits, (_instance, state) => state.storage.sql.exec("UPDATE state SET day = '2026-01-01'"));
		expect((await credits.balance("free"))!.test_used_today).toBe(0);
	});

	it("spends purchased credits after the allowance and gives them back on refund", async () => {
		const credits = freshAccount();
		for (let i = 0; i < 50; i++) await credits.reserve(`m${i}`, "free");
		expect(await credits.reserve("over", "free")).toMatchObject({ ok: false, credits_left: 0, reason: "insufficient_credits" });
		expect((await credits.addCredits(3, "free"))?.credits_left).toBe(3);
		expect(await credits.reserve("p1", "free")).toMatchObject({ ok: true, credits_left: 2 });
		expect((await credits.balance("free"))!.purchased_credits).toBe(2);
		await credits.refund("p1");
		expect(await credits.balance("free"))!.toMatchObject({ credits_left: 3, purchased_credits: 3, used_this_period: 50 });
	});

	it("refuses, once told of a key's deletion, to charge for that key or show it the balance", async () => {
		const credits = freshAccount();
		expect(await credits.reserve("before", "free", { keyId: "key_gone" })).toMatchObject({ ok: true });
		await credits.revokeKey("key_gone");
		await credits.revokeKey("key_gone");
		expect(await credits.reserve("after", "free", { keyId: "key_gone" })).toMatchObject({ ok: false, credits_left: 49, reason: "revoked_key" });
		expect(await credits.balance("free", "key_gone")).toBeNull();
		expect(await credits.reserve("other", "free", { keyId: "key_alive" })).toMatchObject({ ok: true, credits_left: 48 });
		expect((await credits.balance("free", "key_alive"))?.credits_left).toBe(48);
	});

	it("refuses a top-up that is not a positive integer", async () => {
		const credits = freshAccount();
		expect(await credits.addCredits(0, "free")).toBeNull();
		expect(await credits.addCredits(1.5, "free")).toBeNull();
		expect(await credits.addCredits(-3, "free")).toBeNull();
		expect((await credits.balance("free"))!.credits_left).toBe(50);
	});

	it("restores the allowance when a new month begins, keeping purchased credits", async () => {
		const credits = freshAccount();
		for (let i = 0; i < 50; i++) await credits.reserve(`m${i}`, "free");
		await credits.addCredits(5, "free");
		await credits.reserve("last-month", "free");
		await runInDurableObject(credits, (_instance, state) => {
			state.storage.sql.exec("UPDATE state SET period = '2026-01'");
			state.storage.sql.exec("UPDATE reservations SET period = '2026-01'");
		});
		expect(await credits.balance("free"))!.toMatchObject({ credits_left: 54, used_this_period: 0, purchased_credits: 4 });
		// A refund of last month's monthly credit does not add to this month's allowance.
		await credits.refund("m0");
		expect((await credits.balance("free"))!.credits_left).toBe(54);
		await credits.refund("last-month");
		expect((await credits.balance("free"))!.credits_left).toBe(55);
	});

	it("refunds, by alarm, a reservation left open past its deadline", async () => {
		const credits = freshAccount();
		await credits.reserve("crashed", "free");
		await credits.reserve("finished", "free");
		await credits.commit("finished");
		expect((await credits.balance("free"))!.credits_left).toBe(48);
		await runInDurableObject(credits, (_instance, state) => {
			state.storage.sql.exec("UPDATE reservations SET expires_at = ? WHERE request_id = 'crashed'", Date.now() - 1);
		});
		expect(await runDurableObjectAlarm(credits)).toBe(true);
		expect((await credits.balance("free"))!.credits_left).toBe(49);
		expect(await credits.commit("crashed")).toBe(false);
	});
});

describe("periods", () => {
	it("are calendar months in UTC", () => {
		expect(periodOf(Date.parse("2026-11-30T23:59:59Z"))).toBe("2026-11");
		expect(periodOf(Date.parse("2026-12-01T00:00:00Z"))).toBe("2026-12");
		expect(nextResetAt(Date.parse("2026-12-15T10:00:00Z"))).toBe("2027-01-01T00:00:00.000Z");
	});
});

describe("Idempotency-Key records", () => {
	const done = (text: string) => ({ status: 200, headers: { "content-type": "application/json" }, body: new TextEncoder().encode(text).buffer as ArrayBuffer, blob_key: null });

	it("a key is claimed once: the holder records its response, a same-fingerprint request gets it, another fingerprint is a mismatch", async () => {
		const credits = freshAccount();
		expect(await credits.beginIdempotent("k", "fp", "req_a")).toMatchObject({ state: "new" });
		expect(await credits.beginIdempotent("k", "fp", "req_b")).toEqual({ state: "in_progress" });
		expect(await credits.beginIdempotent("k", "other", "req_b")).toEqual({ state: "mismatch" });
		// Only the holder can record or release it.
		expect(await credits.finishIdempotent("k", "req_b", done("{}"))).toBe(false);
		expect(await credits.abandonIdempotent("k", "req_b")).toBe(false);
		expect(await credits.finishIdempotent("k", "req_a", done('{"ok":1}'))).toBe(true);
		const replay = await credits.beginIdempotent("k", "fp", "req_c");
		expect(replay).toMatchObject({ state: "done", response: { status: 200, headers: { "content-type": "application/json" }, blob_key: null } });
		expect(new TextDecoder().decode((replay as { response: { body: ArrayBuffer } }).response.body)).toBe('{"ok":1}');
		expect(await credits.beginIdempotent("k", "other", "req_c")).toEqual({ state: "mismatch" });
	});

	it("a waiting request gets the holder's result as soon as it is recorded, and takes the key over when it is abandoned", async () => {
		const credits = freshAccount();
		await credits.beginIdempotent("k", "fp", "req_a");
		const waiting = credits.beginIdempotent("k", "fp", "req_b", { waitMs: 20_000 });
		const started = Date.now();
		await credits.finishIdempotent("k", "req_a", done("{}"));
		expect(await waiting).toMatchObject({ state: "done" });
		expect(Date.now() - started).toBeLessThan(5_000);

		await credits.beginIdempotent("k2", "fp", "req_a");
		const next = credits.beginIdempotent("k2", "fp", "req_b", { waitMs: 20_000 });
		await credits.abandonIdempotent("k2", "req_a");
		expect(await next).toMatchObject({ state: "new" });
		expect(await credits.beginIdempotent("k2", "fp", "req_c", { waitMs: 50 })).toEqual({ state: "in_progress" });
	});

	it("refuses a revoked key; a holder whose lease ran out loses the key; records expire after 24 h and the alarm deletes them with their R2 blob", async () => {
		const credits = freshAccount();
		await credits.revokeKey("key_gone");
		expect(await credits.beginIdempotent("k", "fp", "req_a", { keyId: "key_gone" })).toEqual({ state: "revoked_key" });

		await credits.beginIdempotent("crashed", "fp", "req_a");
		await runInDurableObject(credits, (_instance, state) => {
			state.storage.sql.exec("UPDATE idempotency SET locked_until = ? WHERE key = 'crashed'", Date.now() - 1);
		});
		expect(await credits.beginIdempotent("crashed", "fp", "req_b")).toMatchObject({ state: "new" });
		expect(await credits.finishIdempotent("crashed", "req_a", done("{}"))).toBe(false);

		const { expires_at } = (await credits.beginIdempotent("old", "fp", "req_a")) as { expires_at: number };
		expect(expires_at).toBeGreaterThanOrEqual(Date.now() + IDEMPOTENCY_TTL_MS - 60_000);
		await env.PDFS.put("idempotency/test/old", "pdf bytes");
		await credits.finishIdempotent("old", "req_a", { ...done(""), body: null, blob_key: "idempotency/test/old" });
		await runInDurableObject(credits, (_instance, state) => {
			state.storage.sql.exec("UPDATE idempotency SET expires_at = ? WHERE key = 'old'", Date.now() - 1);
		});
		// Expired: the key is free again, with another body too.
		expect(await credits.beginIdempotent("old", "another", "req_b")).toMatchObject({ state: "new" });
		await runInDurableObject(credits, (_instance, state) => {
			state.storage.sql.exec("UPDATE idempotency SET expires_at = ?, blob_key = 'idempotency/test/old'", Date.now() - 1);
		});
		expect(await runDurableObjectAlarm(credits)).toBe(true);
		expect(await runInDurableObject(credits, (_instance, state) => state.storage.sql.exec("SELECT * FROM idempotency").toArray())).toEqual([]);
		expect(await env.PDFS.head("idempotency/test/old")).toBeNull();
	});
});

describe("Credits Durable Object: plans, rate and concurrency", () => {
	it("applies the plan each call names (it keeps none of its own): allowance, rate and concurrency follow, and a smaller allowance never goes negative", async () => {
		const credits = freshAccount();
		for (let i = 0; i < 40; i++) await credits.reserve(`m${i}`, "free");
		// The balance reports the plan's allowance, rate and concurrency; its renderer share is the renderer's business.
		const { render_slots: _renderSlots, ...pro } = PLANS.pro;
		expect(await credits.balance("pro")).toMatchObject({ plan: "pro", ...pro, credits_left: PLANS.pro.monthly_allowance - 40, used_this_period: 40 });
		expect(await credits.reserve("on-pro", "pro")).toMatchObject({ ok: true, credits_left: PLANS.pro.monthly_allowance - 41, rate: { limit: PLANS.pro.requests_per_minute } });
		for (let i = 0; i < 20; i++) await credits.reserve(`more${i}`, "pro");
		// Back on free with 61 used of 50: nothing left, not -11; purchased credits still spend.
		expect(await credits.balance("free")).toMatchObject({ plan: "free", monthly_allowance: 50, credits_left: 0 });
		expect(await credits.reserve("over", "free")).toMatchObject({ ok: false, reason: "insufficient_credits", credits_left: 0 });
		expect(await credits.addCredits(2, "free")).toMatchObject({ plan: "free", credits_left: 2 });
		expect(await credits.reserve("bought", "free")).toMatchObject({ ok: true, credits_left: 1 });
		// An unknown name (a D1 value no plan has) counts as free.
		expect(await credits.balance("platinum")).toMatchObject({ plan: "free", monthly_allowance: 50 });
	});

	it("counts reservations and hits against the plan's requests a minute; past it refuses, charging nothing, until the next window", async () => {
		const credits = freshAccount();
		const limit = PLANS.pro.requests_per_minute;
		await awayFromWindowEdge(5);
		const first = await credits.reserve("r0", "pro");
		expect(first).toMatchObject({ ok: true, rate: { limit, remaining: limit - 1 } });
		expect(first.rate.reset).toBeGreaterThanOrEqual(1);
		expect(first.rate.reset).toBeLessThanOrEqual(60);
		const hits = await Promise.all(Array.from({ length: limit + 5 }, () => credits.hit("pro")));
		expect(hits.filter((h) => h.ok)).toHaveLength(limit - 1);
		expect(hits.filter((h) => !h.ok).every((h) => h.rate.remaining === 0)).toBe(true);
		expect(await credits.reserve("r1", "pro")).toMatchObject({ ok: false, reason: "rate_limited", credits_left: PLANS.pro.monthly_allowance - 1 });
		// Already served (a replay, say): counted, never refused.
		expect(await credits.hit("pro", { refuse: false })).toMatchObject({ ok: true, rate: { remaining: 0 } });
		expect((await credits.balance("pro"))!.used_this_period).toBe(1);

		// A new window starts the count again.
		await runInDurableObject(credits, (_instance, state) => state.storage.sql.exec("UPDATE rate_window SET window = window - 1"));
		expect(await credits.reserve("r2", "pro")).toMatchObject({ ok: true, rate: { remaining: limit - 1 } });
	});

	it("refuses a sync render past the plan's concurrency; queued jobs don't count; settling or the alarm frees a slot", async () => {
		const credits = freshAccount();
		const limit = PLANS.pro.concurrency;
		const held = await Promise.all(Array.from({ length: limit + 3 }, (_, i) => credits.reserve(`s${i}`, "pro", { sync: true })));
		expect(held.filter((r) => r.ok)).toHaveLength(limit);
		expect(held.filter((r) => !r.ok).every((r) => !r.ok && r.reason === "concurrency_limited" && r.concurrency === limit)).toBe(true);
		expect((await credits.balance("pro"))!.used_this_period).toBe(limit);
		// An async job's reservation is not a render in flight.
		expect(await credits.reserve("job", "pro", { ttlMs: 3600_000 })).toMatchObject({ ok: true });

		const okIds = held.flatMap((r, i) => (r.ok ? [`s${i}`] : []));
		await credits.commit(okIds[0]!);
		expect(await credits.reserve("after-commit", "pro", { sync: true })).toMatchObject({ ok: true });
		await credits.refund(okIds[1]!);
		expect(await credits.reserve("after-refund", "pro", { sync: true })).toMatchObject({ ok: true });
		expect(await credits.reserve("full", "pro", { sync: true })).toMatchObject({ ok: false, reason: "concurrency_limited" });

		// A crashed request's slot is freed when the alarm refunds its reservation.
		await runInDurableObject(credits, (_instance, state) => state.storage.sql.exec("UPDATE reservations SET expires_at = 0 WHERE request_id = ?", okIds[2]!));
		await runDurableObjectAlarm(credits);
		expect(await credits.reserve("after-alarm", "pro", { sync: true })).toMatchObject({ ok: true });
	});
});

describe("Credits schema migrations", () => {
	/** Empties the object's storage and writes the first schema the Credits object ever had (commit 017480e), with an account's rows in it. */
	function writeOldestSchema(sql: SqlStorage, period: string): void {
		const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").toArray();
		for (const { name } of tables) sql.exec(`DROP TABLE ${name}`);
		sql.exec(`
			CREATE TABLE state (
				id INTEGER PRIMARY KEY CHECK (id = 1),
				period TEXT NOT NULL,
				monthly_used INTEGER NOT NULL CHECK (monthly_used >= 0),
				purchased INTEGER NOT NULL CHECK (purchased >= 0),
				purchased_used INTEGER NOT NULL CHECK (purchased_used >= 0)
			);
			CREATE TABLE reservations (
				request_id TEXT PRIMARY KEY,
				period TEXT NOT NULL,
				monthly INTEGER NOT NULL,
				purchased INTEGER NOT NULL,
				status TEXT NOT NULL,
				expires_at INTEGER NOT NULL
			);
			CREATE INDEX reservations_open ON reservations (status, expires_at);
		`);
		sql.exec("INSERT INTO state VALUES (1, ?, 3, 10, 0)", period);
		sql.exec("INSERT INTO reservations VALUES ('old-open', ?, 1, 0, 'reserved', ?)", period, Date.now() + 60_000);
		// What objects made between the in-place changes had too: the table dropped since.
		sql.exec("CREATE TABLE in_flight (request_id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)");
	}

	it("upgrades an object made with the oldest schema: its balance and reservations carry over, and every operation works", async () => {
		const stub = freshAccount();
		await runInDurableObject(stub, async (_, state) => {
			writeOldestSchema(state.storage.sql, periodOf(Date.now()));
			// The object as it starts after a deploy: the current code over the old storage.
			const credits = new CreditsObject(state, env);
			await state.blockConcurrencyWhile(async () => {});
			expect(credits.balance("free")).toMatchObject({ credits_left: MONTHLY_ALLOWANCE - 3 + 10, used_this_period: 3, purchased_credits: 10, test_used_today: 0 });
			expect(credits.reserve("new", "free", { sync: true })).toMatchObject({ ok: true, credits_left: MONTHLY_ALLOWANCE - 4 + 10 });
			expect(credits.commit("new")).toBe(true);
			expect(credits.refund("old-open")).toBe(true);
			expect(credits.reserve("test-doc", "free", { test: true })).toMatchObject({ ok: true });
			expect(credits.balance("free")).toMatchObject({ credits_left: MONTHLY_ALLOWANCE - 3 + 10, test_used_today: 1 });
			credits.revokeKey("key_x");
			expect(credits.balance("free", "key_x")).toBeNull();
			expect((await credits.beginIdempotent("k", "f", "o")).state).toBe("new");
			expect(credits.hit("free").ok).toBe(true);
			expect(schemaVersion(state.storage.sql)).toBe(CREDITS_MIGRATIONS.length);
			expect(state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 'in_flight'").toArray()).toEqual([]);
			// The plan's old copy (migration 3's `settings`) is gone: D1's `accounts.plan` is its one source.
			expect(state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 'settings'").toArray()).toEqual([]);
		});
	});

	it("a new object runs every migration and ends at the latest version", async () => {
		const stub = freshAccount();
		expect((await stub.balance("free"))!.credits_left).toBe(MONTHLY_ALLOWANCE);
		await runInDurableObject(stub, (_, state) => {
			expect(CREDITS_MIGRATIONS.length).toBeGreaterThan(1);
			expect(schemaVersion(state.storage.sql)).toBe(CREDITS_MIGRATIONS.length);
		});
	});
});
