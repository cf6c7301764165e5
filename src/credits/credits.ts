import { DurableObject } from "cloudflare:workers";

/** Credits in each calendar month (UTC) on the free plan. */
export const MONTHLY_ALLOWANCE = 50;
/** A reservation neither committed nor refunded after this long is refunded by the alarm (sync requests; async jobs pass their own). */
export const RESERVATION_TTL_MS = 5 * 60_000;
/** Documents a day (UTC) that an account's test-mode keys may make; they cost no credits. */
export const TEST_DAILY_CAP = 100;
/** Settled reservations are kept this long so that a replayed request id is still recognised. */
const SETTLED_RETENTION_MS = 40 * 24 * 3600_000;

export interface Balance {
	credits_left: number;
	monthly_allowance: number;
	used_this_period: number;
	purchased_credits: number;
	resets_at: string;
}

export type ReserveResult =
	| { ok: true; credits_left: number }
	| { ok: false; credits_left: number; reason: "insufficient_credits" | "test_daily_cap" | "revoked_key" };

export interface TestUsage {
	test_daily_limit: number;
	test_used_today: number;
}

type State = {
	period: string;
	monthly_used: number;
	purchased: number;
	purchased_used: number;
	day: string;
	test_used: number;
};

type Reservation = {
	request_id: string;
	kind: "credit" | "test";
	period: string;
	day: string;
	monthly: number;
	purchased: number;
	status: "reserved" | "committed" | "refunded";
	expires_at: number;
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
 * One object per account (`idFromName(accountId)`): the only writer of its balance.
 *
 * The monthly allowance is spent before purchased credits. Every debit is a reservation keyed by
 * the request id: `reserve` before rendering, then `commit` or `refund`. All three are idempotent,
 * and each runs as synchronous SQL with no await in between, so the Durable Object's single thread
 * makes them atomic: the balance can't go negative and a request id is charged at most once.
 * Test-mode documents go through the same reservations but count against a daily cap instead.
 */
export class Credits extends DurableObject<Env> {
	private readonly sql: SqlStorage;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
		this.sql.exec(`
			CREATE TABLE IF NOT EXISTS state (
				id INTEGER PRIMARY KEY CHECK (id = 1),
				period TEXT NOT NULL,
				monthly_used INTEGER NOT NULL CHECK (monthly_used >= 0),
				purchased INTEGER NOT NULL CHECK (purchased >= 0),
				purchased_used INTEGER NOT NULL CHECK (purchased_used >= 0),
				day TEXT NOT NULL,
				test_used INTEGER NOT NULL CHECK (test_used >= 0)
			);
			CREATE TABLE IF NOT EXISTS reservations (
				request_id TEXT PRIMARY KEY,
				kind TEXT NOT NULL,
				period TEXT NOT NULL,
				day TEXT NOT NULL,
				monthly INTEGER NOT NULL,
				purchased INTEGER NOT NULL,
				status TEXT NOT NULL,
				expires_at INTEGER NOT NULL
			);
			CREATE INDEX IF NOT EXISTS reservations_open ON reservations (status, expires_at);
			CREATE TABLE IF NOT EXISTS revoked_keys (key_id TEXT PRIMARY KEY, revoked_at INTEGER NOT NULL);
		`);
	}

	/**
	 * Takes `amount` credits for `requestId` unless the balance is short; for a test-mode request
	 * (`test: true`) takes a slot of the daily test cap instead. Repeating an id charges nothing more.
	 * A request made with a revoked key (`keyId`) is refused: the key may have been read from a
	 * D1 replica that has not seen its deletion yet.
	 */
	reserve(
		requestId: string,
		{ amount = 1, test = false, ttlMs = RESERVATION_TTL_MS, keyId }: { amount?: number; test?: boolean; ttlMs?: number; keyId?: string } = {},
	): ReserveResult {
		const state = this.state();
		if (keyId && this.isRevoked(keyId)) return { ok: false, credits_left: this.creditsLeft(state), reason: "revoked_key" };
		const existing = this.reservation(requestId);
		if (existing) {
			return existing.status === "refunded"
				? { ok: false, credits_left: this.creditsLeft(state), reason: "insufficient_credits" }
				: { ok: true, credits_left: this.creditsLeft(state) };
		}

		let monthly = 0;
		let purchased = 0;
		if (test) {
			if (state.test_used >= TEST_DAILY_CAP) return { ok: false, credits_left: this.creditsLeft(state), reason: "test_daily_cap" };
			this.sql.exec("UPDATE state SET test_used = test_used + 1 WHERE id = 1");
		} else {
			const monthlyLeft = MONTHLY_ALLOWANCE - state.monthly_used;
			if (monthlyLeft + state.purchased < amount) return { ok: false, credits_left: this.creditsLeft(state), reason: "insufficient_credits" };
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
			"INSERT INTO reservations (request_id, kind, period, day, monthly, purchased, status, expires_at) VALUES (?, ?, ?, ?, ?, ?, 'reserved', ?)",
			requestId,
			test ? "test" : "credit",
			state.period,
			state.day,
			monthly,
			purchased,
			Date.now() + ttlMs,
		);
		this.scheduleAlarm();
		return { ok: true, credits_left: this.creditsLeft(this.state()) };
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

	/** Adds purchased credits, which never expire. Null (and nothing added) unless `amount` is a positive integer. */
	addCredits(amount: number): Balance | null {
		if (!Number.isInteger(amount) || amount <= 0) return null;
		this.state();
		this.sql.exec("UPDATE state SET purchased = purchased + ? WHERE id = 1", amount);
		return this.balance()!;
	}

	/** The balance; null when `keyId` (the key asking) has been revoked. */
	balance(keyId?: string): (Balance & TestUsage) | null {
		if (keyId && this.isRevoked(keyId)) return null;
		const state = this.state();
		return {
			credits_left: this.creditsLeft(state),
			monthly_allowance: MONTHLY_ALLOWANCE,
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

	/** Refunds reservations left open past their deadline (a crashed request), and forgets old settled ones. */
	override async alarm(): Promise<void> {
		const now = Date.now();
		const expired = this.sql
			.exec<Reservation>("SELECT * FROM reservations WHERE status = 'reserved' AND expires_at <= ?", now)
			.toArray();
		for (const r of expired) this.release(r);
		this.sql.exec("DELETE FROM reservations WHERE status != 'reserved' AND expires_at <= ?", now - SETTLED_RETENTION_MS);
		this.scheduleAlarm();
	}

	private release(r: Reservation): void {
		const state = this.state();
		if (r.kind === "test") {
			// A test slot is only given back to the day it was taken from.
			if (r.day === state.day) this.sql.exec("UPDATE state SET test_used = test_used - 1 WHERE id = 1");
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

	private scheduleAlarm(): void {
		const next = this.sql.exec<{ at: number | null }>("SELECT MIN(expires_at) AS at FROM reservations WHERE status = 'reserved'").one().at;
		// The earliest open deadline is always the right next alarm; setAlarm replaces the old one.
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

	private creditsLeft(state: State): number {
		return MONTHLY_ALLOWANCE - state.monthly_used + state.purchased;
	}
}
