import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { ApiError } from "../../../http/errors";
import { rateLimit } from "../../../http/rate-limit";
import { errorResponses, LIVE_KEY_ONLY, liveKeyForbidden, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { deliveryView, findEndpoint, resendDelivery } from "../../../jobs/webhook-endpoints";
import { DeliverySchema, EndpointIdParam } from "./schema";

const route = createRoute({
	method: "post",
	path: "/v1/webhook-endpoints/{id}/deliveries/{delivery_id}/resend",
	tags: ["Webhooks"],
	operationId: "resendWebhookDelivery",
	summary: "Resend a delivery",
	description:
		"Sends the delivery's payload (the same body, with the same event `id`) to the endpoint again, now, freshly signed, and answers with the new attempt as the log records it. " +
		"The answer is 201 whatever the receiver said: its status is the attempt's `status`. Not retried if it fails. Another account's endpoint or delivery is 404. " +
		LIVE_KEY_ONLY,
	security: SECURITY,
	middleware: [apiKeyAuth({ live: true }), rateLimit()] as const,
	request: {
		params: z.object({
			id: EndpointIdParam,
			delivery_id: z.string().openapi({ description: "A delivery attempt's id (`whd_…`) from the endpoint's log.", example: "whd_k3J9cQ2mXw4RtZ1a" }),
		}),
	},
	responses: {
		201: { description: "The new attempt", content: { "application/json": { schema: z.object({ data: DeliverySchema.openapi({ description: "The new attempt, as the log records it." }) }) } } },
		...errorResponses(401, 404, 429, 503),
		...liveKeyForbidden(),
	},
});

export function registerResendWebhookDelivery(app: App) {
	app.openapi(route, async (c) => {
		const { id, delivery_id } = c.req.valid("param");
		const endpoint = await findEndpoint(c.var.db, c.var.auth.accountId, id);
		if (!endpoint) throw new ApiError("NOT_FOUND", "Webhook endpoint not found");
		const attempt = await resendDelivery(c.env, c.var.db, endpoint, delivery_id);
		return c.json({ data: deliveryView(attempt) }, 201);
	});
}
