import { z } from "@hono/zod-openapi";
import { WEBHOOK_EVENTS } from "../../../jobs/webhook-endpoints";

export const EndpointIdParam = z.string().openapi({ description: "The endpoint's id (`we_…`), as POST or GET /v1/webhook-endpoints gives it.", example: "we_7bQ2c9LmXw4RtZ1a" });

export const EndpointSchema = z
	.object({
		id: z.string().openapi({ description: "The endpoint's id.", example: "we_7bQ2c9LmXw4RtZ1a" }),
		url: z.string().openapi({ description: "Where deliveries are POSTed.", example: "https://example.com/hooks/quire" }),
		events: z.array(z.enum(WEBHOOK_EVENTS)).openapi({ description: "The events it receives.", example: ["task.completed", "task.failed"] }),
		enabled: z.boolean().openapi({ description: "Whether it receives deliveries; a disabled endpoint gets none (a resend still goes).", example: true }),
		created_at: z.string().openapi({ description: "When it was made (ISO 8601, UTC).", example: "2026-11-21T10:30:00.000Z" }),
	})
	.openapi("WebhookEndpoint");

export const DeliverySchema = z
	.object({
		id: z.string().openapi({ description: "The attempt's id, for its resend.", example: "whd_k3J9cQ2mXw4RtZ1a" }),
		event: z.enum(WEBHOOK_EVENTS).openapi({ description: "The event delivered.", example: "task.completed" }),
		subject_id: z.string().openapi({ description: "The task (`task_…`) or batch (`batch_…`) it is about.", example: "task_9XcQ2mXw4RtZ1aBb" }),
		attempt: z.number().int().openapi({ description: "1 for the first try of this event to this endpoint; each retry or resend counts on.", example: 1 }),
		status: z.number().int().nullable().openapi({ description: "The receiver's HTTP status; null when it gave none (`error` says why).", example: 200 }),
		error: z.string().nullable().openapi({ description: "Why no answer came: a network error, a timeout, or `refused: …` (the URL is not a public address; nothing was sent).", example: null }),
		duration_ms: z.number().int().openapi({ description: "From sending to the receiver's answer (or the failure), in milliseconds.", example: 84 }),
		response_excerpt: z.string().nullable().openapi({ description: "The start of the receiver's answer, at most 512 characters.", example: "ok" }),
		created_at: z.string().openapi({ description: "When it was sent (ISO 8601, UTC).", example: "2026-11-21T10:30:02.000Z" }),
	})
	.openapi("WebhookDelivery");

/** The fields a client sets (POST and PATCH /v1/webhook-endpoints), validated alike. */
export const EndpointFields = {
	url: z.string().max(2048).openapi({ description: "A public http(s) URL that receives the deliveries.", example: "https://example.com/hooks/quire" }),
	events: z
		.array(z.enum(WEBHOOK_EVENTS))
		.min(1, "events must name at least one event")
		.refine((events) => new Set(events).size === events.length, "events must not repeat an event")
		.openapi({ description: "The events to receive: `task.completed`, `task.failed` (async generate and merge tasks), `batch.completed` (a batch, once, with its documents).", example: ["task.completed", "task.failed"] }),
	enabled: z.boolean().openapi({ description: "Whether it receives deliveries.", example: true }),
};
