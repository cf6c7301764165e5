import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { ApiError } from "../../../http/errors";
import { errorResponses, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { getTask, taskView } from "../../../jobs/tasks";
import type { DeliveryAttempt } from "../../../jobs/webhooks";

export const TaskSchema = z
	.object({
		task_id: z.string(),
		status: z.enum(["queued", "processing", "completed", "failed"]),
		url: z.string().optional().openapi({ description: "Completed: the PDF, served until `expires_at`." }),
		expires_at: z.string().nullable().optional(),
		pages: z.number().int().nullable().optional(),
		blocked_resources: z.array(z.string()).optional().openapi({ description: "Resources the page asked for that Quire refused to load (up to 20)." }),
		error: z.object({ code: z.string(), message: z.string().nullable() }).optional().openapi({ description: "Failed: why. The credit was refunded." }),
		metadata: z.record(z.string(), z.unknown()).optional().openapi({ description: "The request's `metadata`, echoed." }),
		created_at: z.string(),
		completed_at: z.string().optional(),
		response_time_ms: z.number().int().nullable().optional().openapi({ description: "Processing time of the attempt that finished the task." }),
		webhook: z
			.object({
				url: z.string(),
				attempts: z.array(z.object({ at: z.string(), status: z.number().int().optional(), error: z.string().optional() })),
			})
			.optional()
			.openapi({ description: "Delivery attempts of the webhook, when one was given. Not part of the webhook's own body." }),
	})
	.openapi("Task");

const route = createRoute({
	method: "get",
	path: "/v1/tasks/{id}",
	tags: ["Generation"],
	summary: "Status of an async task",
	description: "DokJet's `check_status_url`. Another account's task is 404.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	request: { params: z.object({ id: z.string().max(64).openapi({ example: "task_3kTz9QmW1xYbVc2L" }) }) },
	responses: {
		200: { description: "The task", content: { "application/json": { schema: TaskSchema } } },
		...errorResponses(401, 404, 429),
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
