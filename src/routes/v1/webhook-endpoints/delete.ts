import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { apiKeyAuth } from "../../../auth/middleware";
import { webhookEndpoints } from "../../../db/schema";
import { ApiError } from "../../../http/errors";
import { rateLimit } from "../../../http/rate-limit";
import { DeletedSchema, errorResponses, LIVE_KEY_ONLY, liveKeyForbidden, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { EndpointIdParam } from "./schema";

const route = createRoute({
	method: "delete",
	path: "/v1/webhook-endpoints/{id}",
	tags: ["Webhooks"],
	operationId: "deleteWebhookEndpoint",
	summary: "Delete a webhook endpoint",
	description:
		"Effective at once: deliveries still queued for it are dropped, and its delivery log goes with it. Another account's endpoint is 404. " + LIVE_KEY_ONLY,
	security: SECURITY,
	middleware: [apiKeyAuth({ live: true }), rateLimit()] as const,
	request: { params: z.object({ id: EndpointIdParam }) },
	responses: {
		200: { description: "Deleted", content: { "application/json": { schema: DeletedSchema } } },
		...errorResponses(401, 404, 429, 503),
		...liveKeyForbidden(),
	},
});

export function registerDeleteWebhookEndpoint(app: App) {
	app.openapi(route, async (c) => {
		const { id } = c.req.valid("param");
		// `returning`, not `meta.changes`: D1 counts the delivery rows the cascade deletes as changes too.
		const deleted = await c.var.db
			.delete(webhookEndpoints)
			.where(and(eq(webhookEndpoints.accountId, c.var.auth.accountId), eq(webhookEndpoints.id, id)))
			.returning({ id: webhookEndpoints.id })
			.get();
		if (!deleted) throw new ApiError("NOT_FOUND", "Webhook endpoint not found");
		return c.json({ data: { deleted: true as const } }, 200);
	});
}
