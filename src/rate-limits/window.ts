/** Where a client stands against a rate: what the `X-RateLimit-*` headers say. */
export interface RateState {
	limit: number;
	remaining: number;
	/** Seconds until the window ends and `remaining` is back to `limit`. */
	reset: number;
}

/** Whether the request may go on (false: over the rate), and the rate after counting it. */
export type HitResult = { ok: boolean; rate: RateState };

/** Each object using it creates the one-row `rate_window (id, window, count)` table in its migrations. */

/**
 * A fixed window of `windowMs` (aligned to the epoch) in a Durable Object's SQLite: with `count`,
 * counts one request unless `limit` were already counted (then `ok: false`, not counted);
 * without, only reads. Synchronous SQL, so the object's single thread makes it atomic.
 */
export function countInWindow(sql: SqlStorage, limit: number, windowMs: number, count: boolean): HitResult {
	const now = Date.now();
	const window = Math.floor(now / windowMs);
	const row = sql.exec<{ window: number; count: number }>("SELECT window, count FROM rate_window WHERE id = 1").toArray()[0];
	let used = row && row.window === window ? row.count : 0;
	const ok = used < limit;
	if (count && ok) {
		used++;
		sql.exec("INSERT INTO rate_window (id, window, count) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET window = excluded.window, count = excluded.count", window, used);
	}
	const reset = Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000));
	return { ok: ok || !count, rate: { limit, remaining: Math.max(0, limit - used), reset } };
}
