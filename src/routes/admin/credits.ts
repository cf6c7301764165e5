import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { eq } from "drizzle-orm";
import { hashKey } from "../../auth/api-key";
import { sameDigest } from "../../auth/middleware";
import { creditsFor } from "../../credits/client";
import { accounts } from "../../db/schema";
import { ApiError } from "../../http/errors";
import { errorResponses } from "../../http/schemas";
import type { App, AppEnv } from "../../http/app-env";

/** `Authorization: Bearer <ADMIN_TOKEN>`; refused when the secret is not configured. */
export function adminAuth(): MiddlewareHandler<AppEnv> {
	return async function adminAuth(c, next) {
		const expected = c.env.ADMIN_TOKEN;
		const given = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "")?.[1];
		// Digests of equal length, compared in constant time: the token leaks nothing through timing.
		const [a, b] = await Promise.all([hashKey(given ?? ""), hashKey(expected ?? "")]);
		if (!expected || !given || !sameDigest(a, b)) throw new ApiError("UNAUTHORIZED", "Admin token required");
		await next();
	};
}

/** The account an admin endpoint acts on. */
export const AccountIdParams = z.object({ id: z.string().min(1).max(64).openapi({ description: "The account's id.", example: "acc_3kTz9QmW1xYbVc2L" }) });

/** The balance fields the admin endpoints answer with, as GET /v1/credits describes them. */
export const BALANCE_FIELDS = {
	account_id: z.string().openapi({ description: "The account's id.", example: "acc_3kTz9QmW1xYbVc2L" }),
	credits_left: z.number().int().openapi({ description: "Credits that can be spent now: the rest of the monthly allowance plus purchased credits.", example: 1549 }),
	purchased_credits: z.number().int().openapi({ description: "Purchased credits left; they never expire and are spent after the allowance.", example: 500 }),
	monthly_allowance: z.number().int().openapi({ description: "Credits each calendar month (UTC), from the plan.", example: 1000 }),
	used_this_period: z.number().int().openapi({ description: "Credits spent this calendar month (UTC).", example: 1 }),
	resets_at: z.string().openapi({ description: "When the monthly allowance comes back (ISO 8601, UTC).", example: "2026-12-01T00:00:00.000Z" }),
};

const route = createRoute({
	method: "post",
	path: "/admin/accounts/{id}/credits",
	tags: ["Admin"],
	operationId: "adminAddCredits",
	summary: "Add purchased credits",
	description: "Adds credits that never expire and are spent after the monthly allowance. Needs `Authorization: Bearer <ADMIN_TOKEN>`.",
	security: [{ AdminToken: [] }],
	middleware: [adminAuth()] as const,
	request: {
		params: AccountIdParams,
		body: {
			required: true,
			content: {
				"application/json": {
					schema: z.object({ amount: z.number().int().min(1).max(1_000_000).openapi({ description: "Credits to add, 1 to 1,000,000.", example: 500 }) }).openapi("TopUpRequest"),
				},
			},
		},
	},
	responses: {
		200: {
			description: "The balance after the top-up",
			content: {
				"application/json": {
					schema: z.object({
						data: z
							.object({
								account_id: BALANCE_FIELDS.account_id,
								credits_left: BALANCE_FIELDS.credits_left,
								purchased_credits: BALANCE_FIELDS.purchased_credits,
								monthly_allowance: BALANCE_FIELDS.monthly_allowance,
								used_this_period: BALANCE_FIELDS.used_this_period,
								resets_at: BALANCE_FIELDS.resets_at,
							})
							.openapi({ description: "The account's balance." }),
					}),
				},
			},
		},
		...errorResponses(400, 401, 404, 413, 503),
	},
});

export function registerAdminCredits(app: App) {
	app.openapi(route, async (c) => {
		const { id } = c.req.valid("param");
		const { amount } = c.req.valid("json");
		const account = await c.var.db.select({ plan: accounts.plan }).from(accounts).where(eq(accounts.id, id)).get();
		if (!account) throw new ApiError("NOT_FOUND", "Account not found");
		// The schema already allows only positive integers, so the object never refuses this amount.
		const balance = (await creditsFor(c.env, id).addCredits(amount, account.plan))!;
		return c.json({ data: { account_id: id, ...balance } }, 200);
	});
}
