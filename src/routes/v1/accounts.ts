import { createRoute, z } from "@hono/zod-openapi";
import { accounts, apiKeys, members } from "../../db/schema";
import { issueKey } from "../../auth/keys";
import { newAccountRows } from "../../auth/sessions";
import { SIGNUPS_PER_IP_PER_HOUR } from "../../credits/plans";
import { ApiError } from "../../http/errors";
import { rateHeaders } from "../../http/rate-headers";
import { clientKey, rateLimiterFor } from "../../rate-limits/rate-limiter";
import { errorResponses } from "../../http/schemas";
import type { App } from "../../http/app-env";
import { settle } from "../../log";

const SignUpSchema = z
	.object({ email: z.email().max(254).openapi({ description: "The account's email address (at most 254 characters); one account per address.", example: "you@example.com" }) })
	.openapi("SignUpRequest");

const SignUpResponseSchema = z
	.object({
		data: z
			.object({
				account: z
					.object({
						id: z.string().openapi({ description: "The account's id.", example: "acc_3kTz9QmW1xYbVc2L" }),
						email: z.string().openapi({ description: "The email address, lower-cased.", example: "you@example.com" }),
						plan: z.string().openapi({ description: "Always `free` at sign-up.", example: "free" }),
						created_at: z.string().openapi({ description: "When the account was made (ISO 8601, UTC).", example: "2026-11-21T10:30:00.000Z" }),
					})
					.openapi({ description: "The new account." }),
				key: z
					.object({
						id: z.string().openapi({ description: "The key's id, for DELETE /v1/keys/{id}.", example: "key_7bQ2c9LmXw4RtZ1a" }),
						name: z.string().openapi({ description: "Always `Default`.", example: "Default" }),
						key: z.string().openapi({ description: "The full API key. Shown this once; only its hash is stored.", example: "qk_live_…" }),
						created_at: z.string().openapi({ description: "When the key was made (ISO 8601, UTC).", example: "2026-11-21T10:30:00.000Z" }),
					})
					.openapi({ description: "The account's first API key, a live one named `Default`." }),
			})
			.openapi({ description: "The account and its first key." }),
	})
	.openapi("SignUpResponse");

const route = createRoute({
	method: "post",
	path: "/v1/accounts",
	tags: ["Accounts"],
	operationId: "createAccount",
	// No key: an empty list says so (an operation without `security` is merely undocumented).
	security: [],
	summary: "Sign up",
	description:
		"Creates an account on the free plan (50 credits a month) and its first API key, returned once. " +
		`At most ${SIGNUPS_PER_IP_PER_HOUR} sign-ups an hour per client IP (only those that create an account count; a refused one, 400, 409 or 429, doesn't): ` +
		"responses carry `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds) for that limit, and past it the answer is 429 `RATE_LIMITED` with `Retry-After`. " +
		"In local development (`npm start`) sign-ups are not limited and carry no `X-RateLimit-*` headers.",
	request: { body: { required: true, content: { "application/json": { schema: SignUpSchema } } } },
	responses: {
		201: { description: "Account and first key", content: { "application/json": { schema: SignUpResponseSchema } } },
		...errorResponses(400, 409, 413, 429, 503),
	},
});

export function registerCreateAccount(app: App) {
	app.openapi(route, async (c) => {
		const email = c.req.valid("json").email.toLowerCase();
		// Local development (the switch that lets rendered pages reach loopback): every client is one developer, not limited.
		const local = c.env.ALLOW_LOOPBACK === "true";
		const counted = local ? null : await limitSignUps(c.env, c.req.header("cf-connecting-ip"));
		const createdAt = new Date().toISOString();
		// The address is the account's first owner, so it can sign in by email too.
		const { account, owner } = newAccountRows(email, createdAt);
		const db = c.var.db;
		try {
			const { key, row: keyRow } = await issueKey(account.id, "Default", "live", createdAt);
			await db.batch([db.insert(accounts).values(account), db.insert(members).values(owner), db.insert(apiKeys).values(keyRow)]);
			return c.json(
				{
					data: {
						account: { id: account.id, email, plan: account.plan, created_at: createdAt },
						key: { id: keyRow.id, name: keyRow.name, key, created_at: createdAt },
					},
				},
				201,
				counted?.headers,
			);
		} catch (error) {
			// Only a sign-up that made an account counts against the limit.
			if (counted) await settle(c.var.db, "signup_release", c.var.requestId, counted.release);
			if (/UNIQUE constraint failed: (accounts|members)\.email/.test(String((error as Error)?.cause ?? error))) {
				throw new ApiError("CONFLICT", "An account with this email already exists");
			}
			throw error;
		}
	});
}

/**
 * Counts a sign-up against the client IP's hourly limit, in a RateLimiter object per IP; past the
 * limit, 429 (not counted). Returns the `X-RateLimit-*` headers for the created account's response,
 * and what uncounts it, for a sign-up refused after all. An IPv6 client is counted by its /64.
 * Cloudflare always sends `CF-Connecting-IP`; without it every client shares one counter.
 */
async function limitSignUps(env: Env, ip: string | undefined): Promise<{ headers: Record<string, string>; release: () => Promise<void> }> {
	const limiter = rateLimiterFor(env, `signup:${clientKey(ip)}`);
	const { ok, rate, window } = await limiter
		.hit(SIGNUPS_PER_IP_PER_HOUR, 3600_000)
		.catch((cause: unknown) => {
			throw new ApiError("SERVICE_UNAVAILABLE", "Sign-up is unavailable; try again shortly", undefined, cause);
		});
	const headers = rateHeaders(rate);
	if (!ok) {
		throw new ApiError("RATE_LIMITED", `Too many sign-ups from your address: at most ${SIGNUPS_PER_IP_PER_HOUR} an hour`, { limit: rate.limit, reset: rate.reset }, undefined, {
			...headers,
			"Retry-After": String(rate.reset),
		});
	}
	return { headers, release: () => limiter.release(window) };
}
