import { and, asc, eq, inArray, isNull, notExists, sql } from "drizzle-orm";
import type { Db } from "../db";
import { batches, tasks, type Batch, type Task } from "../db/schema";
import type { DeliveryAttempt } from "../jobs/webhooks";

/** Documents one batch takes at most (POST /v1/batch's `documents`). */
export const MAX_BATCH_DOCUMENTS = 100;

export type BatchStatus = "queued" | "processing" | "completed";

/** The JOBS queue's message that completes a batch (one of src/jobs/consumer.ts's `Job`s). */
export type BatchJob = { kind: "batch"; batch_id: string };

export function getBatch(db: Db, batchId: string) {
	return db.select().from(batches).where(eq(batches.id, batchId)).get();
}

/** The batch's tasks, in the order of the request's `documents`. */
export function batchTasks(db: Db, batchId: string) {
	return db.select().from(tasks).where(eq(tasks.batchId, batchId)).orderBy(asc(tasks.batchIndex)).all();
}

/**
 * The batch object of the API (GET /v1/batches/{id}, and the batch webhook's body). Its status
 * is `queued` while no document has started, `processing` until every document has finished and
 * the output (if asked) is stored, then `completed`; `succeeded` and `failed` count the documents
 * finished each way so far.
 */
export function batchView(batch: Batch, documents: Task[]) {
	const succeeded = documents.filter((t) => t.status === "completed").length;
	const failed = documents.filter((t) => t.status === "failed").length;
	const status: BatchStatus = batch.completedAt ? "completed" : documents.every((t) => t.status === "queued" && t.attempts === 0) ? "queued" : "processing";
	return {
		batch_id: batch.id,
		status,
		total: batch.total,
		succeeded,
		failed,
		...(batch.output ? { output: batch.output } : {}),
		...(batch.outputUrl ? { output_url: batch.outputUrl, output_expires_at: batch.outputExpiresAt } : {}),
		...(batch.outputError ? { output_error: JSON.parse(batch.outputError) as { code: string; message: string } } : {}),
		...(batch.metadata ? { metadata: JSON.parse(batch.metadata) as Record<string, unknown> } : {}),
		created_at: batch.createdAt,
		...(batch.completedAt ? { completed_at: batch.completedAt } : {}),
		documents: documents.map((t) => ({
			index: t.batchIndex ?? 0,
			task_id: t.id,
			status: t.status,
			...(t.url ? { url: t.url, pages: t.pages } : {}),
			...(t.errorCode ? { error: { code: t.errorCode, message: t.errorMessage } } : {}),
			...(t.metadata ? { metadata: JSON.parse(t.metadata) as Record<string, unknown> } : {}),
		})),
	};
}

/**
 * Marks the batch's documents all finished, once: one statement, true only for the caller that
 * set it, and only when no task of the batch is still queued or processing. Every task that
 * finishes asks; whichever finishes last (after its own task row is final) wins, so exactly one
 * caller goes on to complete the batch.
 */
export async function claimFinished(db: Db, batchId: string): Promise<boolean> {
	const unfinished = db
		.select({ one: sql`1` })
		.from(tasks)
		.where(and(eq(tasks.batchId, batchId), inArray(tasks.status, ["queued", "processing"])));
	const result = await db
		.update(batches)
		.set({ finishedAt: new Date().toISOString() })
		.where(and(eq(batches.id, batchId), isNull(batches.finishedAt), notExists(unfinished)))
		.run();
	return result.meta.changes === 1;
}

/** Records the completed batch (its counts and output); false when another delivery already had. */
export async function markCompleted(
	db: Db,
	batchId: string,
	outcome: { succeeded: number; failed: number; outputUrl?: string; outputExpiresAt?: string; outputError?: { code: string; message: string } },
): Promise<boolean> {
	const { outputError, ...rest } = outcome;
	const result = await db
		.update(batches)
		.set({ ...rest, ...(outputError ? { outputError: JSON.stringify(outputError) } : {}), completedAt: new Date().toISOString() })
		.where(and(eq(batches.id, batchId), isNull(batches.completedAt)))
		.run();
	return result.meta.changes === 1;
}

export async function recordBatchWebhookAttempt(db: Db, batchId: string, attempt: DeliveryAttempt): Promise<void> {
	await db
		.update(batches)
		.set({ webhookAttempts: sql`json_insert(${batches.webhookAttempts}, '$[#]', json(${JSON.stringify(attempt)}))` })
		.where(eq(batches.id, batchId))
		.run();
}
