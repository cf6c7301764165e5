import { eq } from "drizzle-orm";
import { creditsFor } from "../credits/client";
import { createDb, type Db } from "../db";
import { accounts, type Task } from "../db/schema";
import { ApiError, type ErrorCode } from "../http/errors";
import { publicOrigin } from "../http/public-origin";
import type { PageOptions } from "../rendering/page-options";
import { isCharged, renderPdf } from "../rendering/render";
import type { Region } from "../rendering/fleet/regions";
import { storePdf } from "../storage/pdfs";
import { log } from "../log";
import { recordGeneration } from "../usage/generations";
import { claimTask, finishTask, getTask, recordWebhookAttempt, releaseTask, taskView } from "./tasks";
import { deliver, shouldRetry, signatureHeader, WEBHOOK_MAX_ATTEMPTS, webhookSecret } from "./webhooks";

/** A message of the JOBS queue. The job's input (HTML and options, possibly megabytes) waits in R2. */
export type Job = { kind: "generate"; task_id: string } | { kind: "webhook"; task_id: string };

/** What `POST /v1/generate` leaves in R2 for the consumer, under {@link jobInputKey}. */
export interface JobInput {
	html: string;
	options: PageOptions;
	filename: string;
	/** The origin URLs were given when the job was submitted ({@link publicOrigin}); PUBLIC_ORIGIN, when set, wins. */
	origin: string;
	/** The account's setting when the job was submitted: the page may load nothing remote. */
	blockRemote: boolean;
	/** Whether the page's scripts run. Absent in jobs queued before it was recorded. */
	javascript?: boolean;
	/** The request's `fail_on_resource_error`. Absent in jobs queued before it existed. */
	failOnResourceError?: boolean;
	/** The region nearest the client that submitted it: the job renders there. Absent in older jobs (the first enabled region). */
	region?: Region;
}

export const jobInputKey = (taskId: string) => `jobs/${taskId}.json`;

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
		return await renderAndStore(env, db, task);
	} catch (error) {
		// Let the retry (or another delivery) take the task at once rather than wait out the lease.
		await releaseTask(db, task.id);
		throw error;
	}
}

async function renderAndStore(env: Env, db: Db, task: Task): Promise<Outcome> {
	const started = Date.now();
	const stored = await env.PDFS.get(jobInputKey(task.id));
	if (!stored) throw new Error(`input of ${task.id} is missing from R2`);
	const input = await stored.json<JobInput>();
	// Before rendering: a PUBLIC_ORIGIN that is not an origin fails here, while a retry can still refund.
	const origin = publicOrigin(env, input.origin);

	// The plan (its share of a renderer applies) is D1's, its one source, read now: a change made while the job waited applies.
	const account = await db.select({ plan: accounts.plan }).from(accounts).where(eq(accounts.id, task.accountId)).get();

	let rendered;
	try {
		// The task's mode, recorded at submission, decides the TEST stamp (jobs queued before the
		// stamp moved onto the PDF carry it in their HTML too, and get both).
		const doc = { accountId: task.accountId, plan: account?.plan ?? "free", blockRemote: input.blockRemote, javascript: input.javascript ?? true, mode: task.mode, async: true, failOnResourceError: input.failOnResourceError, region: input.region };
		rendered = await renderPdf(env, input.html, input.options, doc);
	} catch (error) {
		if (error instanceof ApiError && error.code === "RENDERER_BUSY") return waitForRenderer(env, db, task, error);
		if (error instanceof ApiError && FINAL_RENDER_ERRORS.has(error.code)) {
			// RESOURCE_FAILED: the task shows which resources failed it.
			const failed = error.details?.failed_resources;
			await settleFailed(env, db, task, error.code, error.message, { charged: isCharged(error), failedResources: failed ? JSON.stringify(failed) : null });
			return "ack";
		}
		throw error;
	}
	const pdf = await storePdf(env.PDFS, task.accountId, rendered.pdf, input.filename, Number(env.PDF_RETENTION_HOURS));
	await creditsFor(env, task.accountId).commit(task.id);
	const finished = await finishTask(db, task.id, {
		status: "completed",
		url: `${origin}/upload/${pdf.key}`,
		expiresAt: pdf.expiresAt.toISOString(),
		pages: rendered.pages,
		responseTimeMs: Date.now() - started,
		blockedResources: rendered.blocked.length > 0 ? JSON.stringify(rendered.blocked) : null,
		failedResources: rendered.failed.length > 0 ? JSON.stringify(rendered.failed) : null,
	});
	if (finished) {
		await logFinished(db, task, { status: "completed", pages: rendered.pages, bytes: rendered.pdf.byteLength });
		await afterFinish(env, task);
	}
	return "ack";
}

