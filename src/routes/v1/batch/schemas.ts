import { z } from "@hono/zod-openapi";

/** The batch object: GET /v1/batches/{id}, and the body of the batch's webhook. */
export const BatchSchema = z
	.object({
		batch_id: z.string().openapi({ description: "The batch's id.", example: "batch_3kTz9QmW1xYbVc2L" }),
		status: z
			.enum(["queued", "processing", "completed"])
			.openapi({ description: "`queued` until a document starts, `processing` until every document has finished (either way) and the output file (if asked) is stored, then `completed`.", example: "completed" }),
		total: z.number().int().openapi({ description: "Documents in the batch.", example: 100 }),
		succeeded: z.number().int().openapi({ description: "Documents completed so far.", example: 97 }),
		failed: z.number().int().openapi({ description: "Documents failed so far (each refunded).", example: 3 }),
		output: z.enum(["zip", "merged"]).optional().openapi({ description: "The output file asked for." }),
		output_url: z.string().optional().openapi({ description: "Completed, with `output`: the zip or merged PDF of the succeeded documents only, in the batch's order, until `output_expires_at`.", example: "https://quire.example/upload/acc_3kTz9QmW1xYbVc2L/Zx8Q2mXw4RtZ1aBb7LpNk3.zip" }),
		output_expires_at: z.string().nullable().optional().openapi({ description: "When `output_url` stops answering (ISO 8601, UTC)." }),
		output_error: z
			.object({
				code: z.string().openapi({ description: "An error code, as in error responses.", example: "DOCUMENT_TOO_LARGE" }),
				message: z.string().openapi({ description: "What happened, in a sentence." }),
			})
			.optional()
			.openapi({ description: "Completed, with `output`, but no file: why (over the size or page limits, say). Each document's own `url` still stands." }),
		metadata: z.record(z.string(), z.unknown()).optional().openapi({ description: "The request's `metadata`, echoed." }),
		created_at: z.string().openapi({ description: "When the batch was queued (ISO 8601, UTC).", example: "2026-12-01T10:30:00.000Z" }),
		completed_at: z.string().optional().openapi({ description: "Completed: when (ISO 8601, UTC)." }),
		documents: z
			.array(
				z.object({
					index: z.number().int().openapi({ description: "The document's place in the request's `documents`, from 0." }),
					task_id: z.string().openapi({ description: "Its task (GET /v1/tasks/{id} tells the same, and more)." }),
					status: z.enum(["queued", "processing", "completed", "failed"]).openapi({ description: "Its task's status." }),
					url: z.string().optional().openapi({ description: "Completed: its PDF." }),
					pages: z.number().int().nullable().optional().openapi({ description: "Completed: its page count." }),
					error: z
						.object({
							code: z.string().openapi({ description: "An error code, as in error responses.", example: "RENDER_TIMEOUT" }),
							message: z.string().nullable().openapi({ description: "What happened, in a sentence." }),
						})
						.optional().openapi({ description: "Failed: why. Its credit was refunded." }),
					metadata: z.record(z.string(), z.unknown()).optional().openapi({ description: "The document's `metadata`, echoed." }),
				}),
			)
			.openapi({ description: "Each document, in the request's order." }),
	})
	.openapi("Batch");
