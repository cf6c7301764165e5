import { eq } from "drizzle-orm";
import { createDb, type Db } from "../db";
import { accounts, type Task } from "../db/schema";
import { ApiError, type ErrorCode } from "../http/errors";
import { publicOrigin } from "../http/public-origin";
import { ASYNC_RESERVATION_TTL_MS, type Generation, type Made, produce, settleGeneration } from "../generation/pipeline";
import type { PreparedDocument } from "../generation/prepare";
import type { Region } from "../rendering/fleet/regions";
import { log } from "../log";
import type { BatchJob } from "../batch/batches";
import { batchTaskFinished, completeBatch, giveUpBatch } from "../batch/complete";
import { makeMerged, type MergePart } from "../merge/make";
import { claimTask, finishTask, getTask, recordWebhookAttempt, releaseTask, taskView } from "./tasks";
import { deliverSigned, NO_WEBHOOK_SECRET } from "./signed-webhooks";
import { shouldRetry, WEBHOOK_MAX_ATTEMPTS } from "./webhooks";
import { deliverEndpointJob, type EndpointJob, queueEndpointEvent } from "./webhook-endpoints";

/** A message of the JOBS queue. The job's input (HTML and options, possibly megabytes) waits in R2. */
export type Job = { kind: "generate"; task_id: string } | { kind: "webhook"; task_id: string } | BatchJob | EndpointJob;

/**
 * What `POST /v1/generate` leaves in R2 for the consumer, under {@link jobInputKey}: the prepared
 * document (HTML, options, the merged `pdf` spec, file name) and the render settings of the request.
 */
export interface JobInput extends PreparedDocument {
	/** The origin URLs were given when the job was submitted ({@link publicOrigin}); PUBLIC_ORIGIN, when set, wins. */
	origin: string;
	/** An async merge (POST /v1/merge): its parts, made and merged into the one PDF, which the input's `pdf` then finishes. */
	merge?: MergePart[];
	/** The account's setting when the job was submitted: the page may load nothing remote. */
	blockRemote: boolean;
	/** Whether the page's scripts run. Absent in jobs queued before it was recorded. */
	javascript?: boolean;
	/** The request's `fail_on_resource_error`. Absent in jobs queued before it existed. */
	failOnResourceError?: boolean;
	/** How long the PDF is kept (the request's, the account's or the server's default, at submission). Absent in jobs queued before it existed. */
	expiresInHours?: number;
	/** The region nearest the client that submitted it: the job renders there. Absent in older jobs (the first enabled region). */
	region?: Region;
}

export const jobInputKey = (taskId: string) => `jobs/${taskId}.json`;

/**
 * A job's input is deleted when its task finishes; one left behind (a job never consumed, a delete
 * that failed) carries an `expires_at` (custom metadata) this long after submission, past which the
 * cron trigger deletes it: the task's credit reservation (24 h) has ended by then, plus a day.
 */
export const JOB_INPUT_RETENTION_MS = ASYNC_RESERVATION_TTL_MS + 24 * 3600_000;

/** Stores a job's input for the consumer, with its `expires_at` ({@link JOB_INPUT_RETENTION_MS}). */
export async function putJobInput(bucket: R2Bucket, taskId: string, input: JobInput): Promise<void> {
	const expiresAt = new Date(Date.now() + JOB_INPUT_RETENTION_MS).toISOString();
	await bucket.put(jobInputKey(taskId), JSON.stringify(input), { customMetadata: { expires_at: expiresAt } });
}

/** How long one consumer holds a task; a consumer that died lets it go after this. */
const LEASE_MS = 2 * 60_000;
/** Render failures that another attempt would not change: the task fails at once. */
const FINAL_RENDER_ERRORS = new Set<ErrorCode>(["VALIDATION_ERROR", "TEMPLATE_ERROR", "RENDER_TIMEOUT", "DOCUMENT_TOO_LARGE", "RESOURCE_FAILED"]);

type Outcome = "ack" | { retryInSeconds: number };

/**
 * Consumer of the JOBS queue and of its dead-letter queue. Each message is acknowledged or
 * retried on its own, with exponential backoff; a generate job that keeps failing reaches the
 * dead-letter queue after the last retry, where its task fails and its credit is refunded.
 */
