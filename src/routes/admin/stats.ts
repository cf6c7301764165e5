import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses } from "../../http/schemas";
import type { App } from "../../http/app-env";
import { recentStats } from "../../usage/stats";
import { adminAuth } from "./credits";

const WindowSchema = z
	.object({
		documents: z.number().int().openapi({ description: "Documents made (completed), sync and async, requested in the window.", example: 1824 }),
		failures: z
			.record(z.string(), z.number().int())
			.openapi({ description: "Failed documents requested in the window, by error code (the code the client got, or its task records).", example: { RENDER_TIMEOUT: 3, RENDER_FAILED: 1 } }),
		p50_ms: z.number().int().nullable().openapi({ description: "Median duration of the completed documents, in ms: the response time (sync) or submission to completion (async). Null when there were none.", example: 640 }),
		p95_ms: z.number().int().nullable().openapi({ description: "95th-percentile duration of the completed documents, in ms (nearest rank). Null when there were none.", example: 2210 }),
		refunds: z.number().int().openapi({ description: "Failed documents whose credit was given back.", example: 4 }),
		settlement_failures: z.number().int().openapi({ description: "Commits, refunds and releases that failed (each also logged as `settlement_failed`).", example: 0 }),
		dead_lettered: z.number().int().openapi({ description: "Async tasks failed by the dead-letter queue's consumer after their retries ran out.", example: 0 }),
	})
	.openapi("StatsWindow");

const route = createRoute({
	method: "get",
	path: "/admin/stats",
	tags: ["Admin"],
	operationId: "adminStats",
	summary: "Service stats of the last hour and day",
	description:
		"Documents, failures by code, p50/p95 duration, refunds, settlement failures and dead-lettered tasks of the last hour and the last 24 hours, from what Quire holds in D1 " +
		"(the generation log, `settlement_failures`, tasks). The same locally as in production; longer history is in Analytics Engine (docs/operations.md). Needs `Authorization: Bearer <ADMIN_TOKEN>`.",
	security: [{ AdminToken: [] }],
	middleware: [adminAuth()] as const,
	responses: {
		200: {
			description: "The stats now",
			content: {
				"application/json": {
					schema: z
						.object({
							data: z
								.object({
									last_hour: WindowSchema.openapi({ description: "The last 60 minutes." }),
									last_day: WindowSchema.openapi({ description: "The last 24 hours." }),
								})
								.openapi({ description: "The two windows, both ending now." }),
						})
						.openapi("Stats"),
				},
			},
		},
		...errorResponses(401, 503),
	},
});

export function registerAdminStats(app: App) {
	app.openapi(route, async (c) => c.json({ data: await recentStats(c.var.db) }, 200));
}
