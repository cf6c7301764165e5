import { and, desc, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Db } from "../db";
import { tasks, type Task } from "../db/schema";
import { type Cursor, olderThan } from "../http/pagination";
import type { FailedResource } from "../rendering/resources";
import type { DeliveryAttempt } from "./webhooks";

/** The task object of the API (GET /v1/tasks/<id>, and the webhook body). */
export function taskView(task: Task) {
	return {
		task_id: task.id,
		status: task.status,
		...(task.url ? { url: task.url, expires_at: task.expiresAt, pages: task.pages } : {}),
		...(task.blockedResources ? { blocked_resources: JSON.parse(task.blockedResources) as string[] } : {}),
		...(task.failedResources ? { failed_resources: JSON.parse(task.failedResources) as FailedResource[] } : {}),
		...(task.missingVariables ? { missing_variables: JSON.parse(task.missingVariables) as string[] } : {}),
		...(task.errorCode ? { error: { code: task.errorCode, message: task.errorMessage } } : {}),
		...(task.metadata ? { metadata: JSON.parse(task.metadata) as Record<string, unknown> } : {}),
		created_at: task.createdAt,
		...(task.completedAt ? { completed_at: task.completedAt, response_time_ms: task.responseTimeMs } : {}),
	};
}

export function getTask(db: Db, taskId: string) {
	return db.select().from(tasks).where(eq(tasks.id, taskId)).get();
}

/** A page of the account's tasks, newest first: `limit + 1` rows, for `toPage`. */
export function listTasks(db: Db, accountId: string, limit: number, cursor: Cursor | null) {
	return db
		.select()
		.from(tasks)
		.where(and(eq(tasks.accountId, accountId), olderThan(tasks.createdAt, tasks.id, cursor)))
		.orderBy(desc(tasks.createdAt), desc(tasks.id))
		.limit(limit + 1)
		.all();
}

/**
 * Takes the task for one render: it must be queued, or processing with an expired lease (a
 * consumer that died). One statement, so two deliveries of the same message can't both win.
 */
export async function claimTask(db: Db, taskId: string, leaseMs: number): Promise<boolean> {
	const now = Date.now();
	const result = await db
		.update(tasks)
		.set({ status: "processing", startedAt: new Date(now).toISOString(), leaseUntil: now + leaseMs, attempts: sql`${tasks.attempts} + 1` })
		.where(and(eq(tasks.id, taskId), or(eq(tasks.status, "queued"), and(eq(tasks.status, "processing"), lt(tasks.leaseUntil, now)))))
		.run();
	return result.meta.changes === 1;
}

/** Gives a claimed task back (its attempt failed and will be retried). */
export async function releaseTask(db: Db, taskId: string): Promise<void> {
	await db.update(tasks).set({ status: "queued", leaseUntil: null }).where(and(eq(tasks.id, taskId), eq(tasks.status, "processing"))).run();
}

/** Moves an unfinished task to its final state. False when it had already finished. */
export async function finishTask(
	db: Db,
	taskId: string,
	outcome:
		| { status: "completed"; url: string; expiresAt: string; pages: number; responseTimeMs: number; blockedResources: string | null; failedResources: string | null }
		| { status: "failed"; errorCode: string; errorMessage: string; responseTimeMs?: number; failedResources?: string | null; deadLetteredAt?: string },
): Promise<boolean> {
	const result = await db
		.update(tasks)
		.set({ ...outcome, completedAt: new Date().toISOString(), leaseUntil: null })
		.where(and(eq(tasks.id, taskId), inArray(tasks.status, ["queued", "processing"])))
		.run();
	return result.meta.changes === 1;
}

export async function recordWebhookAttempt(db: Db, taskId: string, attempt: DeliveryAttempt): Promise<void> {
	await db
		.update(tasks)
		.set({ webhookAttempts: sql`json_insert(${tasks.webhookAttempts}, '$[#]', json(${JSON.stringify(attempt)}))` })
		.where(eq(tasks.id, taskId))
		.run();
}
