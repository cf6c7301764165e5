import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { ApiError } from "../../../http/errors";
import { decodeCursor, PageQuerySchema, pageSchema, toPage } from "../../../http/pagination";
import { rateLimit } from "../../../http/rate-limit";
import { errorResponses, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { deliveryView, findEndpoint, listDeliveries } from "../../../jobs/webhook-endpoints";
import { DeliverySchema, EndpointIdParam } from "./schema";

const route = createRoute({
	method: "get",
	path: "/v1/webhook-endpoints/{id}/deliveries",
	tags: ["Webhooks"],
	operationId: "listWebhookDeliveries",
	summary: "An endpoint's delivery log",
	description:
		"Every attempt to deliver to the endpoint (first tries, retries and resends), newest first: the receiver's status, how long it took and the start of its answer. " +
		"Paginated by cursor, like GET /v1/generations. Another account's endpoint is 404.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	request: { params: z.object({ id: EndpointIdParam }), query: PageQuerySchema },
	responses: {
		200: { description: "A page of the endpoint's delivery attempts", content: { "application/json": { schema: pageSchema(DeliverySchema).openapi("WebhookDeliveryList") } } },
		...errorResponses(400, 401, 404, 429, 503),
	},
});

export function registerListWebhookDeliveries(app: App) {
	app.openapi(route, async (c) => {
		const { id } = c.req.valid("param");
		const { limit, cursor } = c.req.valid("query");
		const endpoint = await findEndpoint(c.var.db, c.var.auth.accountId, id);
		if (!endpoint) throw new ApiError("NOT_FOUND", "Webhook endpoint not found");
		const rows = await listDeliveries(c.var.db, endpoint.id, limit, cursor ? decodeCursor(cursor) : null);
		const page = toPage(rows, limit, (d) => ({ createdAt: d.createdAt, id: d.id }));
		return c.json({ data: page.rows.map(deliveryView), has_more: page.has_more, next_cursor: page.next_cursor }, 200);
	});
}
