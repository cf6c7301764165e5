import { randomBase62 } from "../auth/api-key";
import { createDb, type Db } from "../db";
import type { Batch, Task } from "../db/schema";
import { storeDocument } from "../generation/pipeline";
import { ApiError } from "../http/errors";
import { publicOrigin } from "../http/public-origin";
import { deliverSigned, NO_WEBHOOK_SECRET } from "../jobs/signed-webhooks";
import { queueEndpointEvent } from "../jobs/webhook-endpoints";
import { type DeliveryAttempt, shouldRetry, WEBHOOK_MAX_ATTEMPTS } from "../jobs/webhooks";
import { log } from "../log";
import { storedPdfKey } from "../merge/stored";
import { mergePdfsCounted } from "../pdf/merge";
import { zipFiles } from "../pdf/zip";
import { MAX_PAGES, MAX_PDF_BYTES } from "../rendering/render";
import { contentDisposition, fetchPdf } from "../storage/pdfs";
import { type BatchJob, batchTasks, batchView, claimFinished, getBatch, markCompleted, recordBatchWebhookAttempt } from "./batches";

/** The largest output file (zip or merged PDF) a batch makes; past it the batch completes without one, saying why. */
export const MAX_BATCH_OUTPUT_BYTES = MAX_PDF_BYTES;

/**
 * Called by the queue consumer once a task of a batch has finished (completed or failed, its
 * row final): when it was the batch's last, queues the batch's completion, once.
 */
export async function batchTaskFinished(env: Env, db: Db, batchId: string): Promise<void> {
	if (await claimFinished(db, batchId)) await env.JOBS.send({ kind: "batch", batch_id: batchId } satisfies BatchJob);
}

type Outcome = "ack" | { retryInSeconds: number };

/**
 * The `batch` job: every document has finished. Makes the output file (if asked) from the
 * succeeded documents, marks the batch completed with its counts, then delivers its one webhook
 * (retried like a task's). A redelivery after completion only retries the webhook.
 */
export async function completeBatch(env: Env, batchId: string, attempts: number): Promise<Outcome> {
	const db = createDb(env.DB);
	let batch = await getBatch(db, batchId);
	if (!batch) return "ack";
	if (!batch.completedAt) {
		const documents = await batchTasks(db, batchId);
		const succeeded = documents.filter((t) => t.status === "completed");
		const output = batch.output && succeeded.length > 0 ? await makeOutput(env, batch, succeeded) : {};
		const won = await markCompleted(db, batchId, { succeeded: succeeded.length, failed: documents.length - succeeded.length, ...output });
		// Another delivery completed it first: its output is the one shown; this one's goes.
		if (!won && output.key) await env.PDFS.delete(output.key);
		batch = (await getBatch(db, batchId))!;
		// Without a `webhook_url` of its own, the account's endpoints hear of it, once: from the delivery that completed it.
		if (won && !batch.webhookUrl) await queueEndpointEvent(env, db, batch.accountId, "batch.completed", batchId, batchView(batch, await batchTasks(db, batchId)));
	}
	// One webhook per batch: none once a delivery has had its final answer (a redelivered job).
	if (!batch.webhookUrl || (JSON.parse(batch.webhookAttempts) as DeliveryAttempt[]).some((a) => !shouldRetry(a))) return "ack";
	const attempt = await deliverSigned(env, db, batch.accountId, batch.webhookUrl, batchView(batch, await batchTasks(db, batchId)));
	await recordBatchWebhookAttempt(db, batchId, attempt);
	if (attempt.error === NO_WEBHOOK_SECRET) return "ack";
	if (shouldRetry(attempt) && attempts < WEBHOOK_MAX_ATTEMPTS) return { retryInSeconds: 10 * 2 ** (attempts - 1) };
	return "ack";
}

/**
 * The dead-letter queue's end of a `batch` job that kept failing: the batch completes without its
 * output, so that it never stays `processing`.
 */
export async function giveUpBatch(env: Env, batchId: string): Promise<void> {
	const db = createDb(env.DB);
	const documents = await batchTasks(db, batchId);
	const succeeded = documents.filter((t) => t.status === "completed").length;
	const outputError = { code: "SERVICE_UNAVAILABLE", message: "The output file could not be made; each document's own url is in `documents`" };
	await markCompleted(db, batchId, { succeeded, failed: documents.length - succeeded, outputError });
}

type Output = { key?: string; outputUrl?: string; outputExpiresAt?: string; outputError?: { code: string; message: string } };

/**
 * One file with every succeeded document, in the batch's order: a zip of their PDFs (named
 * `001-<filename>`, …) or one merged PDF. Over the output limits (pages, bytes), or with a
 * document's PDF gone (expired, deleted), the batch has no output and says why; each document's
 * own `url` still stands.
 */
