import { z } from "@hono/zod-openapi";
import type { StoredFile } from "../../../db/schema";

export const FileSchema = z
	.object({
		id: z.string().openapi({ description: "The file's id, for DELETE /v1/files/{id}.", example: "file_7bQ2c9LmXw4RtZ1a" }),
		url: z.string().openapi({ description: "Where to download it (GET /upload/…), as the generation returned it; no API key needed.", example: "https://quire.example/upload/acc_3kTz9QmW1xYbVc2L/k3J9cQ2mXw4RtZ1aBb7LpN.pdf" }),
		filename: z.string().openapi({ description: "The PDF's file name (its `Content-Disposition`).", example: "invoice-42.pdf" }),
		template_id: z.string().nullable().openapi({ description: "The template that made it (`template_id` of the request); null for inline HTML, merges and batch output files.", example: "invoices/invoice" }),
		pages: z.number().int().openapi({ description: "Pages of the PDF.", example: 1 }),
		bytes: z.number().int().openapi({ description: "Size of the PDF in bytes.", example: 48213 }),
		mode: z.enum(["live", "test"]).openapi({ description: "`test`: made in test mode (watermarked); a test key may delete only these.", example: "live" }),
		created_at: z.string().openapi({ description: "When it was stored (ISO 8601, UTC).", example: "2026-11-21T10:30:00.000Z" }),
		expires_at: z.string().openapi({ description: "After this instant the URL answers 404 and the file leaves this list (ISO 8601, UTC).", example: "2026-11-22T10:30:00.000Z" }),
		request_id: z.string().nullable().openapi({ description: "The sync request that made it (its `X-Request-Id`, the generation log's id); null for an async task's file.", example: "req_0f9c2d7e5b8a4c1d9e3f6a2b7c8d1e4f" }),
		task_id: z.string().nullable().openapi({ description: "The async task that made it (GET /v1/tasks/<task_id>); null for a sync request's file.", example: null }),
	})
	.openapi("StoredFile");

/** A `files` row (with its template, from the generation log) as the API shows it; `origin` is where its URL points ({@link publicOrigin}). */
export function fileView(file: StoredFile & { templateId: string | null }, origin: string): z.infer<typeof FileSchema> {
	return {
		id: file.id,
		url: `${origin}/upload/${file.r2Key}`,
		filename: file.filename,
		template_id: file.templateId,
		pages: file.pages,
		bytes: file.bytes,
		mode: file.mode,
		created_at: file.createdAt,
		expires_at: file.expiresAt,
		request_id: file.requestId,
		task_id: file.taskId,
	};
}
