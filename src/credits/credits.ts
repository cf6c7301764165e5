import { DurableObject } from "cloudflare:workers";
import { addColumn, migrate, type Migration } from "../db/durable-migrations";
import { countInWindow, type HitResult, type RateState } from "../rate-limits/window";
import { type Plan, type PlanName, PLANS, planLimits } from "./plans";

export type { HitResult, RateState };

/** Credits in each calendar month (UTC) on the free plan. */
export const MONTHLY_ALLOWANCE = PLANS.free.monthly_allowance;
/** The rate limit's window: requests are counted per minute, UTC-aligned. */
export const RATE_WINDOW_MS = 60_000;
/** A reservation neither committed nor refunded after this long is refunded by the alarm (sync requests; async jobs pass their own). */
export const RESERVATION_TTL_MS = 5 * 60_000;
/** Documents a day (UTC) that an account's test-mode keys may make; they cost no credits. */
export const TEST_DAILY_CAP = 100;
/** Settled reservations are kept this long so that a replayed request id is still recognised. */
const SETTLED_RETENTION_MS = 40 * 24 * 3600_000;
/** An Idempotency-Key's record (and its stored response) lives this long after the key's first request. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
/**
 * A request holding an Idempotency-Key keeps it this long at most: past it (the Worker crashed, or
 * its response could not be recorded) the next request with the key runs again. As long as a
 * sync reservation, so the crashed request's credit is refunded by then.
 */
export const IDEMPOTENCY_LEASE_MS = RESERVATION_TTL_MS;

export interface Balance {
	credits_left: number;
	plan: PlanName;
	monthly_allowance: number;
	requests_per_minute: number;
	concurrency: number;
	used_this_period: number;
	purchased_credits: number;
	resets_at: string;
}

export type ReserveResult =
	| { ok: true; credits_left: number; rate: RateState }
	| {
			ok: false;
			credits_left: number;
			rate: RateState;
			/** `concurrency_limited`: the plan's `concurrency` sync renders are in flight (`concurrency` says how many). */
			reason: "insufficient_credits" | "test_daily_cap" | "revoked_key" | "rate_limited" | "concurrency_limited";
			concurrency?: number;
	  };

export interface TestUsage {
	test_daily_limit: number;
	test_used_today: number;
}

/** A response recorded for an Idempotency-Key: small bodies inline, larger ones in R2 under `blob_key`. */
export interface StoredResponse {
	status: number;
	headers: Record<string, string>;
	body: ArrayBuffer | null;
	blob_key: string | null;
}

/**
 * What `beginIdempotent` found: `new` (the caller now holds the key and must finish or abandon
 * it), `in_progress` (another request holds it), `done` (replay `response`), `mismatch` (the key
 * was used with another request) or `revoked_key`.
 */
export type IdempotencyBegin =
	| { state: "new"; expires_at: number }
	| { state: "in_progress" }
	| { state: "done"; response: StoredResponse }
	| { state: "mismatch" }
	| { state: "revoked_key" };

type IdempotencyRecord = {
	key: string;
	fingerprint: string;
	status: "in_progress" | "done";
	owner: string;
	locked_until: number;
	response_status: number | null;
	response_headers: string | null;
	body: ArrayBuffer | null;
	blob_key: string | null;
	expires_at: number;
};

type State = {
	period: string;
	monthly_used: number;
	purchased: number;
	purchased_used: number;
	day: string;
	test_used: number;
};

/** What `reserve` and `reserveMany` take: `amount` credits (or test slots) per id, held until `ttlMs`. */
export interface ReserveOptions {
	amount?: number;
	test?: boolean;
	ttlMs?: number;
	keyId?: string;
	sync?: boolean;
}

type Reservation = {
	request_id: string;
	kind: "credit" | "test";
	/** Daily test-cap slots a test reservation took (1 before `amount` applied to test mode). */
	test_slots: number;
	period: string;
	day: string;
	monthly: number;
	purchased: number;
	status: "reserved" | "committed" | "refunded";
	expires_at: number;
	/** A synchronous render: it counts against the plan's concurrency while reserved. */
	sync: number;
};

/** `2026-11` for any instant in November 2026, UTC. */
export function periodOf(now: number): string {
	return new Date(now).toISOString().slice(0, 7);
}

