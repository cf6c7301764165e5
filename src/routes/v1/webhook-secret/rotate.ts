import { createRoute, z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { accounts } from "../../../db/schema";
import { ApiError } from "../../../http/errors";
import { errorResponses, LIVE_KEY_ONLY, liveKeyForbidden, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { webhookSecret } from "../../../jobs/webhooks";

const route = createRoute({
	method: "post",
	path: "/v1/webhook-secret",
	tags: ["Webhooks"],
	operationId: "rotateWebhookSecret",
	summary: "Create or rotate the webhook secret",
	description:
		"Returns a new secret that signs this account's webhooks from now on; the previous one stops at once. Shown only in this response. " +
		"Each delivery carries `Quire-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\">`. " +
		"The secret is derived, never stored, and this route takes no `Idempotency-Key`: each call rotates. " +
		LIVE_KEY_ONLY,
	security: SECURITY,
	middleware: [apiKeyAuth({ live: true }), rateLimit()] as const,
	responses: {
		201: {
			description: "The new secret",
			content: {
				"application/json": {
					schema: z.object({
						data: z
							.object({
								secret: z.string().openapi({ description: "The HMAC-SHA256 key that signs webhook deliveries. Shown only in this response.", example: "whsec_…" }),
								created_at: z.string().openapi({ description: "When it was made (ISO 8601, UTC).", example: "2026-11-21T10:30:00.000Z" }),
							})
							.openapi({ description: "The new secret." }),
					}),
				},
			},
		},
		...errorResponses(401, 429, 503),
		...liveKeyForbidden(),
	},
});

export function registerRotateWebhookSecret(app: App) {
	app.openapi(route, async (c) => {
		if (!c.env.WEBHOOK_SECRET_KEY) throw new ApiError("SERVICE_UNAVAILABLE", "Webhooks are not configured on this server (WEBHOOK_SECRET_KEY)");
		const { accountId } = c.var.auth;
		const createdAt = new Date().toISOString();
		const row = await c.var.db
			.update(accounts)
			.set({ webhookSecretGeneration: sql`${accounts.webhookSecretGeneration} + 1`, webhookSecretCreatedAt: createdAt })
			.where(eq(accounts.id, accountId))
			.returning({ generation: accounts.webhookSecretGeneration })
			.get();
		if (!row) throw new ApiError("NOT_FOUND", "Account not found");
		const secret = await webhookSecret(c.env.WEBHOOK_SECRET_KEY, accountId, row.generation);
		return c.json({ data: { secret, created_at: createdAt } }, 201);
	});
}
