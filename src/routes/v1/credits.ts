import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../auth/middleware";
import { RATE_LIMIT_DESCRIPTION, rateLimit } from "../../http/rate-limit";
import { creditsFor } from "../../credits/client";
import { PLAN_NAMES } from "../../credits/plans";
import { ApiError } from "../../http/errors";
import { errorResponses, SECURITY } from "../../http/schemas";
import type { App } from "../../http/app-env";

const CreditsSchema = z
	.object({
		credits_left: z.number().int().openapi({ description: "Credits that can be spent now: what is left of the monthly allowance plus purchased credits.", example: 49 }),
		plan: z.enum(PLAN_NAMES).openapi({ description: "The account's plan: its monthly allowance, requests a minute and concurrent renders.", example: "free" }),
		monthly_allowance: z.number().int().openapi({ description: "Credits each calendar month (UTC), from the plan.", example: 50 }),
		requests_per_minute: z.number().int().openapi({ description: "The plan's rate limit, over all the account's keys (`X-RateLimit-Limit`).", example: 60 }),
		concurrency: z.number().int().openapi({ description: "Synchronous renders the plan allows in flight at once (past it: 429 `CONCURRENCY_LIMITED`).", example: 3 }),
		used_this_period: z.number().int().openapi({ description: "Credits spent this calendar month (UTC).", example: 1 }),
		purchased_credits: z.number().int().openapi({ description: "Bought credits left; they never expire and are spent after the allowance.", example: 0 }),
		resets_at: z.string().openapi({ description: "When the monthly allowance comes back (ISO 8601, UTC).", example: "2026-12-01T00:00:00.000Z" }),
		mode: z.enum(["live", "test"]).openapi({ description: "The mode of the key that made this request: `test` keys spend no credits.", example: "live" }),
		test_daily_limit: z.number().int().openapi({ description: "Documents a day (UTC) the account's test-mode keys may make.", example: 100 }),
		test_used_today: z.number().int().openapi({ description: "Documents the account's test-mode keys made today (UTC).", example: 0 }),
	})
	.openapi("Credits");

const route = createRoute({
	method: "get",
	path: "/v1/credits",
	tags: ["Credits"],
	operationId: "getCredits",
	summary: "Credit balance",
	description: `The account's credits, plan and limits. ${RATE_LIMIT_DESCRIPTION}`,
	security: SECURITY,
	middleware: [apiKeyAuth({ nearby: true }), rateLimit()] as const,
	responses: {
		200: { description: "The account's balance", content: { "application/json": { schema: CreditsSchema } } },
		...errorResponses(401, 429, 503),
	},
});

export function registerGetCredits(app: App) {
	app.openapi(route, async (c) => {
		const balance = await creditsFor(c.env, c.var.auth.accountId).balance(c.var.auth.plan, c.var.auth.keyId);
		if (!balance) throw new ApiError("UNAUTHORIZED", "Invalid API key");
		return c.json({ ...balance, mode: c.var.auth.mode }, 200);
	});
}