/** `2026-11-21`: the UTC day, over which test-mode documents are capped. */
export function dayOf(now: number): string {
	return new Date(now).toISOString().slice(0, 10);
}

/** Start of the month after `now`, UTC: when the monthly allowance comes back. */
export function nextResetAt(now: number): string {
	const d = new Date(now);
	return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString();
}

/**
 * The Credits object's SQLite schema, as migrations (see src/db/durable-migrations.ts: append one
 * to change it, never edit one). Objects made before versioning (version 0) run them all: 1 is
 * the first schema, and 2–4 are the changes once made in place, written to accept tables and
 * columns such an object may already have.
 */
export const CREDITS_MIGRATIONS: readonly Migration[] = [
	// 1: balances and reservations.
	(sql) =>
		sql.exec(`
			CREATE TABLE IF NOT EXISTS state (
				id INTEGER PRIMARY KEY CHECK (id = 1),
				period TEXT NOT NULL,
				monthly_used INTEGER NOT NULL CHECK (monthly_used >= 0),
				purchased INTEGER NOT NULL CHECK (purchased >= 0),
				purchased_used INTEGER NOT NULL CHECK (purchased_used >= 0)
			);
			CREATE TABLE IF NOT EXISTS reservations (
				request_id TEXT PRIMARY KEY,
				period TEXT NOT NULL,
				monthly INTEGER NOT NULL,
				purchased INTEGER NOT NULL,
				status TEXT NOT NULL,
				expires_at INTEGER NOT NULL
			);
			CREATE INDEX IF NOT EXISTS reservations_open ON reservations (status, expires_at);
		`),
	// 2: test-mode keys' daily cap. An empty day is rolled over to today by the first `state()`.
	(sql) => {
		addColumn(sql, "state", "day", "TEXT NOT NULL DEFAULT ''");
		addColumn(sql, "state", "test_used", "INTEGER NOT NULL DEFAULT 0 CHECK (test_used >= 0)");
		addColumn(sql, "reservations", "kind", "TEXT NOT NULL DEFAULT 'credit'");
		addColumn(sql, "reservations", "day", "TEXT NOT NULL DEFAULT ''");
	},
	// 3: revoked keys, Idempotency-Key records, the plan, the rate window.
	(sql) =>
		sql.exec(`
			CREATE TABLE IF NOT EXISTS revoked_keys (key_id TEXT PRIMARY KEY, revoked_at INTEGER NOT NULL);
			CREATE TABLE IF NOT EXISTS idempotency (
				key TEXT PRIMARY KEY,
				fingerprint TEXT NOT NULL,
				status TEXT NOT NULL,
				owner TEXT NOT NULL,
				locked_until INTEGER NOT NULL,
				response_status INTEGER,
				response_headers TEXT,
				body BLOB,
				blob_key TEXT,
				expires_at INTEGER NOT NULL
			);
			CREATE INDEX IF NOT EXISTS idempotency_expiry ON idempotency (expires_at);
			CREATE TABLE IF NOT EXISTS settings (id INTEGER PRIMARY KEY CHECK (id = 1), plan TEXT NOT NULL);
			CREATE TABLE IF NOT EXISTS rate_window (id INTEGER PRIMARY KEY CHECK (id = 1), window INTEGER NOT NULL, count INTEGER NOT NULL);
		`),
	// 4: renders in flight are the open sync reservations, not a second table.
	(sql) => {
		addColumn(sql, "reservations", "sync", "INTEGER NOT NULL DEFAULT 0");
		sql.exec("DROP TABLE IF EXISTS in_flight");
	},
	// 5: the plan is D1's `accounts.plan` alone; callers pass it in. The object's copy is gone.
	(sql) => sql.exec("DROP TABLE IF EXISTS settings"),
	// 6: a test-mode reservation may take several slots (a merge of several rendered documents).
	(sql) => addColumn(sql, "reservations", "test_slots", "INTEGER NOT NULL DEFAULT 1"),
];

