import { log } from "../log";

/**
 * Workers Analytics Engine: one data point per finished document, written where every mode
 * concludes (`settleGeneration` in src/generation/pipeline.ts), for Cloudflare's SQL API and
 * dashboards. The generation log in D1 answers "what did this account make"; this dataset
 * answers "how is the service doing" (latency by region, failures by code) without a query on D1.
 * The columns' positions are the contract with the queries in docs/operations.md: append new
 * ones, never move one.
 */

/** One finished document, as the dataset records it. */
export interface GenerationPoint {
	accountId: string;
	outcome: "completed" | "failed";
	/** The API error code of a failure; "" when completed. */
	errorCode: string;
	/** `sync` (POST /v1/generate, /v1/merge) or `async` (a queued job). */
	mode: "sync" | "async";
	/** The key's mode: `live` or `test`. */
	keyMode: "live" | "test";
	/** The region it rendered in (or was to): the client's nearest for sync, the one recorded at submission for async; "" when not known. */
	region: string;
	/** The renderer that printed it (`weur-2`); "" when it failed before one did. */
	renderer: string;
	pages: number;
	bytes: number;
	/** From the request (or the task's submission) to the result. */
	durationMs: number;
	/** A failure whose credit was given back. */
	refunded: boolean;
}

/**
 * The data point of one document: `index1` the account (Analytics Engine samples by it),
 * `blob1`–`blob6` outcome, error code, mode, key mode, region, renderer, and `double1`–`double4`
 * pages, bytes, duration (ms), refunded (1 or 0).
 */
export function generationDataPoint(p: GenerationPoint): AnalyticsEngineDataPoint {
	return {
		indexes: [p.accountId],
		blobs: [p.outcome, p.errorCode, p.mode, p.keyMode, p.region, p.renderer],
		doubles: [p.pages, p.bytes, p.durationMs, p.refunded ? 1 : 0],
	};
}

/**
 * Writes the document's data point. Never throws: the write is fire-and-forget (the runtime
 * sends it after the response), and metrics must not fail a document that was made.
 * Locally, miniflare's dataset accepts the point and keeps nothing, so tests read what is
 * written by passing a recording dataset as `GENERATIONS_ANALYTICS` (the seam: the binding).
 */
export function writeGenerationPoint(env: Pick<Env, "GENERATIONS_ANALYTICS">, point: GenerationPoint): void {
	try {
		env.GENERATIONS_ANALYTICS.writeDataPoint(generationDataPoint(point));
	} catch (error) {
		log.error("analytics_write_failed", { account_id: point.accountId }, error);
	}
}
