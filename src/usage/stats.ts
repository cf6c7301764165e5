import { and, count, gte, lt, sql } from "drizzle-orm";
import type { Db } from "../db";
import { generations, settlementFailures, tasks } from "../db/schema";

/**
 * What GET /admin/stats says of a window, from what Quire holds itself (D1): the generation log,
 * the settlement failures and the tasks the dead-letter queue gave up on. It reads the same
 * locally as in production, with no Analytics Engine or Cloudflare API.
 */
export interface WindowStats {
	/** Documents made (completed) that were requested in the window. */
	documents: number;
	/** Failed documents requested in the window, by error code. */
	failures: Record<string, number>;
	/** Median and 95th-percentile duration of the completed documents (nearest rank); null when there were none. */
	p50_ms: number | null;
	p95_ms: number | null;
	/** Failed documents whose credit was given back. */
	refunds: number;
	/** Commits, refunds and releases that failed (D1's `settlement_failures`). */
	settlement_failures: number;
	/** Async tasks the dead-letter queue's consumer gave up on. */
	dead_lettered: number;
}

/**
 * The stats of `[since, until)` (ISO 8601 strings, which sort as times). Four queries on
 * time indexes; the percentiles are computed in SQL, so no row leaves D1 but the answers.
 */
export async function windowStats(db: Db, since: string, until: string): Promise<WindowStats> {
	const inWindow = and(gte(generations.createdAt, since), lt(generations.createdAt, until));
	const [outcomes, [percentiles], [settlements], [deadLettered]] = await db.batch([
		db
			.select({ status: generations.status, errorCode: generations.errorCode, n: count(), refunds: sql<number>`coalesce(sum(${generations.refunded}), 0)`.mapWith(Number) })
			.from(generations)
			.where(inWindow)
			.groupBy(generations.status, generations.errorCode),
		// Nearest rank: the p-th percentile is the smallest duration whose rank r (1-based) has r ≥ p·n.
		db
			.select({
				p50: sql<number | null>`min(case when rn * 100 >= n * 50 then duration_ms end)`,
				p95: sql<number | null>`min(case when rn * 100 >= n * 95 then duration_ms end)`,
			})
			.from(
				sql`(select ${generations.durationMs} as duration_ms, row_number() over (order by ${generations.durationMs}) as rn, count(*) over () as n from ${generations} where ${inWindow} and ${generations.status} = 'completed')`,
			),
		db.select({ n: count() }).from(settlementFailures).where(and(gte(settlementFailures.createdAt, since), lt(settlementFailures.createdAt, until))),
		db.select({ n: count() }).from(tasks).where(and(gte(tasks.deadLetteredAt, since), lt(tasks.deadLetteredAt, until))),
	]);
	const failures: Record<string, number> = {};
	let documents = 0;
	let refunds = 0;
	for (const row of outcomes) {
		refunds += row.refunds;
		if (row.status === "completed") documents += row.n;
		else failures[row.errorCode ?? "INTERNAL"] = (failures[row.errorCode ?? "INTERNAL"] ?? 0) + row.n;
	}
	return {
		documents,
		failures,
		p50_ms: percentiles?.p50 ?? null,
		p95_ms: percentiles?.p95 ?? null,
		refunds,
		settlement_failures: settlements?.n ?? 0,
		dead_lettered: deadLettered?.n ?? 0,
	};
}

/** The last hour's and the last day's stats, both ending at `now`. */
export async function recentStats(db: Db, now = Date.now()): Promise<{ last_hour: WindowStats; last_day: WindowStats }> {
	const until = new Date(now + 1).toISOString();
	const [last_hour, last_day] = await Promise.all([windowStats(db, new Date(now - 3600_000).toISOString(), until), windowStats(db, new Date(now - 86_400_000).toISOString(), until)]);
	return { last_hour, last_day };
}