/**
 * One object per account (`idFromName(accountId)`): the only writer of its balance.
 *
 * The monthly allowance is spent before purchased credits. Every debit is a reservation keyed by
 * the request id: `reserve` before rendering, then `commit` or `refund`. All three are idempotent,
 * and each runs as synchronous SQL with no await in between, so the Durable Object's single thread
 * makes them atomic: the balance can't go negative and a request id is charged at most once.
 * Test-mode documents go through the same reservations but count against a daily cap instead.
 *
 * The account's plan is not stored here: D1's `accounts.plan` is its one source, and every call
 * whose answer depends on it (`reserve`, `hit`, `balance`, `addCredits`) takes the plan's name,
 * which the key lookup has already read. So a plan change applies to the next request everywhere.
 */
export class Credits extends DurableObject<Env> {
	private readonly sql: SqlStorage;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
		void ctx.blockConcurrencyWhile(async () => migrate(ctx.storage, CREDITS_MIGRATIONS));
	}

	/** Requests waiting in `beginIdempotent` for a key held by another, woken when it is finished or abandoned. */
	private readonly idempotencyWaiters = new Map<string, Set<() => void>>();

	/**
	 * Claims the Idempotency-Key `key` for the request `owner`, whose method, path and body hash to
	 * `fingerprint`. While another request holds the key, waits up to `waitMs` for it to finish
	 * (the single thread serves other calls meanwhile), then answers `in_progress`. An expired
	 * record, or a holder whose lease ran out, counts as no record. A revoked `keyId` is refused.
	 */
	async beginIdempotent(
		key: string,
		fingerprint: string,
		owner: string,
		{ waitMs = 0, keyId }: { waitMs?: number; keyId?: string } = {},
	): Promise<IdempotencyBegin> {
		const deadline = Date.now() + waitMs;
		for (;;) {
			const found = this.claimIdempotent(key, fingerprint, owner, keyId);
			const left = deadline - Date.now();
			if (found.state !== "in_progress" || left <= 0) return found;
			await this.idempotencySettled(key, left);
		}
	}

	/**
	 * Records the response of the request holding `key`. False (and nothing recorded) when
	 * `owner` no longer holds it.
	 */
	finishIdempotent(key: string, owner: string, response: StoredResponse): boolean {
		const { rowsWritten } = this.sql.exec(
			"UPDATE idempotency SET status = 'done', response_status = ?, response_headers = ?, body = ?, blob_key = ? WHERE key = ? AND owner = ? AND status = 'in_progress'",
			response.status,
			JSON.stringify(response.headers),
			response.body,
			response.blob_key,
			key,
			owner,
		);
		this.wakeIdempotent(key);
		return rowsWritten > 0;
	}

	/** Releases `key` without a response (the request failed having done nothing), so that a retry runs again. */
	abandonIdempotent(key: string, owner: string): boolean {
		const { rowsWritten } = this.sql.exec("DELETE FROM idempotency WHERE key = ? AND owner = ? AND status = 'in_progress'", key, owner);
		this.wakeIdempotent(key);
		return rowsWritten > 0;
	}

	private claimIdempotent(key: string, fingerprint: string, owner: string, keyId?: string): IdempotencyBegin {
		if (keyId && this.isRevoked(keyId)) return { state: "revoked_key" };
		const now = Date.now();
		const row = this.sql.exec<IdempotencyRecord>("SELECT * FROM idempotency WHERE key = ?", key).toArray()[0];
		const live = row && row.expires_at > now && !(row.status === "in_progress" && row.locked_until <= now);
		if (!live) {
			const expiresAt = now + IDEMPOTENCY_TTL_MS;
			this.sql.exec(
				`INSERT OR REPLACE INTO idempotency (key, fingerprint, status, owner, locked_until, expires_at) VALUES (?, ?, 'in_progress', ?, ?, ?)`,
				key,
				fingerprint,
				owner,
				now + IDEMPOTENCY_LEASE_MS,
				expiresAt,
			);
			this.scheduleAlarm();
			return { state: "new", expires_at: expiresAt };
		}
		if (row.fingerprint !== fingerprint) return { state: "mismatch" };
		if (row.status === "in_progress") return { state: "in_progress" };
		const headers = JSON.parse(row.response_headers ?? "{}") as Record<string, string>;
		return { state: "done", response: { status: row.response_status!, headers, body: row.body, blob_key: row.blob_key } };
	}

	private idempotencySettled(key: string, ms: number): Promise<void> {
		return new Promise((resolve) => {
			let waiters = this.idempotencyWaiters.get(key);
			if (!waiters) this.idempotencyWaiters.set(key, (waiters = new Set()));
			const wake = () => {
				clearTimeout(timer);
				waiters.delete(wake);
				if (waiters.size === 0 && this.idempotencyWaiters.get(key) === waiters) this.idempotencyWaiters.delete(key);
				resolve();
			};
			const timer = setTimeout(wake, ms);
			waiters.add(wake);
		});
	}

	private wakeIdempotent(key: string): void {
		for (const wake of [...(this.idempotencyWaiters.get(key) ?? [])]) wake();
	}

	/**
	 * Takes `amount` credits for `requestId` unless the balance is short; for a test-mode request
	 * (`test: true`) takes `amount` slots of the daily test cap instead. Repeating an id charges nothing more.
	 * A request made with a revoked key (`keyId`) is refused: the key may have been read from a
	 * D1 replica that has not seen its deletion yet.
	 *
	 * The request is also counted against the plan's rate, first (so that the hot path makes one
	 * call): past it, `rate_limited` and nothing is taken. A `sync` request (a render the client
	 * waits for) is refused with `concurrency_limited` while the plan's `concurrency` sync
	 * reservations are open; queued jobs don't count, the queue paces them. `plan` is the account's
	 * plan (D1's `accounts.plan`), whose allowance, rate and concurrency apply.
	 */
	reserve(requestId: string, planName: string, options: ReserveOptions = {}): ReserveResult {
		return this.reserveMany([requestId], planName, options);
	}

	/**
	 * {@link reserve} for several ids at once, all or nothing: each id takes `amount` (its own
	 * reservation, committed or refunded on its own), and if the balance (or the test cap) can't
	 * cover them all, none is taken. The request counts once against the rate. A batch's documents
	 * are reserved so: nothing is charged for a batch refused whole. Ids already reserved are not
	 * charged again; one already refunded makes the call fail (`insufficient_credits`), as in `reserve`.
	 */
	reserveMany(
		requestIds: readonly string[],
		planName: string,
		{ amount = 1, test = false, ttlMs = RESERVATION_TTL_MS, keyId, sync = false }: ReserveOptions = {},
	): ReserveResult {
		const state = this.state();
		const plan = this.plan(planName);
		const left = () => this.creditsLeft(this.state(), plan);
		if (keyId && this.isRevoked(keyId)) return { ok: false, credits_left: left(), rate: this.rate(plan, false).rate, reason: "revoked_key" };
		const existing = requestIds.map((id) => this.reservation(id)).filter((r) => r !== undefined);
		if (existing.some((r) => r.status === "refunded")) return { ok: false, credits_left: left(), rate: this.rate(plan, false).rate, reason: "insufficient_credits" };
		const fresh = requestIds.filter((id) => !existing.some((r) => r.request_id === id));
		if (fresh.length === 0) return { ok: true, credits_left: left(), rate: this.rate(plan, false).rate };
		const { ok: underRate, rate } = this.rate(plan, true);
		if (!underRate) return { ok: false, credits_left: left(), rate, reason: "rate_limited" };
		if (sync && this.inFlight() + fresh.length > plan.concurrency) {
			return { ok: false, credits_left: left(), rate, reason: "concurrency_limited", concurrency: plan.concurrency };
		}
		const needed = amount * fresh.length;
		if (test) {
			if (state.test_used + needed > TEST_DAILY_CAP) return { ok: false, credits_left: left(), rate, reason: "test_daily_cap" };
		} else if (this.creditsLeft(state, plan) < needed) {
			return { ok: false, credits_left: left(), rate, reason: "insufficient_credits" };
		}
		for (const id of fresh) this.take(id, amount, plan, { test, expiresAt: Date.now() + ttlMs, sync });
		this.scheduleAlarm();
		return { ok: true, credits_left: left(), rate };
	}

	/** Takes `amount` for one reservation; the caller has checked that the balance (or test cap) covers it. */
	private take(requestId: string, amount: number, plan: Plan, { test, expiresAt, sync }: { test: boolean; expiresAt: number; sync: boolean }): void {
		const state = this.state();
		let monthly = 0;
		let purchased = 0;
		if (test) {
			this.sql.exec("UPDATE state SET test_used = test_used + ? WHERE id = 1", amount);
		} else {
			// A plan moved down mid-month may leave more used than the new allowance.
			const monthlyLeft = Math.max(0, plan.monthly_allowance - state.monthly_used);
			monthly = Math.min(amount, monthlyLeft);
			purchased = amount - monthly;
			this.sql.exec(
				"UPDATE state SET monthly_used = monthly_used + ?, purchased = purchased - ?, purchased_used = purchased_used + ? WHERE id = 1",
				monthly,
				purchased,
				purchased,
			);
		}
		this.sql.exec(
			"INSERT INTO reservations (request_id, kind, period, day, monthly, purchased, test_slots, status, expires_at, sync) VALUES (?, ?, ?, ?, ?, ?, ?, 'reserved', ?, ?)",
			requestId,
			test ? "test" : "credit",
			state.period,
			state.day,
			monthly,
			purchased,
			test ? amount : 0,
			expiresAt,
			sync ? 1 : 0,
		);
	}

	/**
	 * Counts a request against the plan's rate (every authenticated route but POST /v1/generate,
	 * whose `reserve` counts it). `ok: false` past the rate; the refused request is not counted.
	 * With `refuse: false` the answer is never a refusal: the request was already served.
	 */
	hit(planName: string, { refuse = true }: { refuse?: boolean } = {}): HitResult {
		const result = this.rate(this.plan(planName), true);
		return refuse ? result : { ok: true, rate: result.rate };
	}

	/** Makes a reservation final. True when it is (or already was) committed. */
	commit(requestId: string): boolean {
		this.sql.exec("UPDATE reservations SET status = 'committed' WHERE request_id = ? AND status = 'reserved'", requestId);
		return this.reservation(requestId)?.status === "committed";
	}

	/** Gives a reservation's credits back. True when it is (or already was) refunded; a committed charge stays. */
	refund(requestId: string): boolean {
		const r = this.reservation(requestId);
		if (!r) return false;
		if (r.status === "reserved") this.release(r);
		return this.reservation(requestId)?.status === "refunded";
	}

	/**
	 * Adds purchased credits, which never expire, and returns the balance on `planName`.
	 * Null (and nothing added) unless `amount` is a positive integer.
	 */
	addCredits(amount: number, planName: string): Balance | null {
		if (!Number.isInteger(amount) || amount <= 0) return null;
		this.state();
		this.sql.exec("UPDATE state SET purchased = purchased + ? WHERE id = 1", amount);
		return this.balance(planName)!;
	}

	/** The balance on the account's plan `planName`; null when `keyId` (the key asking) has been revoked. */
	balance(planName: string, keyId?: string): (Balance & TestUsage) | null {
		if (keyId && this.isRevoked(keyId)) return null;
		const state = this.state();
		const plan = this.plan(planName);
		return {
			credits_left: this.creditsLeft(state, plan),
			plan: plan.name,
			monthly_allowance: plan.monthly_allowance,
			requests_per_minute: plan.requests_per_minute,
			concurrency: plan.concurrency,
			used_this_period: state.monthly_used + state.purchased_used,
			purchased_credits: state.purchased,
			resets_at: nextResetAt(Date.now()),
			test_daily_limit: TEST_DAILY_CAP,
			test_used_today: state.test_used,
		};
	}

	/** Records that an API key was deleted; told before the deletion returns to the client. */
	revokeKey(keyId: string): void {
		this.sql.exec("INSERT INTO revoked_keys (key_id, revoked_at) VALUES (?, ?) ON CONFLICT DO NOTHING", keyId, Date.now());
	}

	private isRevoked(keyId: string): boolean {
		return this.sql.exec("SELECT 1 FROM revoked_keys WHERE key_id = ?", keyId).toArray().length > 0;
	}

	/**
	 * The object's own housekeeping: refunds reservations left open past their deadline (a
	 * crashed request), forgets settled ones past their retention, drops a rate window that has
	 * ended, and deletes expired Idempotency-Key records with their stored responses in R2.
	 */
	override async alarm(): Promise<void> {
		const now = Date.now();
		const expired = this.sql
			.exec<Reservation>("SELECT * FROM reservations WHERE status = 'reserved' AND expires_at <= ?", now)
			.toArray();
		for (const r of expired) this.release(r);
		this.sql.exec("DELETE FROM reservations WHERE status != 'reserved' AND expires_at <= ?", now - SETTLED_RETENTION_MS);
		this.sql.exec("DELETE FROM rate_window WHERE window < ?", Math.floor(now / RATE_WINDOW_MS));
		const blobs = this.sql
			.exec<{ blob_key: string }>("DELETE FROM idempotency WHERE expires_at <= ? RETURNING blob_key", now)
			.toArray()
			.flatMap((r) => (r.blob_key ? [r.blob_key] : []));
		this.scheduleAlarm();
		// Best effort: a blob left behind is never read again (its record is gone) and R2's lifecycle rule removes it.
		if (blobs.length > 0) await this.env.PDFS.delete(blobs).catch(() => {});
	}

	private release(r: Reservation): void {
		const state = this.state();
		if (r.kind === "test") {
			// A test slot is only given back to the day it was taken from.
			if (r.day === state.day) this.sql.exec("UPDATE state SET test_used = MAX(test_used - ?, 0) WHERE id = 1", r.test_slots);
			this.sql.exec("UPDATE reservations SET status = 'refunded' WHERE request_id = ?", r.request_id);
			return;
		}
		// A monthly credit is only given back to the month it was taken from.
		const monthly = r.period === state.period ? r.monthly : 0;
		this.sql.exec(
			"UPDATE state SET monthly_used = monthly_used - ?, purchased = purchased + ?, purchased_used = MAX(purchased_used - ?, 0) WHERE id = 1",
			monthly,
			r.purchased,
			r.purchased,
		);
		this.sql.exec("UPDATE reservations SET status = 'refunded' WHERE request_id = ?", r.request_id);
	}

	/**
	 * Sets the alarm to the earliest deadline: an open reservation's, an Idempotency-Key record's
	 * expiry, or the end of a settled reservation's retention (without it, an account with no
	 * open deadline would keep its settled reservations forever).
	 */
	private scheduleAlarm(): void {
		const next = this.sql
			.exec<{ at: number | null }>(
				`SELECT MIN(at) AS at FROM (
					SELECT MIN(expires_at) AS at FROM reservations WHERE status = 'reserved'
					UNION ALL SELECT MIN(expires_at) + ? FROM reservations WHERE status != 'reserved'
					UNION ALL SELECT MIN(expires_at) FROM idempotency
				)`,
				SETTLED_RETENTION_MS,
			)
			.one().at;
		// The earliest deadline is always the right next alarm; setAlarm replaces the old one.
		if (next !== null) void this.ctx.storage.setAlarm(next);
	}

	/** The state row, rolled over to the current month and day when a new one has begun. */
	private state(): State {
		const now = Date.now();
		const period = periodOf(now);
		const day = dayOf(now);
		this.sql.exec(
			"INSERT INTO state (id, period, monthly_used, purchased, purchased_used, day, test_used) VALUES (1, ?, 0, 0, 0, ?, 0) ON CONFLICT (id) DO NOTHING",
			period,
			day,
		);
		this.sql.exec("UPDATE state SET period = ?, monthly_used = 0, purchased_used = 0 WHERE id = 1 AND period != ?", period, period);
		this.sql.exec("UPDATE state SET day = ?, test_used = 0 WHERE id = 1 AND day != ?", day, day);
		return this.sql.exec<State>("SELECT period, monthly_used, purchased, purchased_used, day, test_used FROM state WHERE id = 1").one();
	}

	private reservation(requestId: string): Reservation | undefined {
		return this.sql.exec<Reservation>("SELECT * FROM reservations WHERE request_id = ?", requestId).toArray()[0];
	}

	private creditsLeft(state: State, plan: Plan): number {
		return Math.max(0, plan.monthly_allowance - state.monthly_used) + state.purchased;
	}

	/** The limits of the plan named `name` (an unknown name counts as `free`), with any `PLAN_LIMITS` override. */
	private plan(name: string): Plan & { name: PlanName } {
		return planLimits(name, this.env);
	}

	/** Sync renders in flight: open sync reservations (one a crashed request left behind counts until its deadline). */
	private inFlight(): number {
		return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM reservations WHERE status = 'reserved' AND sync = 1 AND expires_at > ?", Date.now()).one().n;
	}

	/** The account's rate now; with `count`, counts one request first unless the window is full (then `ok` is false). */
	private rate(plan: Plan, count: boolean): HitResult {
		return countInWindow(this.sql, plan.requests_per_minute, RATE_WINDOW_MS, count);
	}
}