export async function handleJobs(batch: MessageBatch<Job>, env: Env): Promise<void> {
	const deadLetter = batch.queue.endsWith("-dlq");
	await Promise.all(
		batch.messages.map(async (message) => {
			let outcome: Outcome;
			try {
				const job = message.body;
				if (deadLetter) outcome = await giveUp(env, job);
				else if (job.kind === "webhook") outcome = await sendWebhook(env, job.task_id, message.attempts);
				else if (job.kind === "batch") outcome = await completeBatch(env, job.batch_id, message.attempts);
				else if (job.kind === "endpoint") outcome = await deliverEndpointJob(env, createDb(env.DB), job, message.attempts);
				else outcome = await generate(env, job.task_id);
			} catch (error) {
				log.error("job_failed", { queue: batch.queue, message_id: message.id, attempts: message.attempts }, error);
				outcome = { retryInSeconds: 2 ** message.attempts };
			}
			if (outcome === "ack") message.ack();
			else message.retry({ delaySeconds: outcome.retryInSeconds });
		}),
	);
}

async function generate(env: Env, taskId: string): Promise<Outcome> {
	const db = createDb(env.DB);
	const task = await getTask(db, taskId);
	// Unknown, or already finished: a redelivery, which must not render or charge again.
	if (!task || task.status === "completed" || task.status === "failed") return "ack";
	// Another delivery is rendering it now: look again later, when it will have finished.
	if (!(await claimTask(db, task.id, LEASE_MS))) return { retryInSeconds: 30 };

	try {
		return await produceTask(env, db, task);
	} catch (error) {
		// Let the retry (or another delivery) take the task at once rather than wait out the lease.
		await releaseTask(db, task.id);
		if (error instanceof ApiError && error.code === "RENDERER_BUSY") return waitForRenderer(env, task, error);
		throw error;
	}
}

/** The task's document through the pipeline: made, the task finished, its credit settled and logged. */
async function produceTask(env: Env, db: Db, task: Task): Promise<Outcome> {
	const started = Date.now();
	const stored = await env.PDFS.get(jobInputKey(task.id));
	if (!stored) throw new Error(`input of ${task.id} is missing from R2`);
	const input = await stored.json<JobInput>();
	// Before rendering: a PUBLIC_ORIGIN that is not an origin fails here, while a retry can still refund.
	const origin = publicOrigin(env, input.origin);

	// The plan (its share of a renderer applies) is D1's, its one source, read now: a change made while the job waited applies.
	const account = await db.select({ plan: accounts.plan }).from(accounts).where(eq(accounts.id, task.accountId)).get();
	// The task's mode, recorded at submission, decides the TEST stamp (jobs queued before the
	// stamp moved onto the PDF carry it in their HTML too, and get both).
	const renderFor = { accountId: task.accountId, plan: account?.plan ?? "free", blockRemote: input.blockRemote, javascript: input.javascript ?? true, mode: task.mode, async: true, failOnResourceError: input.failOnResourceError, region: input.region };

	const { concluded, settled } = await produce(env, db, {
		document: input,
		renderFor,
		render: input.merge ? () => makeMerged(env, input.merge!, renderFor, input.pdf) : undefined,
		generation: generationOf(task),
		store: { expiresInHours: input.expiresInHours ?? Number(env.PDF_RETENTION_HOURS), taskId: task.id },
		isFinal: (error) => error instanceof ApiError && FINAL_RENDER_ERRORS.has(error.code),
		// Only the delivery whose update moves the task settles it.
		conclude: (result) => finishTask(db, task.id, result.ok ? completedTask(result.made, origin, started) : failedTask(result.error)),
	});
	await settled;
	if (concluded) await afterFinish(env, task);
	return "ack";
}

function completedTask(made: Made, origin: string, started: number) {
	return {
		status: "completed" as const,
		url: `${origin}/upload/${made.stored!.key}`,
		expiresAt: made.stored!.expiresAt.toISOString(),
		pages: made.pages,
		responseTimeMs: Date.now() - started,
		blockedResources: made.blocked.length > 0 ? JSON.stringify(made.blocked) : null,
		failedResources: made.failed.length > 0 ? JSON.stringify(made.failed) : null,
	};
}

