import { and, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { Db } from "../db";
import { generations } from "../db/schema";
import { type Cursor, olderThan } from "../http/pagination";
import { log } from "../log";

/** One row of the generation log, as written. */
export type NewGeneration = typeof generations.$inferInsert;

/**
 * Writes one generation to the log. Never rejects: the log is for the dashboard, so a failed
 * write is logged and dropped rather than failing a request or a job. Idempotent by id, since a
 * queue message can be delivered twice.
 *
 * @example c.executionCtx.waitUntil(recordGeneration(c.var.db, { id: requestId, … }))
 */
export async function recordGeneration(db: Db, row: NewGeneration): Promise<void> {
	try {
		await db.insert(generations).values(row).onConflictDoNothing({ target: generations.id }).run();
	} catch (error) {
		log.error("generation_log_failed", { generation_id: row.id, account_id: row.accountId }, error);
	}
}

/** A page of the account's log, newest first: `limit + 1` rows, for `toPage`. */
export function listGenerations(db: Db, accountId: string, limit: number, cursor: Cursor | null) {
	return db
		.select()
		.from(generations)
		.where(and(eq(generations.accountId, accountId), olderThan(generations.createdAt, generations.id, cursor)))
		.orderBy(desc(generations.createdAt), desc(generations.id))
		.limit(limit + 1)
		.all();
}

export interface DayUsage {
	/** `2026-11-21`, UTC. */
	date: string;
	documents: number;
	test_documents: number;
}

/**
 * Completed documents per UTC day from `firstDay` to `lastDay` (both `YYYY-MM-DD`, inclusive),
 * live and test apart, every day listed (zeros included). One grouped query over the
 * `(account_id, created_at)` index.
 */
export async function dailyUsage(db: Db, accountId: string, firstDay: string, lastDay: string): Promise<DayUsage[]> {
	const day = sql<string>`substr(${generations.createdAt}, 1, 10)`;
	const rows = await db
		.select({
			date: day,
			documents: sql<number>`sum(${generations.mode} = 'live')`.mapWith(Number),
			test_documents: sql<number>`sum(${generations.mode} = 'test')`.mapWith(Number),
		})
		.from(generations)
		.where(
			and(
				eq(generations.accountId, accountId),
				eq(generations.status, "completed"),
				gte(generations.createdAt, `${firstDay}T00:00:00.000Z`),
				lt(generations.createdAt, `${nextDay(lastDay)}T00:00:00.000Z`),
			),
		)
		.groupBy(day)
		.all();
	const byDay = new Map(rows.map((r) => [r.date, r]));
	const days: DayUsage[] = [];
	for (let date = firstDay; date <= lastDay; date = nextDay(date)) {
		const found = byDay.get(date);
		days.push({ date, documents: found?.documents ?? 0, test_documents: found?.test_documents ?? 0 });
	}
	return days;
}

function nextDay(date: string): string {
	return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
