import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { creditsFor } from "../../credits/client";
import { PLAN_NAMES, PLANS } from "../../credits/plans";
import { accounts } from "../../db/schema";
import { ApiError } from "../../http/errors";
import { errorResponses } from "../../http/schemas";
import type { App } from "../../http/app-env";
import { AccountIdParams, adminAuth, BALANCE_FIELDS } from "./credits";

const planList = PLAN_NAMES.map((name) => {
	const p = PLANS[name];
	return `\`${name}\` (${p.monthly_allowance} credits a month, ${p.requests_per_minute} requests a minute, ${p.concurrency} concurrent renders)`;
}).join(", ");

const route = createRoute({
	method: "put",
	path: "/admin/accounts/{id}/plan",
	tags: ["Admin"],
	operationId: "adminSetPlan",
	summary: "Set an account's plan",
	description: `Moves the account to a plan: ${planList}. The plan is kept in one place (the account's row), so its allowance, rate limit, concurrency and share of the renderer all apply from the account's next request; credits used this month stay used. Needs \`Authorization: Bearer <ADMIN_TOKEN>\`.`,
	security: [{ AdminToken: [] }],
	middleware: [adminAuth()] as const,
	request: {
		params: AccountIdParams,
		body: {
			required: true,
			content: { "application/json": { schema: z.object({ plan: z.enum(PLAN_NAMES).openapi({ description: "The plan to move the account to.", example: "pro" }) }).openapi("SetPlanRequest") } },
		},
	},
	responses: {
		200: {
			description: "The account's plan and balance after the change",
			content: {
				"application/json": {
					schema: z.object({
						data: z
							.object({
								account_id: BALANCE_FIELDS.account_id,
								plan: z.enum(PLAN_NAMES).openapi({ description: "The account's plan now.", example: "pro" }),
								monthly_allowance: BALANCE_FIELDS.monthly_allowance,
								requests_per_minute: z.number().int().openapi({ description: "The plan's rate limit, over all the account's keys.", example: 300 }),
								concurrency: z.number().int().openapi({ description: "Synchronous renders the plan allows in flight at once.", example: 10 }),
								credits_left: BALANCE_FIELDS.credits_left,
								used_this_period: BALANCE_FIELDS.used_this_period,
								purchased_credits: BALANCE_FIELDS.purchased_credits,
								resets_at: BALANCE_FIELDS.resets_at,
							})
							.openapi({ description: "The account's plan and balance." }),
					}),
				},
			},
		},
		...errorResponses(400, 401, 404, 413, 503),
	},
});

export function registerAdminPlan(app: App) {
	app.openapi(route, async (c) => {
		const { id } = c.req.valid("param");
		const { plan } = c.req.valid("json");
		const { rowsAffected } = await c.var.db.update(accounts).set({ plan }).where(eq(accounts.id, id)).run().then((r) => ({ rowsAffected: r.meta.changes }));
		if (!rowsAffected) throw new ApiError("NOT_FOUND", "Account not found");
		// D1's `accounts.plan` is the plan's one source: every request reads it with the key and hands it to the
		// Credits object and the renderer, so the change applies from the next request. Here only the balance is read.
		const { test_daily_limit: _limit, test_used_today: _used, ...balance } = (await creditsFor(c.env, id).balance(plan))!;
		return c.json({ data: { account_id: id, ...balance } }, 200);
	});
}
