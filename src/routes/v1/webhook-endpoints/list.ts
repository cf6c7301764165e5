import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { errorResponses, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { endpointView, listEndpoints, MAX_ENDPOINTS } from "../../../jobs/webhook-endpoints";
import { EndpointSchema } from "./schema";

const route = createRoute({
	method: "get",
	path: "/v1/webhook-endpoints",
	tags: ["Webhooks"],
	operationId: "listWebhookEndpoints",
	summary: "List webhook endpoints",
	description: `The account's webhook endpoints (at most ${MAX_ENDPOINTS}), newest first, never their secrets.`,
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	responses: {
		200: { description: "The account's endpoints", content: { "application/json": { schema: z.object({ data: z.array(EndpointSchema).openapi({ description: "Newest first." }) }).openapi("WebhookEndpointList") } } },
		...errorResponses(401, 429, 503),
	},
});

export function registerListWebhookEndpoints(app: App) {
	app.openapi(route, async (c) => {
		const endpoints = await listEndpoints(c.var.db, c.var.auth.accountId);
		return c.json({ data: endpoints.map(endpointView) }, 200);
	});
}
