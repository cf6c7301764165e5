import type { Context, MiddlewareHandler } from "hono";
import { creditsFor, rateLimited } from "../credits/client";
import type { RateState } from "../credits/credits";
import type { AppEnv } from "./app-env";
import { ApiError } from "./errors";
import { rateHeaders } from "./rate-headers";

export const RATE_LIMIT_DESCRIPTION =
	"Every authenticated response carries `X-RateLimit-Limit` (requests a minute on the account's plan, over all its keys), " +
	"`X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds until the window ends). Past the limit: 429 `RATE_LIMITED` with `Retry-After`, nothing done or charged.";

/** Puts the `X-RateLimit-*` headers on the response already made (a fresh copy if its headers are immutable). */
export function setRateHeaders(c: Context<AppEnv>, rate: RateState): void {
	const headers = rateHeaders(rate);
	try {
		for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
	} catch {
		const res = new Response(c.res.body, c.res);
		for (const [name, value] of Object.entries(headers)) res.headers.set(name, value);
		c.res = res;
	}
}

/**
 * Counts the request against the account's plan rate (in its Credits object) and puts the
 * `X-RateLimit-*` headers on the response, whatever its status; past the rate, 429 `RATE_LIMITED`.
 * Goes right after `apiKeyAuth`.
 *
 * With `countedByHandler: true` (POST /v1/generate) the handler's credit reservation counts the
 * request in the same Durable Object call and sets `c.var.rate`, so the hot path makes one call;
 * a response that made no reservation (a dry run, a 400, an idempotent replay) is counted after
 * it is made, never refused.
 *
 * @example createRoute({ …, middleware: [apiKeyAuth(), rateLimit()] as const })
 */
export function rateLimit({ countedByHandler = false }: { countedByHandler?: boolean } = {}): MiddlewareHandler<AppEnv> {
	return async function rateLimit(c, next) {
		const { accountId, plan } = c.var.auth;
		const credits = creditsFor(c.env, accountId);
		if (!countedByHandler) {
			const { ok, rate } = await credits.hit(plan).catch((cause: unknown) => {
				throw new ApiError("SERVICE_UNAVAILABLE", "The rate limiter is unavailable; try again shortly", undefined, cause);
			});
			if (!ok) throw rateLimited(rate);
			c.set("rate", rate);
		}
		await next();
		if (c.res.headers.has("X-RateLimit-Limit")) return;
		// Best effort: the response is made; a counter that can't be reached only loses the headers.
		const rate = c.var.rate ?? (await credits.hit(plan, { refuse: false }).then((r) => r.rate, () => undefined));
		if (rate) setRateHeaders(c, rate);
	};
}
