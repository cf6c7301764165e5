import { and, desc, eq, max } from "drizzle-orm";
import { newId } from "../auth/api-key";
import type { Db } from "../db";
import { webhookDeliveries, webhookEndpoints, type WebhookDelivery, type WebhookEndpoint } from "../db/schema";
import { ApiError } from "../http/errors";
import { type Cursor, olderThan } from "../http/pagination";
import { refuseTarget } from "../outbound/public-url";
import { endpointSecret, send, type Sent, shouldRetry, signatureHeader, WEBHOOK_MAX_ATTEMPTS } from "./webhooks";

/**
 * Webhook endpoints (POST /v1/webhook-endpoints): an account's standing receivers. A finished
 * async task or batch whose request gave no `webhook_url` of its own is delivered to every
 * enabled endpoint of its account that takes the event, each through its own queue message
 * (retried like a task's webhook), signed with the endpoint's own secret exactly as
 * `Quire-Signature` is signed today. Every attempt is logged in `webhook_deliveries`.
 */

/** The events an endpoint can take. A batch's documents are reported by `batch.completed`, not one by one. */
export const WEBHOOK_EVENTS = ["task.completed", "task.failed", "batch.completed"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** Endpoints one account may have. */
export const MAX_ENDPOINTS = 10;

/** The start of a logged error that says the outbound guard refused the URL: nothing was sent. */
const REFUSED = "refused:";

/** The JOBS queue's message for one event to one endpoint (one of src/jobs/consumer.ts's `Job`s). */
export type EndpointJob = { kind: "endpoint"; endpoint_id: string; event: WebhookEvent; subject_id: string; payload: string };

/**
 * The body an endpoint receives: the event's id (the same for each retry and resend, so a
 * receiver can drop repeats), its type, and the task or batch object as GET /v1/tasks/{id} or
 * GET /v1/batches/{id} shows it.
 */
export function eventPayload(event: WebhookEvent, data: unknown): string {
	return JSON.stringify({ id: newId("evt"), type: event, created_at: new Date().toISOString(), data });
}

/** The endpoint as the API shows it (never its secret). */
export function endpointView(endpoint: WebhookEndpoint) {
	return { id: endpoint.id, url: endpoint.url, events: JSON.parse(endpoint.events) as WebhookEvent[], enabled: endpoint.enabled, created_at: endpoint.createdAt };
}

/** A delivery attempt as the API shows it (the payload is not repeated: the receiver has it). */
export function deliveryView(delivery: WebhookDelivery) {
	return {
		id: delivery.id,
		event: delivery.event as WebhookEvent,
		subject_id: delivery.subjectId,
		attempt: delivery.attempt,
		status: delivery.status,
		error: delivery.error,
		duration_ms: delivery.durationMs,
		response_excerpt: delivery.responseExcerpt,
		created_at: delivery.createdAt,
	};
}

export function listEndpoints(db: Db, accountId: string) {
	return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.accountId, accountId)).orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id)).all();
}

/** The account's endpoint; another account's is not found, like an unknown one. */
export function findEndpoint(db: Db, accountId: string, id: string) {
	return db.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.accountId, accountId), eq(webhookEndpoints.id, id))).get();
}

/** The endpoint's secret: derived from WEBHOOK_SECRET_KEY, so only a configured server signs. */
export function secretOf(env: Env, endpoint: Pick<WebhookEndpoint, "accountId" | "id">): Promise<string> {
	if (!env.WEBHOOK_SECRET_KEY) throw new ApiError("SERVICE_UNAVAILABLE", "Webhooks are not configured on this server (WEBHOOK_SECRET_KEY)");
	return endpointSecret(env.WEBHOOK_SECRET_KEY, endpoint.accountId, endpoint.id);
}

/** A page of an endpoint's delivery attempts, newest first: `limit + 1` rows, for `toPage`. */
export function listDeliveries(db: Db, endpointId: string, limit: number, cursor: Cursor | null) {
	return db
		.select()
		.from(webhookDeliveries)
		.where(and(eq(webhookDeliveries.endpointId, endpointId), olderThan(webhookDeliveries.createdAt, webhookDeliveries.id, cursor)))
		.orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
		.limit(limit + 1)
		.all();
}

/**
 * Queues `event` for every enabled endpoint of the account that takes it. Called once per
 * finished task or batch, by the delivery that finished it.
 */
