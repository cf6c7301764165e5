/**
 * Structured logs: one JSON line per event, one shape for all of them, so that Workers Logs (or
 * any log search) can count and filter by `event`:
 * `{ level, event, time, ...fields, error?: { message, stack } }`.
 *
 * @example log.error("settlement_failed", { action: "commit", request_id: requestId }, cause)
 */
import type { Db } from "./db";
import { settlementFailures } from "./db/schema";

export type LogLevel = "info" | "warn" | "error";

/**
 * The events with a stable name. `settlement_failed` (with `action`: `commit`, `refund` or
 * `idempotency_release`, and `request_id`): a charge or a lock was left for the Credits alarm or
 * lease to settle; an uncharged document or a stuck reservation leaves this line.
 */
export type LogEvent =
	| "settlement_failed"
	| "request_failed"
	| "job_failed"
	| "job_waits_for_renderer"
	| "idempotency_record_failed"
	| "generation_log_failed"
	| "analytics_write_failed"
	| "housekeeping"
	| "housekeeping_failed"
	| "batch_output_failed"
	| "batch_cleanup_failed"
	| "invitation_email_failed";

export type LogFields = Record<string, unknown>;

function write(level: LogLevel, event: LogEvent, fields: LogFields, cause?: unknown): void {
	const line: Record<string, unknown> = { level, event, time: new Date().toISOString(), ...fields };
	if (cause !== undefined) line.error = errorFields(cause);
	const text = JSON.stringify(line);
	if (level === "error") console.error(text);
	else if (level === "warn") console.warn(text);
	else console.log(text);
}

/** An error as a log shows it: its message (what `String()` would say) and stack, if any. */
function errorFields(cause: unknown): { message: string; stack?: string } {
	if (cause instanceof Error) return { message: String(cause), ...(cause.stack ? { stack: cause.stack } : {}) };
	return { message: String(cause) };
}

export const log = {
	info: (event: LogEvent, fields: LogFields = {}) => write("info", event, fields),
	warn: (event: LogEvent, fields: LogFields = {}, cause?: unknown) => write("warn", event, fields, cause),
	error: (event: LogEvent, fields: LogFields = {}, cause?: unknown) => write("error", event, fields, cause),
};

/** What a settlement did: commit or refund a credit reservation, release an Idempotency-Key, or uncount a refused sign-up. */
export type SettlementAction = "commit" | "refund" | "idempotency_release" | "signup_release";

/**
 * Runs a settlement that must not fail the request (the response or the job's outcome is already
 * decided). If it fails, it logs `settlement_failed` and counts it in D1's `settlement_failures`:
 * the Credits alarm refunds an open reservation and a lease ends, but these are the trace that a
 * document went uncharged or a lock was held. Never rejects.
 */
export async function settle(db: Db, action: SettlementAction, requestId: string, run: () => Promise<unknown>, fields: LogFields = {}): Promise<void> {
	let cause: unknown;
	try {
		// commit and refund answer false when the reservation is gone or settled the other way.
		if ((await run()) !== false) return;
		cause = new Error(`${action}: nothing to settle (gone, or settled the other way)`);
	} catch (error) {
		cause = error;
	}
	const row = { id: crypto.randomUUID(), action, requestId, error: errorFields(cause).message, createdAt: new Date().toISOString() };
	const counted = await db.insert(settlementFailures).values(row).run().then(
		() => true,
		() => false,
	);
	log.error("settlement_failed", { action, request_id: requestId, counted, ...fields }, cause);
}
