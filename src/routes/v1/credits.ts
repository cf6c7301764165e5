import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../auth/middleware";
import { creditsFor } from "../../credits/client";
import { ApiError } from "../../http/errors";
import { errorResponses, SECURITY } from "../../http/schemas";
import type { App } from "../../http/app-env";

const CreditsSchema = z
	.object({
		credits_left: z.number().int().openapi({ example: 49 }),
		plan: z.string().openapi({ example: "free" }),
		monthly_allowance: z.number().int().openapi({ example: 50 }),
		used_this_period: z.number().int().openapi({ example: 1 }),
		purchased_credits: z.number().int().openapi({ description: "Bought credits left; they never expire and are spent after the allowance.", example: 0 }),
		resets_at: z.string().openapi({ description: "When the monthly allowance comes back (ISO 8601, UTC).", example: "2026-12-01T00:00:00.000Z" }),
		mode: z.enum(["live", "test"]).openapi({ description: "The mode of the key that made this request: `test` keys spend no credits." }),
		test_daily_limit: z.number().int().openapi({ description: "Documents a day (UTC) the account's test-mode keys may make.", example: 100 }),
		test_used_today: z.number().int().openapi({ example: 0 }),
	})
	.openapi("Credits");

const route = createRoute({
	method: "get",
	path: "/v1/credits",
	tags: ["Credits"],
	summary: "Credit balance",
	security: SECURITY,
	middleware: [apiKeyAuth({ nearby: true })] as const,
	responses: {
		200: { description: "The account's balance", content: { "application/json": { schema: CreditsSchema } } },
		...errorResponses(401, 503),
	},
});

export function registerGetCredits(app: App) {
	app.openapi(route, async (c) => {
		const balance = await creditsFor(c.env, c.var.auth.accountId).balance(c.var.auth.keyId);
		if (!balance) throw new ApiError("UNAUTHORIZED", "Invalid API key");
		return c.json({ ...balance, plan: c.var.auth.plan, mode: c.var.auth.mode }, 200);
	});
}
