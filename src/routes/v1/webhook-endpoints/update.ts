import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import { apiKeyAuth } from "../../../auth/middleware";
import { webhookEndpoints } from "../../../db/schema";
import { ApiError } from "../../../http/errors";
import { rateLimit } from "../../../http/rate-limit";
import { errorResponses, LIVE_KEY_ONLY, liveKeyForbidden, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { endpointView } from "../../../jobs/webhook-endpoints";
import { refuseTarget } from "../../../outbound/public-url";
import { EndpointFields, EndpointIdParam, EndpointSchema } from "./schema";

const UpdateEndpointSchema = z
	.object({ url: EndpointFields.url.optional(), events: EndpointFields.events.optional(), enabled: EndpointFields.enabled.optional() })
	.refine((body) => body.url !== undefined || body.events !== undefined || body.enabled !== undefined, "send at least one of url, events and enabled")
	.openapi({ example: { enabled: false } });

const route = createRoute({
	method: "patch",
	path: "/v1/webhook-endpoints/{id}",
	tags: ["Webhooks"],
	operationId: "updateWebhookEndpoint",
	summary: "Change a webhook endpoint",
	description:
		"Changes what is sent: any of `url`, `events` and `enabled` (a disabled endpoint gets no deliveries until enabled again). Its secret stays the same. " +
		"Deliveries already queued go to the endpoint as it is when they are sent. Another account's endpoint is 404. " +
		LIVE_KEY_ONLY,
	security: SECURITY,
	middleware: [apiKeyAuth({ live: true }), rateLimit()] as const,
	request: { params: z.object({ id: EndpointIdParam }), body: { required: true, content: { "application/json": { schema: UpdateEndpointSchema } } } },
	responses: {
		200: { description: "The endpoint as it is now", content: { "application/json": { schema: z.object({ data: EndpointSchema.openapi({ description: "The endpoint." }) }) } } },
		...errorResponses(400, 401, 404, 413, 429, 503),
		...liveKeyForbidden(),
	},
});

export function registerUpdateWebhookEndpoint(app: App) {
	app.openapi(route, async (c) => {
		const { id } = c.req.valid("param");
		const { url, events, enabled } = c.req.valid("json");
		const refused = url === undefined ? null : refuseTarget(url, { allowLoopback: c.env.ALLOW_LOOPBACK === "true" });
		if (refused) throw new ApiError("VALIDATION_ERROR", `url: ${refused}`, { fields: [{ path: "url", message: refused }] });
		const updated = await c.var.db
			.update(webhookEndpoints)
			.set({ ...(url !== undefined ? { url } : {}), ...(events !== undefined ? { events: JSON.stringify(events) } : {}), ...(enabled !== undefined ? { enabled } : {}) })
			.where(and(eq(webhookEndpoints.accountId, c.var.auth.accountId), eq(webhookEndpoints.id, id)))
			.returning()
			.get();
		if (!updated) throw new ApiError("NOT_FOUND", "Webhook endpoint not found");
		return c.json({ data: endpointView(updated) }, 200);
	});
}
