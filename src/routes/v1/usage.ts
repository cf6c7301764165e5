import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../auth/middleware";
import { RATE_LIMIT_DESCRIPTION, rateLimit } from "../../http/rate-limit";
import { creditsFor } from "../../credits/client";
import { dayOf } from "../../credits/credits";
import { PLAN_NAMES } from "../../credits/plans";
import { ApiError } from "../../http/errors";
import { errorResponses, SECURITY } from "../../http/schemas";
import type { App } from "../../http/app-env";
import { dailyUsage } from "../../usage/generations";

const UsageSchema = z
	.object({
		data: z
			.object({
				plan: z.enum(PLAN_NAMES).openapi({ description: "The account's plan.", example: "free" }),
				pdfs_generated: z.number().int().openapi({ description: "Credits spent this period (as `used_this_period` in GET /v1/credits); test-mode documents cost none.", example: 3 }),
				pdfs_limit: z
					.number()
					.int()
					.openapi({ description: "Documents this period: the plan's monthly allowance plus purchased credits, spent or left. Always `pdfs_generated + pdfs_remaining`.", example: 50 }),
				pdfs_remaining: z.number().int().openapi({ description: "Credits left (`credits_left` in GET /v1/credits).", example: 47 }),
				rate_limit: z
					.object({
						requests_per_minute: z.number().int().openapi({ description: "The plan's rate, over all the account's keys (`X-RateLimit-Limit`).", example: 60 }),
						current_usage: z.number().int().openapi({ description: "Requests counted in the current minute, this one included.", example: 5 }),
					})
					.openapi({ description: "The plan's requests a minute and where the account stands in the current window." }),
				period: z
					.object({
						start: z.string().openapi({ description: "First instant of the calendar month (UTC).", example: "2026-11-01T00:00:00Z" }),
						end: z.string().openapi({ description: "Last second of the month (UTC).", example: "2026-11-30T23:59:59Z" }),
						resets_at: z.string().openapi({ description: "When the monthly allowance comes back.", example: "2026-12-01T00:00:00Z" }),
					})
					.openapi({ description: "The billing period: the calendar month, UTC." }),
				purchased_credits: z.number().int().openapi({ description: "Bought credits left; they never expire and are spent after the allowance.", example: 0 }),
				test_pdfs_today: z.number().int().openapi({ description: "Test-mode documents made today (UTC).", example: 1 }),
				test_daily_limit: z.number().int().openapi({ description: "Test-mode documents the account may make a day (UTC).", example: 100 }),
				daily: z
					.array(
						z.object({
							date: z.string().openapi({ description: "The UTC day.", example: "2026-11-01" }),
							documents: z.number().int().openapi({ description: "Live documents completed that day.", example: 3 }),
							test_documents: z.number().int().openapi({ description: "Test-mode documents completed that day.", example: 1 }),
						}),
					)
					.openapi({ description: "One entry per day of the period, from its first day to today, zeros included; from the generation log." }),
			})
			.openapi({ description: "The account's usage for the current period (a calendar month, UTC)." }),
	})
	.openapi("Usage");

const route = createRoute({
	method: "get",
	path: "/v1/usage",
	tags: ["Usage"],
	operationId: "getUsage",
	summary: "Usage this period",
	description:
		"pdfapi.dev's usage object, plus `purchased_credits`, the test-mode counts and `daily`. The counts and the rate come from the account's Credits object, " +
		"the balance's source of truth, so they agree with GET /v1/credits. `daily` comes from the generation log (completed documents, by UTC day, live and test apart), " +
		"which is written just after each response, so it can trail the balance by a moment. This request counts against the rate like any other. " +
		RATE_LIMIT_DESCRIPTION,
	security: SECURITY,
	middleware: [apiKeyAuth({ nearby: true }), rateLimit()] as const,
	responses: {
		200: { description: "The account's usage this period", content: { "application/json": { schema: UsageSchema } } },
		...errorResponses(401, 429, 503),
	},
});

export function registerGetUsage(app: App) {
	app.openapi(route, async (c) => {
		const { accountId, keyId, plan } = c.var.auth;
		const balance = await creditsFor(c.env, accountId).balance(plan, keyId);
		if (!balance) throw new ApiError("UNAUTHORIZED", "Invalid API key");
		// The period is the month before the balance's reset, so both describe the same month.
		const resetsAt = new Date(balance.resets_at);
		const start = new Date(Date.UTC(resetsAt.getUTCFullYear(), resetsAt.getUTCMonth() - 1, 1));
		const daily = await dailyUsage(c.var.db, accountId, dayOf(start.getTime()), dayOf(Math.min(Date.now(), resetsAt.getTime() - 1)));
		// rateLimit() counted this request and kept the window it saw.
		const rate = c.var.rate;
		return c.json(
			{
				data: {
					plan: balance.plan,
					pdfs_generated: balance.used_this_period,
					pdfs_limit: balance.used_this_period + balance.credits_left,
					pdfs_remaining: balance.credits_left,
					rate_limit: {
						requests_per_minute: rate?.limit ?? balance.requests_per_minute,
						current_usage: rate ? rate.limit - rate.remaining : 0,
					},
					period: { start: isoSeconds(start), end: isoSeconds(new Date(resetsAt.getTime() - 1000)), resets_at: isoSeconds(resetsAt) },
					purchased_credits: balance.purchased_credits,
					test_pdfs_today: balance.test_used_today,
					test_daily_limit: balance.test_daily_limit,
					daily,
				},
			},
			200,
		);
	});
}

/** `2026-12-01T00:00:00Z`: pdfapi.dev's instants, to the second. */
function isoSeconds(date: Date): string {
	return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
