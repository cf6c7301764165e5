import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { batchTasks, batchView, getBatch } from "../../../batch/batches";
import { ApiError } from "../../../http/errors";
import { rateLimit } from "../../../http/rate-limit";
import { errorResponses, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import type { DeliveryAttempt } from "../../../jobs/webhooks";
import { BatchSchema } from "./schemas";

const BatchStatusSchema = BatchSchema.extend({
	webhook: z
		.object({
			url: z.string().openapi({ description: "The request's `webhook_url`." }),
			attempts: z
				.array(
					z.object({
						at: z.string().openapi({ description: "When the delivery was tried (ISO 8601, UTC)." }),
						status: z.number().int().optional().openapi({ description: "The HTTP status the endpoint answered, if it answered.", example: 200 }),
						error: z.string().optional().openapi({ description: "Why the delivery failed, if it did." }),
					}),
				)
				.openapi({ description: "Each delivery attempt, oldest first." }),
		})
		.optional()
		.openapi({ description: "Delivery attempts of the batch's webhook, when one was given. Not part of the webhook's own body." }),
}).openapi("BatchStatus");

const route = createRoute({
	method: "get",
	path: "/v1/batches/{id}",
	tags: ["Generation"],
	operationId: "getBatch",
	summary: "Status of a batch",
	description: "The `check_status_url` of POST /v1/batch: the batch's status, its `succeeded` and `failed` counts, and each document's task. Another account's batch is 404.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	request: { params: z.object({ id: z.string().max(64).openapi({ description: "The `batch_id` from the 202 response.", example: "batch_3kTz9QmW1xYbVc2L" }) }) },
	responses: {
		200: { description: "The batch", content: { "application/json": { schema: BatchStatusSchema } } },
		...errorResponses(401, 404, 429, 503),
	},
});

export function registerGetBatch(app: App) {
	app.openapi(route, async (c) => {
		const batch = await getBatch(c.var.db, c.req.valid("param").id);
		if (!batch || batch.accountId !== c.var.auth.accountId) throw new ApiError("NOT_FOUND", "Batch not found");
		const webhook = batch.webhookUrl ? { webhook: { url: batch.webhookUrl, attempts: JSON.parse(batch.webhookAttempts) as DeliveryAttempt[] } } : {};
		return c.json({ ...batchView(batch, await batchTasks(c.var.db, batch.id)), ...webhook }, 200);
	});
}
