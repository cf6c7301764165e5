import { creditsFor, type Reserved } from "../credits/client";
import type { Db } from "../db";
import { tasks } from "../db/schema";
import { ApiError } from "../http/errors";
import type { AuthContext } from "../http/app-env";
import { type Job, type JobInput, putJobInput } from "./consumer";
import { log, settle } from "../log";
import { reserve } from "../generation/pipeline";
import { finishTask } from "./tasks";

export interface Submission {
	taskId: string;
	input: JobInput;
	webhookUrl?: string;
	metadata?: Record<string, unknown>;
	/** The request's `template_id` (none for inline HTML), for the generation log. */
	templateId?: string;
	/** What the data left blank, known before rendering, so recorded with the task. */
	missingVariables?: string[];
	/** Credits the task holds: 1 (a document; the default), or a merge's rendered documents. */
	credits?: number;
}

/**
 * Async mode: reserves the credit (keyed by the task id, so the consumer's commit or refund
 * settles exactly this charge), stores the job's input in R2, records the task as queued and
 * queues it. If any step fails, the credit is refunded and the client gets 503. The reservation
 * counts the request against the plan's rate; a queued job doesn't count against its concurrency.
 */
export async function submitJob(env: Env, db: Db, auth: AuthContext, submission: Submission): Promise<Reserved> {
	const { taskId, input } = submission;
	const reserved = await reserve(env, taskId, auth, { sync: false, amount: submission.credits });
	let recorded = false;
	try {
		await putJobInput(env.PDFS, taskId, input);
		await db.insert(tasks).values({
			id: taskId,
			accountId: auth.accountId,
			status: "queued",
			mode: auth.mode,
			keyId: auth.keyId,
			templateId: submission.templateId ?? null,
			webhookUrl: submission.webhookUrl ?? null,
			metadata: submission.metadata ? JSON.stringify(submission.metadata) : null,
			missingVariables: submission.missingVariables?.length ? JSON.stringify(submission.missingVariables) : null,
			createdAt: new Date().toISOString(),
		});
		recorded = true;
		await env.JOBS.send({ kind: "generate", task_id: taskId } satisfies Job);
		return reserved;
	} catch (cause) {
		await settle(db, "refund", taskId, () => creditsFor(env, auth.accountId).refund(taskId));
		if (recorded) {
			// A task left `queued` is never picked up: say so, the 503 is already decided.
			await finishTask(db, taskId, { status: "failed", errorCode: "SERVICE_UNAVAILABLE", errorMessage: "The job could not be queued" }).catch((error: unknown) =>
				log.error("job_failed", { task_id: taskId, stage: "submit" }, error),
			);
		}
		throw new ApiError("SERVICE_UNAVAILABLE", "The job could not be queued; nothing was charged", undefined, cause);
	}
}
