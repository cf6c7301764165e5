import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { accounts } from "../../../db/schema";
import { errorResponses, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";

const route = createRoute({
	method: "get",
	path: "/v1/webhook-secret",
	tags: ["Webhooks"],
	operationId: "getWebhookSecret",
	summary: "Whether a webhook secret exists",
	description: "Never returns the secret itself: it is shown once, when created or rotated.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	responses: {
		200: {
			description: "The secret's state",
			content: {
				"application/json": {
					schema: z.object({
						data: z
							.object({
								configured: z.boolean().openapi({ description: "Whether the account has a secret: async requests with `webhook_url` need one.", example: true }),
								created_at: z.string().nullable().openapi({ description: "When the current secret was made (ISO 8601, UTC); null without one.", example: "2026-11-21T10:30:00.000Z" }),
							})
							.openapi({ description: "The secret's state." }),
					}),
				},
			},
		},
		...errorResponses(401, 429, 503),
	},
});

export function registerGetWebhookSecret(app: App) {
	app.openapi(route, async (c) => {
		const account = await c.var.db
			.select({ generation: accounts.webhookSecretGeneration, createdAt: accounts.webhookSecretCreatedAt })
			.from(accounts)
			.where(eq(accounts.id, c.var.auth.accountId))
			.get();
		return c.json({ data: { configured: Boolean(account?.generation), created_at: account?.createdAt ?? null } }, 200);
	});
}
