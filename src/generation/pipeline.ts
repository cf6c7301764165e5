import type { KeyMode } from "../auth/api-key";
import { creditsFor, reserveCredit, type Reserved } from "../credits/client";
import type { Db } from "../db";
import { ApiError } from "../http/errors";
import { settle } from "../log";
import { printSettings } from "../pdf/spec";
import { isCharged, renderPdf, type RenderedPdf, type RenderFor } from "../rendering/render";
import { type NewStoredPdf, storePdf, type StoredPdf } from "../storage/pdfs";
import { writeGenerationPoint } from "../usage/analytics";
import { recordGeneration } from "../usage/generations";
import type { PreparedDocument } from "./prepare";

/**
 * The one generation pipeline: validate and resolve the template ({@link prepare} in
 * ./prepare.ts) → {@link reserve} → render → finish → store ({@link make}) → settle → log
 * ({@link settleGeneration}). {@link produce} runs make → settle → log for one document whose
 * credit is reserved. Sync `POST /v1/generate`, the queue consumer, merge and batch all go
 * through these steps; each caller only says where an outcome is recorded (a response, a task).
 */

/** A queued job's credit stays reserved this long; the Credits alarm refunds it if the job never ends. */
export const ASYNC_RESERVATION_TTL_MS = 24 * 3600_000;

/**
 * Reserves one document's credit under `id` (the request id, or the task id for a job), which
 * is the id it is later settled and logged under. A sync document counts against the plan's
 * concurrency; a queued one holds its reservation longer. See {@link reserveCredit} for the refusals.
 */
export function reserve(env: Env, id: string, auth: { accountId: string; mode: KeyMode; keyId: string; plan: string }, { sync, amount = 1 }: { sync: boolean; amount?: number }): Promise<Reserved> {
	return reserveCredit(creditsFor(env, auth.accountId), id, auth, sync ? { sync: true, amount } : { ttlMs: ASYNC_RESERVATION_TTL_MS, amount });
}

/** A document made: the finished PDF and what rendering reported, and where it was stored (when asked). */
export interface Made extends RenderedPdf {
	stored: StoredPdf | null;
}

/** Times one step (sync requests report them in `Server-Timing`). */
export type Timer = <T>(step: "render" | "finish" | "store", work: Promise<T>) => Promise<T>;
const untimed: Timer = (_step, work) => work;

/**
 * Render → finish, in the API's terms: what Chromium prints (with the spec's print settings:
 * outline, tags), then the finishing steps of `document.pdf`. A finishing step that fails on
 * a PDF it should handle is 502 `RENDER_FAILED` (refunded); its checks of the client's input
 * already ran in {@link prepare}.
 */
export async function renderDocument(env: Env, document: PreparedDocument, renderFor: RenderFor, time: Timer = untimed): Promise<RenderedPdf> {
	// The print settings are internal render options, not part of the client's `options`.
	const options = { ...document.options, ...printSettings(document.pdf) };
	const rendered = await time("render", renderPdf(env, document.html, options, renderFor));
	if (!document.pdf) return rendered;
	// Imported when first needed: the PDF library is then never evaluated in an isolate that only makes plain documents.
	const { finishPdf } = await import("../pdf/finish");
	const pdf = await time(
		"finish",
		finishPdf(rendered.pdf, document.pdf).catch((cause: unknown) => {
			if (cause instanceof ApiError) throw cause;
			throw new ApiError("RENDER_FAILED", "Finishing the PDF failed; nothing was charged", undefined, cause);
		}),
	);
	return { ...rendered, pdf };
}

/** Stores a finished PDF in R2 (and the account's files) for its URL; 503 (refunded, or retried for a job) when R2 or D1 fails. */
export function storeDocument(env: Env, file: NewStoredPdf): Promise<StoredPdf> {
	return storePdf(env, file).catch((cause: unknown) => {
		throw new ApiError("SERVICE_UNAVAILABLE", "PDF storage is unavailable; nothing was charged", undefined, cause);
	});
}

/** Where a document made is stored, if it is: how long it stays, and the request or task it belongs to. */
export interface Storage {
	expiresInHours: number;
	requestId?: string;
	taskId?: string;
}

/** Render → finish → store (when `store` says how): one document, nothing settled. */
export async function make(env: Env, document: PreparedDocument, renderFor: RenderFor, { store, time = untimed, render }: { store: Storage | null; time?: Timer; render?: () => Promise<RenderedPdf> }): Promise<Made> {
	const made = await (render ? time("render", render()) : renderDocument(env, document, renderFor, time));
	const file = { accountId: renderFor.accountId, mode: renderFor.mode, pdf: made.pdf, filename: document.filename, pages: made.pages, ...store! };
	const stored = store ? await time("store", storeDocument(env, file)) : null;
	return { ...made, stored };
}

