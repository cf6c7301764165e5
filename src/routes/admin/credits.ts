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

const route = createRoute({
	method: "post",
	path: "/admin/accounts/{id}/credits",
	tags: ["Admin"],
	summary: "Add purchased credits",
	description: "Adds credits that never expire and are spent after the monthly allowance. Needs `Authorization: Bearer <ADMIN_TOKEN>`.",
	security: [{ AdminToken: [] }],
	middleware: [adminAuth()] as const,
	request: {
		params: z.object({ id: z.string().min(1).max(64) }),
		body: { required: true, content: { "application/json": { schema: z.object({ amount: z.number().int().min(1).max(1_000_000) }).openapi("TopUpRequest") } } },
	},
	responses: {
		200: {
			description: "The balance after the top-up",
			content: {
				"application/json": {
					schema: z.object({
						data: z.object({ account_id: z.string(), credits_left: z.number().int(), purchased_credits: z.number().int(), monthly_allowance: z.number().int(), used_this_period: z.number().int(), resets_at: z.string() }),
					}),
				},
			},
		},
		...errorResponses(400, 401, 404),
	},
});

export function registerAdminCredits(app: App) {
	app.openapi(route, async (c) => {
		const { id } = c.req.valid("param");
		const { amount } = c.req.valid("json");
		const account = await c.var.db.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, id)).get();
		if (!account) throw new ApiError("NOT_FOUND", "Account not found");
		// The schema already allows only positive integers, so the object never refuses this amount.
		const balance = (await creditsFor(c.env, id).addCredits(amount))!;
		return c.json({ data: { account_id: id, ...balance } }, 200);
	});
}
