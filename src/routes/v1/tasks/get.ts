import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { ApiError } from "../../../http/errors";
import { errorResponses, FailedResourcesSchema, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { getTask, taskView } from "../../../jobs/tasks";
import type { DeliveryAttempt } from "../../../jobs/webhooks";
import { MissingVariablesSchema } from "../../../templates/schemas";

export const TaskSchema = z
	.object({
		task_id: z.string().openapi({ description: "The task's id.", example: "task_3kTz9QmW1xYbVc2L" }),
		status: z.enum(["queued", "processing", "completed", "failed"]).openapi({ description: "`queued`, then `processing`, then `completed` or `failed`.", example: "completed" }),
		url: z.string().optional().openapi({ description: "Completed: the PDF, served until `expires_at`.", example: "https://quire.example/upload/acc_3kTz9QmW1xYbVc2L/k3J9cQ2mXw4RtZ1aBb7LpN.pdf" }),
		expires_at: z.string().nullable().optional().openapi({ description: "Completed: when `url` stops answering (ISO 8601, UTC).", example: "2026-11-22T10:30:02.000Z" }),
		pages: z.number().int().nullable().optional().openapi({ description: "Completed: the PDF's page count.", example: 2 }),
		blocked_resources: z.array(z.string()).optional().openapi({ description: "Resources the page asked for that Quire refused to load (up to 20)." }),
		failed_resources: FailedResourcesSchema.optional()
			.openapi({ description: "Resources the page asked for that did not load, with why (up to 20), as in POST /v1/generate's answers. On a task failed with RESOURCE_FAILED (`fail_on_resource_error`), the ones that failed it." }),
		missing_variables: MissingVariablesSchema,
		error: z
			.object({
				code: z.string().openapi({ description: "An error code, as in error responses (RENDER_FAILED, RENDER_TIMEOUT, DOCUMENT_TOO_LARGE…).", example: "RENDER_TIMEOUT" }),
				message: z.string().nullable().openapi({ description: "What happened, in a sentence.", example: "Rendering took too long; nothing was charged" }),
			})
			.optional()
			.openapi({ description: "Failed: why. The credit was refunded." }),
		metadata: z.record(z.string(), z.unknown()).optional().openapi({ description: "The request's `metadata`, echoed." }),
		created_at: z.string().openapi({ description: "When the task was queued (ISO 8601, UTC).", example: "2026-11-21T10:30:00.000Z" }),
		completed_at: z.string().optional().openapi({ description: "Completed or failed: when (ISO 8601, UTC).", example: "2026-11-21T10:30:02.000Z" }),
		response_time_ms: z.number().int().nullable().optional().openapi({ description: "Processing time of the attempt that finished the task." }),
		webhook: z
			.object({
				url: z.string().openapi({ description: "The request's `webhook_url`.", example: "https://example.com/hooks/quire" }),
				attempts: z
					.array(
						z.object({
							at: z.string().openapi({ description: "When the delivery was tried (ISO 8601, UTC).", example: "2026-11-21T10:30:03.000Z" }),
							status: z.number().int().optional().openapi({ description: "The HTTP status the endpoint answered, if it answered.", example: 200 }),
							error: z.string().optional().openapi({ description: "Why the delivery failed, if it did.", example: "timed out after 10 s" }),
						}),
					)
					.openapi({ description: "Each delivery attempt, oldest first." }),
			})
			.optional()
			.openapi({ description: "Delivery attempts of the webhook, when one was given. Not part of the webhook's own body." }),
	})
	.openapi("Task");

const route = createRoute({
	method: "get",
	path: "/v1/tasks/{id}",
	tags: ["Generation"],
	operationId: "getTask",
	summary: "Status of an async task",
	description: "DokJet's `check_status_url`. Another account's task is 404.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	request: { params: z.object({ id: z.string().max(64).openapi({ description: "The `task_id` from the 202 response.", example: "task_3kTz9QmW1xYbVc2L" }) }) },
	responses: {
		200: { description: "The task", content: { "application/json": { schema: TaskSchema } } },
		...errorResponses(401, 404, 429, 503),
	},
});

export function registerGetTask(app: App) {
	app.openapi(route, async (c) => {
		const task = await getTask(c.var.db, c.req.valid("param").id);
		if (!task || task.accountId !== c.var.auth.accountId) throw new ApiError("NOT_FOUND", "Task not found");
		const webhook = task.webhookUrl ? { url: task.webhookUrl, attempts: JSON.parse(task.webhookAttempts) as DeliveryAttempt[] } : undefined;
		return c.json({ ...taskView(task), ...(webhook ? { webhook } : {}) }, 200);
	});
}
