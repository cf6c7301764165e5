import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../auth/middleware";
import { rateLimit } from "../../http/rate-limit";
import { decodeCursor, PageQuerySchema, pageSchema, toPage } from "../../http/pagination";
import { errorResponses, SECURITY } from "../../http/schemas";
import type { App } from "../../http/app-env";
import { listGenerations } from "../../usage/generations";

const GenerationSchema = z
	.object({
		id: z.string().openapi({ description: "The request id (`X-Request-Id`) of a sync generation, the task id of an async one.", example: "req_0f9c2d7e5b8a4c1d9e3f6a2b7c8d1e4f" }),
		mode: z.enum(["live", "test"]).openapi({ description: "`test`: made with a test-mode key or `test: true`; watermarked, no credit spent.", example: "live" }),
		source: z.enum(["sync", "async"]).openapi({ description: "`async`: made by a queued task (`async_mode: true`).", example: "sync" }),
		template_id: z.string().nullable().openapi({ description: "The template used; null for inline `html`.", example: "invoices/invoice" }),
		status: z.enum(["completed", "failed"]).openapi({ description: "`failed`: rendering (or storing) failed after the credit was reserved, and it was refunded.", example: "completed" }),
		error_code: z.string().nullable().openapi({ description: "Failed: the error's code, as the response or task said it (`CLIENT_CLOSED`: the client left before its PDF was ready, so nothing was charged).", example: null }),
		pages: z.number().int().nullable().openapi({ description: "Pages of the PDF; null when it failed.", example: 1 }),
		bytes: z.number().int().nullable().openapi({ description: "Size of the PDF in bytes; null when it failed.", example: 48213 }),
		duration_ms: z.number().int().openapi({ description: "From the request to the result: the response time (sync), submission to completion (async).", example: 148 }),
		task_id: z.string().nullable().openapi({ description: "The async task (GET /v1/tasks/<task_id>); null for sync.", example: null }),
		created_at: z.string().openapi({ description: "When the request was made (ISO 8601, UTC).", example: "2026-11-21T06:52:04.113Z" }),
	})
	.openapi("Generation");

const GenerationListSchema = pageSchema(GenerationSchema).openapi("GenerationList");

const route = createRoute({
	method: "get",
	path: "/v1/generations",
	tags: ["Usage"],
	operationId: "listGenerations",
	summary: "Generation log",
	description:
		"The account's generated documents, newest first: each sync request that rendered (or failed after its credit was reserved) and each async task once finished. " +
		"Paginated by cursor: pass `next_cursor` as `cursor` while `has_more` is true. Dry runs, refused requests and idempotent replays are not listed. " +
		"A row is written just after its response (or when its task finishes), so it can appear a moment after the response.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	request: { query: PageQuerySchema },
	responses: {
		200: { description: "A page of the account's generation log", content: { "application/json": { schema: GenerationListSchema } } },
		...errorResponses(400, 401, 429, 503),
	},
});

export function registerListGenerations(app: App) {
	app.openapi(route, async (c) => {
		const { limit, cursor } = c.req.valid("query");
		const rows = await listGenerations(c.var.db, c.var.auth.accountId, limit, cursor ? decodeCursor(cursor) : null);
		const page = toPage(rows, limit, (row) => ({ createdAt: row.createdAt, id: row.id }));
		const data = page.rows.map((g) => ({
			id: g.id,
			mode: g.mode,
			source: g.source,
			template_id: g.templateId,
			status: g.status,
			error_code: g.errorCode,
			pages: g.pages,
			bytes: g.bytes,
			duration_ms: g.durationMs,
			task_id: g.taskId,
			created_at: g.createdAt,
		}));
		return c.json({ data, has_more: page.has_more, next_cursor: page.next_cursor }, 200);
	});
}
