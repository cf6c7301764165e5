import { DurableObject } from "cloudflare:workers";
import { migrate, type Migration } from "../db/durable-migrations";
import { countInWindow, type HitResult } from "./window";

/** The RateLimiter's SQLite schema (see src/db/durable-migrations.ts: append to change it, never edit). */
export const RATE_LIMITER_MIGRATIONS: readonly Migration[] = [
	// 1: the current window's count; objects made before versioning already have it.
	(sql) => sql.exec("CREATE TABLE IF NOT EXISTS rate_window (id INTEGER PRIMARY KEY CHECK (id = 1), window INTEGER NOT NULL, count INTEGER NOT NULL)"),
];

/**
 * A request counter for something other than an account: one object per key
 * (`idFromName("signup:<ip>")`), a fixed window in SQLite, so the count survives eviction and is
 * the same from every Worker instance. Accounts are counted by their Credits object instead.
 */
export class RateLimiter extends DurableObject<Env> {
	private readonly sql: SqlStorage;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.sql = ctx.storage.sql;
		void ctx.blockConcurrencyWhile(async () => migrate(ctx.storage, RATE_LIMITER_MIGRATIONS));
	}

	/**
	 * Counts one request in the current `windowMs` window unless `limit` were already counted (then
	 * `ok: false`, not counted). `window` names the window it was counted in, for {@link release}.
	 */
	hit(limit: number, windowMs: number): HitResult & { window: number } {
		const window = Math.floor(Date.now() / windowMs);
		// The alarm clears the count once its window has ended (a later hit moves it on).
		void this.ctx.storage.setAlarm((window + 1) * windowMs);
		return { ...countInWindow(this.sql, limit, windowMs, true), window };
	}

	/**
	 * Runs at the end of the last counted window: the count is no longer needed (the next hit
	 * starts a new window), so the object keeps nothing for a client that has gone.
	 */
	override async alarm(): Promise<void> {
		this.sql.exec("DELETE FROM rate_window");
	}

	/** Uncounts a request counted in `window` that was refused after all; nothing once that window is over. */
	release(window: number): void {
		this.sql.exec("UPDATE rate_window SET count = count - 1 WHERE id = 1 AND window = ? AND count > 0", window);
	}
}

/** The counter for `key`. */
export function rateLimiterFor(env: Env, key: string): DurableObjectStub<RateLimiter> {
	return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(key));
}

/**
 * Whom a per-IP limit counts: an IPv4 address as it is, an IPv6 address by its /64 (one
 * subscriber's network: it can use any of its 2^64 addresses), and `unknown` without one.
 *
 * @example clientKey("2001:db8:1:2::7") // "2001:db8:1:2::/64"
 */
export function clientKey(ip: string | undefined): string {
	const address = ip?.trim().toLowerCase();
	if (!address) return "unknown";
	if (!address.includes(":")) return address;
	const [head = "", tail] = address.split("::", 2);
	const groups = head ? head.split(":") : [];
	if (tail !== undefined) {
		const tailGroups = tail ? tail.split(":").flatMap((g) => (g.includes(".") ? ["0", "0"] : [g])) : [];
		groups.push(...Array<string>(Math.max(0, 8 - groups.length - tailGroups.length)).fill("0"), ...tailGroups);
	}
	return `${groups
		.slice(0, 4)
		.map((g) => (g.replace(/^0+(?=.)/, "") || "0"))
		.join(":")}::/64`;
}
