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
	summary: "Whether a webhook secret exists",
	description: "Never returns the secret itself: it is shown once, when created or rotated.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	responses: {
		200: {
			description: "The secret's state",
			content: { "application/json": { schema: z.object({ data: z.object({ configured: z.boolean(), created_at: z.string().nullable() }) }) } },
		},
		...errorResponses(401, 429),
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
