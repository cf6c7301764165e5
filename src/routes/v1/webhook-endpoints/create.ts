import { createRoute, z } from "@hono/zod-openapi";
import { count, eq } from "drizzle-orm";
import { apiKeyAuth } from "../../../auth/middleware";
import { newId } from "../../../auth/api-key";
import { webhookEndpoints } from "../../../db/schema";
import { ApiError } from "../../../http/errors";
import { rateLimit } from "../../../http/rate-limit";
import { errorResponses, LIVE_KEY_ONLY, liveKeyForbidden, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { endpointView, MAX_ENDPOINTS, secretOf } from "../../../jobs/webhook-endpoints";
import { refuseTarget } from "../../../outbound/public-url";
import { EndpointFields, EndpointSchema } from "./schema";

const CreateEndpointSchema = z
	.object({ url: EndpointFields.url, events: EndpointFields.events, enabled: EndpointFields.enabled.default(true).openapi({ description: "Whether it receives deliveries (default true)." }) })
	.openapi({ example: { url: "https://example.com/hooks/quire", events: ["task.completed", "task.failed"] } });

const route = createRoute({
	method: "post",
	path: "/v1/webhook-endpoints",
	tags: ["Webhooks"],
	operationId: "createWebhookEndpoint",
	summary: "Add a webhook endpoint",
	description:
		"A standing receiver for the account's async tasks and batches: every request that gives no `webhook_url` of its own is delivered to each enabled endpoint that takes the event. " +
		"The body is `{\"id\":\"evt_…\",\"type\":\"task.completed\",\"created_at\",\"data\":<the task or batch object>}` (the `id` is the same for every retry and resend), with a `Quire-Event` header, " +
		"signed with the endpoint's own secret exactly as `Quire-Signature` is: `t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">`. " +
		`The secret is in this response only (it is derived, never stored). Network errors, 429 and 5xx are retried with backoff, up to 5 attempts; each attempt is logged (GET …/deliveries). At most ${MAX_ENDPOINTS} endpoints per account (409). ` +
		LIVE_KEY_ONLY,
	security: SECURITY,
	middleware: [apiKeyAuth({ live: true }), rateLimit()] as const,
	request: { body: { required: true, content: { "application/json": { schema: CreateEndpointSchema } } } },
	responses: {
		201: {
			description: "The new endpoint, with its secret",
			content: {
				"application/json": {
					schema: z.object({
						data: EndpointSchema.extend({
							secret: z.string().openapi({ description: "The HMAC-SHA256 key that signs this endpoint's deliveries. Shown only in this response.", example: "whsec_…" }),
						}).openapi({ description: "The new endpoint." }),
					}),
				},
			},
		},
		...errorResponses(400, 401, 409, 413, 429, 503),
		...liveKeyForbidden(),
	},
});

export function registerCreateWebhookEndpoint(app: App) {
	app.openapi(route, async (c) => {
		const { url, events, enabled } = c.req.valid("json");
		const refused = refuseTarget(url, { allowLoopback: c.env.ALLOW_LOOPBACK === "true" });
		if (refused) throw new ApiError("VALIDATION_ERROR", `url: ${refused}`, { fields: [{ path: "url", message: refused }] });
		const { accountId } = c.var.auth;
		const held = await c.var.db.select({ n: count() }).from(webhookEndpoints).where(eq(webhookEndpoints.accountId, accountId)).get();
		if ((held?.n ?? 0) >= MAX_ENDPOINTS) throw new ApiError("CONFLICT", `An account can have at most ${MAX_ENDPOINTS} webhook endpoints: delete one first`);
		const endpoint = { id: newId("we"), accountId, url, events: JSON.stringify(events), enabled, createdAt: new Date().toISOString() };
		const secret = await secretOf(c.env, endpoint); // 503 before anything is stored on a server without WEBHOOK_SECRET_KEY
		await c.var.db.insert(webhookEndpoints).values(endpoint);
		return c.json({ data: { ...endpointView(endpoint), secret } }, 201);
	});
}
