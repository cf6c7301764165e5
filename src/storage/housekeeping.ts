import { inArray, lt } from "drizzle-orm";
import { purgeExpiredSignIns } from "../auth/sessions";
import { IDEMPOTENCY_TTL_MS } from "../credits/credits";
import { createDb } from "../db";
import { generations } from "../db/schema";
import { JOB_INPUT_RETENTION_MS } from "../jobs/consumer";
import { log } from "../log";
import { purgeExpiredFiles } from "./pdfs";

/**
 * The cron trigger's housekeeping (wrangler.toml `[triggers]`, hourly): what lives outside the
 * Durable Objects (which clean their own records from their alarms) is deleted past its
 * retention, and one `housekeeping` log line says how much. Each step runs even when another
 * failed; a failed step is logged (`housekeeping_failed`) and the run then throws, so the
 * cron's run shows as failed, and the next run takes what is left.
 */

/** What one run deleted. */
export interface Swept {
	/** Expired hosted PDFs: R2 objects and their `files` rows ({@link purgeExpiredFiles}). */
	files: number;
	/** Async jobs' inputs (`jobs/…` in R2) past their `expires_at`. */
	job_inputs: number;
	/** Idempotency-Key response bodies (`idempotency/…` in R2) past their `expires_at` that the Credits alarm left behind. */
	idempotency_bodies: number;
	/** Generation log rows older than `GENERATION_LOG_RETENTION_DAYS`. */
	generation_log_rows: number;
	/** Expired sign-in links and email changes, expired sessions and those revoked over a day ago (src/auth/sessions.ts). */
	sign_ins: number;
}

/** Rows or objects deleted a statement (D1 binds at most 100 parameters a statement; R2 deletes at most 1000 keys a call). */
const BATCH = 100;

/** The generation log's retention in days: `GENERATION_LOG_RETENTION_DAYS`, else 90. */
export function generationLogRetentionDays(env: Pick<Env, "GENERATION_LOG_RETENTION_DAYS">): number {
	const days = Number(env.GENERATION_LOG_RETENTION_DAYS);
	return Number.isFinite(days) && days >= 1 ? days : 90;
}

/** Runs every step at `now` (the cron's scheduled time) and logs what was deleted. */
export async function housekeeping(env: Env, now = Date.now()): Promise<Swept> {
	const steps: Record<keyof Swept, () => Promise<number>> = {
		files: () => purgeExpiredFiles(env, new Date(now)),
		job_inputs: () => purgeExpiredObjects(env.PDFS, "jobs/", now, JOB_INPUT_RETENTION_MS),
		// Each body's `expires_at` says when its record ends (IDEMPOTENCY_TTL_MS after the key's first request).
		idempotency_bodies: () => purgeExpiredObjects(env.PDFS, "idempotency/", now, IDEMPOTENCY_TTL_MS),
		generation_log_rows: () => purgeGenerationLog(env, now),
		sign_ins: () => purgeExpiredSignIns(createDb(env.DB), new Date(now)),
	};
	const swept = { files: 0, job_inputs: 0, idempotency_bodies: 0, generation_log_rows: 0, sign_ins: 0 };
	let failed = false;
	for (const [step, run] of Object.entries(steps) as Array<[keyof Swept, () => Promise<number>]>) {
		try {
			swept[step] = await run();
		} catch (error) {
			failed = true;
			log.error("housekeeping_failed", { step }, error);
		}
	}
	log.info("housekeeping", { ...swept });
	if (failed) throw new Error("housekeeping: a step failed (see housekeeping_failed)");
	return swept;
}

/**
 * Deletes the objects under `prefix` whose `expires_at` (custom metadata, ISO 8601) has passed;
 * one without it (written before it was recorded) when it was uploaded more than `maxAgeMs`
 * ago. Returns how many it deleted.
 */
export async function purgeExpiredObjects(bucket: R2Bucket, prefix: string, now: number, maxAgeMs: number): Promise<number> {
	let purged = 0;
	let cursor: string | undefined;
	do {
		const page = await bucket.list({ prefix, cursor, limit: 1000, include: ["customMetadata"] });
		const expired = page.objects.filter((object) => expiresAt(object, maxAgeMs) <= now).map((object) => object.key);
		for (let i = 0; i < expired.length; i += BATCH) await bucket.delete(expired.slice(i, i + BATCH));
		purged += expired.length;
		cursor = page.truncated ? page.cursor : undefined;
	} while (cursor);
	return purged;
}

function expiresAt(object: R2Object, maxAgeMs: number): number {
	const recorded = Date.parse(object.customMetadata?.expires_at ?? "");
	return Number.isNaN(recorded) ? object.uploaded.getTime() + maxAgeMs : recorded;
}

/** Deletes generation log rows requested before the retention, a batch at a time. Returns how many. */
export async function purgeGenerationLog(env: Pick<Env, "DB" | "GENERATION_LOG_RETENTION_DAYS">, now: number): Promise<number> {
	const db = createDb(env.DB);
	const cutoff = new Date(now - generationLogRetentionDays(env) * 86_400_000).toISOString();
	let purged = 0;
	for (;;) {
		const old = db.select({ id: generations.id }).from(generations).where(lt(generations.createdAt, cutoff)).limit(BATCH);
		const { meta } = await db.delete(generations).where(inArray(generations.id, old)).run();
		purged += meta.changes;
		if (meta.changes < BATCH) return purged;
	}
}
