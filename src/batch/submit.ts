import { eq } from "drizzle-orm";
import { newId } from "../auth/api-key";
import { creditsFor, reserveCredits, type Reserved } from "../credits/client";
import type { Db } from "../db";
import { batches, tasks } from "../db/schema";
import { ASYNC_RESERVATION_TTL_MS } from "../generation/pipeline";
import type { AuthContext } from "../http/app-env";
import { ApiError } from "../http/errors";
import { type Job, type JobInput, jobInputKey, putJobInput } from "../jobs/consumer";
import { log, settle } from "../log";

/** One document of a batch, prepared: its job input (as an async generate's), and what its task records. */
export interface BatchDocumentJob {
	input: JobInput;
	templateId: string | null;
	missingVariables: string[];
	metadata?: Record<string, unknown>;
}

export interface BatchSubmission {
	batchId: string;
	documents: BatchDocumentJob[];
	output?: "zip" | "merged";
	outputFilename?: string;
	/** How long the output file stays downloadable (the documents' own carry theirs in their inputs). */
	expiresInHours: number;
	webhookUrl?: string;
	metadata?: Record<string, unknown>;
}

/**
 * Queues a batch: every document becomes an ordinary async task with the batch's id, made,
 * charged and refunded by the queue consumer exactly as one sent to POST /v1/generate with
 * `async_mode`. Every document's credit is reserved first, in one all-or-nothing call (402 and
 * nothing taken when the balance can't cover them all; one request against the rate); then
 * the inputs go to R2, the batch and its tasks to D1 in one transaction, and the jobs to the
 * queue in one send. If any of that fails, every credit is refunded, what was written is
 * removed, and the client gets 503.
 */
export async function submitBatch(env: Env, db: Db, auth: AuthContext, submission: BatchSubmission): Promise<{ reserved: Reserved; taskIds: string[] }> {
	const { batchId, documents } = submission;
	const taskIds = documents.map(() => newId("task"));
	const credits = creditsFor(env, auth.accountId);
	const reserved = await reserveCredits(credits, taskIds, auth, { ttlMs: ASYNC_RESERVATION_TTL_MS });
	const createdAt = new Date().toISOString();
	try {
		await Promise.all(documents.map((document, i) => putJobInput(env.PDFS, taskIds[i]!, document.input)));
		const batchRow = db.insert(batches).values({
			id: batchId,
			accountId: auth.accountId,
			mode: auth.mode,
			keyId: auth.keyId,
			total: documents.length,
			output: submission.output ?? null,
			outputFilename: submission.outputFilename ?? null,
			expiresInHours: submission.expiresInHours,
			webhookUrl: submission.webhookUrl ?? null,
			metadata: submission.metadata ? JSON.stringify(submission.metadata) : null,
			createdAt,
		});
		// One statement per task: D1 binds at most 100 parameters a statement.
		const taskRows = documents.map((document, i) =>
			db.insert(tasks).values({
				id: taskIds[i]!,
				accountId: auth.accountId,
				status: "queued",
				mode: auth.mode,
				keyId: auth.keyId,
				templateId: document.templateId,
				metadata: document.metadata ? JSON.stringify(document.metadata) : null,
				missingVariables: document.missingVariables.length > 0 ? JSON.stringify(document.missingVariables) : null,
				createdAt,
				batchId,
				batchIndex: i,
			}),
		);
		await db.batch([batchRow, ...taskRows]);
		await env.JOBS.sendBatch(taskIds.map((taskId) => ({ body: { kind: "generate", task_id: taskId } satisfies Job })));
		return { reserved, taskIds };
	} catch (cause) {
		await Promise.all(taskIds.map((taskId) => settle(db, "refund", taskId, () => credits.refund(taskId))));
		// No one was given the batch's id: what was written of it goes (a task already queued finds no row and is dropped).
		await db
			.batch([db.delete(tasks).where(eq(tasks.batchId, batchId)), db.delete(batches).where(eq(batches.id, batchId))])
			.catch((error: unknown) => log.error("batch_cleanup_failed", { batch_id: batchId }, error));
		await env.PDFS.delete(taskIds.map(jobInputKey)).catch(() => {});
		throw new ApiError("SERVICE_UNAVAILABLE", "The batch could not be queued; nothing was charged", undefined, cause);
	}
}