/** One document as the generation log records it; `id` is also the id its credit is reserved under. */
export interface Generation {
	id: string;
	accountId: string;
	keyId: string;
	mode: KeyMode;
	source: "sync" | "async";
	templateId: string | null;
	/** When the request (or the task) was made, ISO 8601: the log's duration runs from it. */
	createdAt: string;
	taskId?: string;
	/** Where it rendered (or was to): the analytics data point's region. */
	region?: string;
}

/** How a document ended, as far as its charge, the log and the metrics are concerned; `renderer` printed it. */
export type Outcome = { status: "completed"; pages: number; bytes: number; renderer?: string } | { status: "failed"; errorCode: string; charged: boolean };

/** The outcome of a failure: its error code, and whether it is still charged (see {@link isCharged}). */
export function failed(error: unknown): Outcome {
	return { status: "failed", errorCode: error instanceof ApiError ? error.code : "INTERNAL", charged: isCharged(error) };
}

/**
 * Settles a document's credit (commit when completed or charged anyway, else refund), writes
 * its row to the generation log and its data point to Analytics Engine, its duration running to
 * `endedAt` (when the result was known, not when it was settled: a sync request's is its
 * response time). Never rejects: a settlement that fails is logged and left to the Credits
 * alarm, which refunds an open reservation, so a document can go uncharged, never charged
 * twice; a log or metrics write that fails is dropped.
 */
export async function settleGeneration(env: Env, db: Db, generation: Generation, outcome: Outcome, endedAt = Date.now()): Promise<void> {
	const { id, accountId, keyId, mode, source, templateId, createdAt } = generation;
	const credits = creditsFor(env, accountId);
	const charge = outcome.status === "completed" || outcome.charged;
	await (charge ? settle(db, "commit", id, () => credits.commit(id)) : settle(db, "refund", id, () => credits.refund(id)));
	const durationMs = endedAt - Date.parse(createdAt);
	const completed = outcome.status === "completed" ? outcome : null;
	const errorCode = outcome.status === "failed" ? outcome.errorCode : null;
	writeGenerationPoint(env, {
		accountId,
		outcome: outcome.status,
		errorCode: errorCode ?? "",
		mode: source,
		keyMode: mode,
		region: generation.region ?? "",
		renderer: completed?.renderer ?? "",
		pages: completed?.pages ?? 0,
		bytes: completed?.bytes ?? 0,
		durationMs,
		refunded: !charge,
	});
	await recordGeneration(db, {
		id,
		accountId,
		keyId,
		mode,
		source,
		templateId,
		createdAt,
		taskId: generation.taskId ?? null,
		status: outcome.status,
		errorCode,
		pages: completed?.pages ?? null,
		bytes: completed?.bytes ?? null,
		durationMs,
		refunded: !charge,
	});
}

/** What making a document came to: the document, or the error that failed it. */
export type Result = { ok: true; made: Made } | { ok: false; error: unknown };

export interface Production {
	document: PreparedDocument;
	renderFor: RenderFor;
	generation: Generation;
	/** Store the PDF in R2, for how long (`return_type: "url"`, and every job); null: don't. */
	store: Storage | null;
	/** Makes the PDF in place of rendering `document` (a merge: its parts rendered, merged and finished); `document` then only names the file. */
	render?: () => Promise<RenderedPdf>;
	/** Whether a failure is the document's outcome (settled now) or worth another attempt (thrown, nothing settled). Default: every failure is final. */
	isFinal?: (error: unknown) => boolean;
	/**
	 * Records the result where the caller keeps it (a task row; a request's answer) and says
	 * whether this attempt decided it: false when someone else already had (a client that left
	 * and was refunded, another delivery of the job), and then nothing is settled or logged.
	 */
	conclude: (result: Result) => boolean | Promise<boolean>;
	time?: Timer;
}

/**
 * One document whose credit is reserved under `generation.id`: make → conclude → settle → log.
 * A final failure is returned as the result, not thrown. `settled` never rejects: a sync request
 * settles after its response (`waitUntil`), a job awaits it.
 */
export async function produce(env: Env, db: Db, production: Production): Promise<{ result: Result; concluded: boolean; settled: Promise<void> }> {
	const { document, renderFor, generation, store, isFinal = () => true, conclude, time, render } = production;
	let result: Result;
	try {
		result = { ok: true, made: await make(env, document, renderFor, { store, time, render }) };
	} catch (error) {
		if (!isFinal(error)) throw error;
		result = { ok: false, error };
	}
	const endedAt = Date.now();
	const concluded = await conclude(result);
	if (!concluded) return { result, concluded, settled: Promise.resolve() };
	const outcome: Outcome = result.ok ? { status: "completed", pages: result.made.pages, bytes: result.made.pdf.byteLength, renderer: result.made.renderer } : failed(result.error);
	return { result, concluded, settled: settleGeneration(env, db, { ...generation, region: generation.region ?? renderFor.region }, outcome, endedAt) };
}