export async function queueEndpointEvent(env: Env, db: Db, accountId: string, event: WebhookEvent, subjectId: string, data: unknown): Promise<number> {
	const endpoints = (await listEndpoints(db, accountId)).filter((e) => e.enabled && (JSON.parse(e.events) as string[]).includes(event));
	if (endpoints.length === 0) return 0;
	const payload = eventPayload(event, data);
	await env.JOBS.sendBatch(endpoints.map((e) => ({ body: { kind: "endpoint", endpoint_id: e.id, event, subject_id: subjectId, payload } satisfies EndpointJob })));
	return endpoints.length;
}

type Outcome = "ack" | { retryInSeconds: number };

/**
 * The `endpoint` job: one POST to the endpoint, logged as attempt `attempts` (the queue's count).
 * An endpoint deleted or disabled since gets nothing; network errors, 429 and 5xx are retried
 * with backoff up to WEBHOOK_MAX_ATTEMPTS, like a task's webhook.
 */
export async function deliverEndpointJob(env: Env, db: Db, job: EndpointJob, attempts: number): Promise<Outcome> {
	const endpoint = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, job.endpoint_id)).get();
	if (!endpoint?.enabled) return "ack";
	const delivery = await deliverOnce(env, db, endpoint, { event: job.event, subjectId: job.subject_id, payload: job.payload, attempt: attempts });
	// A refused target was not sent to, and would be refused again.
	const refused = delivery.error?.startsWith(REFUSED) ?? false;
	if (!refused && shouldRetry({ at: delivery.createdAt, status: delivery.status ?? undefined }) && attempts < WEBHOOK_MAX_ATTEMPTS) {
		return { retryInSeconds: 10 * 2 ** (attempts - 1) };
	}
	return "ack";
}

/**
 * POST /v1/webhook-endpoints/{id}/deliveries/{delivery_id}/resend: the same payload to the same
 * endpoint, now, logged as the event's next attempt. Resending to a disabled endpoint is allowed:
 * it is the person's explicit act.
 */
export async function resendDelivery(env: Env, db: Db, endpoint: WebhookEndpoint, deliveryId: string): Promise<WebhookDelivery> {
	const original = await db
		.select()
		.from(webhookDeliveries)
		.where(and(eq(webhookDeliveries.endpointId, endpoint.id), eq(webhookDeliveries.id, deliveryId)))
		.get();
	if (!original) throw new ApiError("NOT_FOUND", "Delivery not found");
	const last = await db
		.select({ attempt: max(webhookDeliveries.attempt) })
		.from(webhookDeliveries)
		.where(and(eq(webhookDeliveries.endpointId, endpoint.id), eq(webhookDeliveries.event, original.event), eq(webhookDeliveries.subjectId, original.subjectId)))
		.get();
	return deliverOnce(env, db, endpoint, { event: original.event, subjectId: original.subjectId, payload: original.payload, attempt: (last?.attempt ?? 0) + 1 });
}

/**
 * One signed POST of `payload` to the endpoint, logged. The outbound guard is asked again at
 * delivery (the rules, or ALLOW_LOOPBACK, may have changed since the endpoint was made).
 */
async function deliverOnce(env: Env, db: Db, endpoint: WebhookEndpoint, what: { event: string; subjectId: string; payload: string; attempt: number }): Promise<WebhookDelivery> {
	const refused = refuseTarget(endpoint.url, { allowLoopback: env.ALLOW_LOOPBACK === "true" });
	const sent: Sent = refused
		? { attempt: { at: new Date().toISOString(), error: `${REFUSED} ${refused}` }, durationMs: 0, excerpt: "" }
		: await send(endpoint.url, what.payload, await signatureHeader(await secretOf(env, endpoint), what.payload, Math.floor(Date.now() / 1000)), { "Quire-Event": what.event });
	const row: WebhookDelivery = {
		id: newId("whd"),
		endpointId: endpoint.id,
		accountId: endpoint.accountId,
		event: what.event,
		subjectId: what.subjectId,
		attempt: what.attempt,
		status: sent.attempt.status ?? null,
		error: sent.attempt.error ?? null,
		durationMs: sent.durationMs,
		responseExcerpt: sent.excerpt || null,
		payload: what.payload,
		createdAt: sent.attempt.at,
	};
	await db.insert(webhookDeliveries).values(row);
	return row;
}