/** A task failed for good; RESOURCE_FAILED shows which resources failed it. */
function failedTask(error: unknown) {
	const apiError = error instanceof ApiError ? error : new ApiError("INTERNAL", "The document could not be made");
	const failed = apiError.details?.failed_resources;
	return { status: "failed" as const, errorCode: apiError.code, errorMessage: apiError.message, failedResources: failed ? JSON.stringify(failed) : null };
}

/** The task as the generation log records it. */
function generationOf(task: Task): Generation {
	return {
		id: task.id,
		accountId: task.accountId,
		// Tasks queued before key ids were recorded on them have none.
		keyId: task.keyId ?? "unknown",
		mode: task.mode,
		source: "async",
		templateId: task.templateId,
		createdAt: task.createdAt,
		taskId: task.id,
	};
}

/**
 * The region's renderers stayed busy: the job goes back to the queue as a new message (a busy
 * fleet is not a failed attempt, so it never reaches the dead-letter queue for it), and its
 * task stays queued with its credit reserved.
 */
async function waitForRenderer(env: Env, task: Task, busy: ApiError): Promise<Outcome> {
	const delaySeconds = Math.min(60, Number(busy.headers?.["Retry-After"]) || 5);
	await env.JOBS.send({ kind: "generate", task_id: task.id } satisfies Job, { delaySeconds });
	log.info("job_waits_for_renderer", { task_id: task.id, delay_seconds: delaySeconds });
	return "ack";
}

/** The dead-letter queue's consumer: the job will not be tried again, its task fails and its credit is refunded. */
async function giveUp(env: Env, job: Job): Promise<Outcome> {
	if (job.kind === "batch") return giveUpBatch(env, job.batch_id).then(() => "ack");
	if (job.kind !== "generate") return "ack"; // a webhook's attempts are already recorded on its task
	const db = createDb(env.DB);
	const task = await getTask(db, job.task_id);
	if (!task || (task.status !== "queued" && task.status !== "processing")) return "ack";
	const message = `Rendering failed after ${task.attempts} attempts; the credit was refunded`;
	// Marked as dead-lettered, for GET /admin/stats.
	if (await finishTask(db, task.id, { status: "failed", errorCode: "RENDER_FAILED", errorMessage: message, deadLetteredAt: new Date().toISOString() })) {
		await settleGeneration(env, db, generationOf(task), { status: "failed", errorCode: "RENDER_FAILED", charged: false });
		await afterFinish(env, task);
	}
	return "ack";
}

/**
 * Once a task has finished: its input is no longer needed, and its webhook is due: the request's
 * own `webhook_url`, else the account's webhook endpoints (a batch's documents are reported by
 * the batch's `batch.completed` instead).
 */
async function afterFinish(env: Env, task: Task): Promise<void> {
	const db = createDb(env.DB);
	await env.PDFS.delete(jobInputKey(task.id));
	// A batch's document: the batch completes once its last document has finished.
	if (task.batchId) await batchTaskFinished(env, db, task.batchId);
	if (task.webhookUrl) await env.JOBS.send({ kind: "webhook", task_id: task.id } satisfies Job);
	else if (!task.batchId) {
		const finished = (await getTask(db, task.id))!;
		await queueEndpointEvent(env, db, task.accountId, finished.status === "completed" ? "task.completed" : "task.failed", task.id, taskView(finished));
	}
}

async function sendWebhook(env: Env, taskId: string, attempts: number): Promise<Outcome> {
	const db = createDb(env.DB);
	const task = await getTask(db, taskId);
	if (!task?.webhookUrl) return "ack";
	const attempt = await deliverSigned(env, db, task.accountId, task.webhookUrl, taskView(task));
	await recordWebhookAttempt(db, task.id, attempt);
	// No secret (deleted since): nothing was sent, and another try would send nothing either.
	if (attempt.error === NO_WEBHOOK_SECRET) return "ack";
	if (shouldRetry(attempt) && attempts < WEBHOOK_MAX_ATTEMPTS) return { retryInSeconds: 10 * 2 ** (attempts - 1) };
	return "ack";
}
