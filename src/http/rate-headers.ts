import type { RateState } from "../rate-limits/window";

/**
 * The `X-RateLimit-*` headers for `rate`. A leaf module: the credits client and the rate-limit
 * middleware both need it, and the middleware needs the client, so it can live in neither.
 */
export function rateHeaders(rate: RateState): Record<string, string> {
	return { "X-RateLimit-Limit": String(rate.limit), "X-RateLimit-Remaining": String(rate.remaining), "X-RateLimit-Reset": String(rate.reset) };
}