/**
 * The region's renderers stayed busy: the job goes back to the queue as a new message (a busy
 * fleet is not a failed attempt, so it never reaches the dead-letter queue for it), and its
 * task stays queued with its credit reserved.
 */
async function waitForRenderer(env: Env, db: Db, task: Task, busy: ApiError): Promise<Outcome> {
	const delaySeconds = Math.min(60, Number(busy.headers?.["Retry-After"]) || 5);
	await env.JOBS.send({ kind: "generate", task_id: task.id } satisfies Job, { delaySeconds });
	await releaseTask(db, task.id);
	log.info("job_waits_for_renderer", { task_id: task.id, delay_seconds: delaySeconds });
	return "ack";
}

/** The dead-letter queue's consumer: the job will not be tried again. */
async function giveUp(env: Env, job: Job): Promise<Outcome> {
	if (job.kind !== "generate") return "ack"; // a webhook's attempts are already recorded on its task
	const db = createDb(env.DB);
	const task = await getTask(db, job.task_id);
	if (task && (task.status === "queued" || task.status === "processing")) {
		await settleFailed(env, db, task, "RENDER_FAILED", `Rendering failed after ${task.attempts} attempts; the credit was refunded`);
	}
	return "ack";
}

/** A task that won't be tried again: refunded, unless the document was stopped at its render limit (see `isCharged`). */
async function settleFailed(env: Env, db: Db, task: Task, code: ErrorCode, message: string, { charged = false, failedResources = null as string | null } = {}): Promise<void> {
	const credits = creditsFor(env, task.accountId);
	await (charged ? credits.commit(task.id) : credits.refund(task.id));
	if (await finishTask(db, task.id, { status: "failed", errorCode: code, errorMessage: message, failedResources })) {
		await logFinished(db, task, { status: "failed", errorCode: code });
		await afterFinish(env, task);
	}
}

/**
 * Writes the finished task to the generation log. Only the delivery whose `finishTask` moved the
 * task gets here, and the write is idempotent by id besides; it never throws, so a log that can't
 * be written never retries the job.
 */
async function logFinished(db: Db, task: Task, outcome: { status: "completed"; pages: number; bytes: number } | { status: "failed"; errorCode: ErrorCode }): Promise<void> {
	await recordGeneration(db, {
		id: task.id,
		accountId: task.accountId,
		// Tasks queued before key ids were recorded on them have none.
		keyId: task.keyId ?? "unknown",
		mode: task.mode,
		source: "async",
		templateId: task.templateId,
		...outcome,
		durationMs: Date.now() - Date.parse(task.createdAt),
		taskId: task.id,
		createdAt: task.createdAt,
	});
}

/** Once a task has finished: its input is no longer needed, and its webhook (if any) is due. */
async function afterFinish(env: Env, task: Task): Promise<void> {
	await env.PDFS.delete(jobInputKey(task.id));
	if (task.webhookUrl) await env.JOBS.send({ kind: "webhook", task_id: task.id } satisfies Job);
}

async function sendWebhook(env: Env, taskId: string, attempts: number): Promise<Outcome> {
	const db = createDb(env.DB);
	const task = await getTask(db, taskId);
	if (!task?.webhookUrl) return "ack";
	const account = await db.select({ generation: accounts.webhookSecretGeneration }).from(accounts).where(eq(accounts.id, task.accountId)).get();
	if (!account?.generation || !env.WEBHOOK_SECRET_KEY) {
		await recordWebhookAttempt(db, task.id, { at: new Date().toISOString(), error: "the account has no webhook secret" });
		return "ack";
	}
	const secret = await webhookSecret(env.WEBHOOK_SECRET_KEY, task.accountId, account.generation);
	const body = JSON.stringify(taskView(task));
	const attempt = await deliver(task.webhookUrl, body, await signatureHeader(secret, body, Math.floor(Date.now() / 1000)));
	await recordWebhookAttempt(db, task.id, attempt);
	if (shouldRetry(attempt) && attempts < WEBHOOK_MAX_ATTEMPTS) return { retryInSeconds: 10 * 2 ** (attempts - 1) };
	return "ack";
}