async function makeOutput(env: Env, batch: Batch, succeeded: Task[]): Promise<Output> {
	const origin = publicOrigin(env, succeeded[0]!.url!);
	try {
		const files = await readOutputs(env, batch.accountId, succeeded);
		if (batch.output === "merged") {
			const merged = await mergePdfsCounted(files.map((f) => f.data)).catch((cause: unknown) => {
				throw new ApiError("RENDER_FAILED", "The documents could not be merged into one PDF; each document's own url is in `documents`", undefined, cause);
			});
			if (merged.pages > MAX_PAGES) throw new ApiError("DOCUMENT_TOO_LARGE", `The merged output would have ${merged.pages} pages; the limit is ${MAX_PAGES}`);
			if (merged.pdf.byteLength > MAX_BATCH_OUTPUT_BYTES) throw tooLarge();
			const file = { accountId: batch.accountId, mode: batch.mode, pdf: merged.pdf, filename: batch.outputFilename ?? "batch.pdf", pages: merged.pages, expiresInHours: batch.expiresInHours };
			const stored = await storeDocument(env, file);
			return { key: stored.key, outputUrl: `${origin}/upload/${stored.key}`, outputExpiresAt: stored.expiresAt.toISOString() };
		}
		const zip = await zipFiles(files.map((f, i) => ({ name: `${String(i + 1).padStart(3, "0")}-${f.filename}`, data: f.data })));
		if (zip.byteLength > MAX_BATCH_OUTPUT_BYTES) throw tooLarge();
		const stored = await storeZip(env, batch, zip);
		return { key: stored.key, outputUrl: `${origin}/upload/${stored.key}`, outputExpiresAt: stored.expiresAt.toISOString() };
	} catch (error) {
		if (!(error instanceof ApiError) || error.code === "SERVICE_UNAVAILABLE") throw error; // worth another try
		log.warn("batch_output_failed", { batch_id: batch.id, code: error.code });
		return { outputError: { code: error.code, message: error.message } };
	}
}

const tooLarge = () => new ApiError("DOCUMENT_TOO_LARGE", `The output would be over ${MAX_BATCH_OUTPUT_BYTES / 1024 / 1024} MB; each document's own url is in \`documents\``);

/** The succeeded documents' PDFs and file names (from their stored Content-Disposition), bounded in total before reading. */
async function readOutputs(env: Env, accountId: string, succeeded: Task[]): Promise<Array<{ filename: string; data: Uint8Array }>> {
	const objects = await Promise.all(
		succeeded.map(async (task) => {
			const found = storedPdfKey(task.url!, accountId);
			const object = "key" in found ? await fetchPdf(env.PDFS, found.key) : null;
			if (!object) throw new ApiError("NOT_FOUND", `The PDF of ${task.id} is no longer stored; the output can't include it`);
			return object;
		}),
	);
	const total = objects.reduce((n, object) => n + object.size, 0);
	if (total > MAX_BATCH_OUTPUT_BYTES) {
		await Promise.all(objects.map((object) => object.body.cancel()));
		throw tooLarge();
	}
	return Promise.all(objects.map(async (object) => ({ filename: storedFilename(object), data: new Uint8Array(await object.arrayBuffer()) })));
}

/** The file name `storePdf` wrote into the object's Content-Disposition (`filename*=UTF-8''…`). */
function storedFilename(object: R2Object): string {
	const encoded = /filename\*=UTF-8''([^;]+)/.exec(object.httpMetadata?.contentDisposition ?? "")?.[1];
	try {
		return encoded ? decodeURIComponent(encoded) : "document.pdf";
	} catch {
		return "document.pdf";
	}
}

/**
 * A zip in R2 beside the PDFs (`<account>/<random>.zip`), expiring like them, served by GET /upload/….
 * Not a row of `files` (that table holds PDFs): GET /v1/files doesn't list it, and the R2
 * lifecycle rule, not the hourly purge, removes it.
 */
async function storeZip(env: Env, batch: Batch, zip: Uint8Array): Promise<{ key: string; expiresAt: Date }> {
	const key = `${batch.accountId}/${randomBase62(22)}.zip`;
	const filename = batch.outputFilename ?? "batch.zip";
	const expiresAt = new Date(Date.now() + batch.expiresInHours * 3600_000);
	await env.PDFS.put(key, zip, {
		httpMetadata: { contentType: "application/zip", contentDisposition: contentDisposition(filename).replace(/^inline/, "attachment") },
		customMetadata: { expires_at: expiresAt.toISOString() },
	}).catch((cause: unknown) => {
		throw new ApiError("SERVICE_UNAVAILABLE", "PDF storage is unavailable", undefined, cause);
	});
	return { key, expiresAt };
}
