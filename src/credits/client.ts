import type { KeyMode } from "../auth/api-key";
import { ApiError } from "../http/errors";
import { rateHeaders } from "../http/rate-headers";
import { dayOf, TEST_DAILY_CAP, type Credits, type RateState } from "./credits";

/** The account's Credits object. Its methods are called over RPC: `await creditsFor(env, id).balance(plan)`. */
export function creditsFor(env: Env, accountId: string): DurableObjectStub<Credits> {
	return env.CREDITS.get(env.CREDITS.idFromName(accountId));
}

/** A reservation made: the credit balance after it, and the account's request rate. */
export interface Reserved {
	creditsLeft: number;
	rate: RateState;
}

/**
 * Reserves the credit for `requestId` (a test-mode request takes a slot of the account's daily
 * test cap instead), counting the request against the rate of `auth.plan` (D1's `accounts.plan`) in the same call: 429
 * `RATE_LIMITED` past the rate, 429 `CONCURRENCY_LIMITED` when a `sync` render would exceed the
 * plan's concurrency, 402 when the balance is short, 429 past the test cap, 401 when the key was
 * revoked, 503 when the object can't be reached. Every refusal but 401 and 503 carries the
 * `X-RateLimit-*` headers. Idempotent by `requestId`.
 */
export async function reserveCredit(
	credits: DurableObjectStub<Credits>,
	requestId: string,
	auth: { mode: KeyMode; keyId: string; plan: string },
	{ ttlMs, sync = false }: { ttlMs?: number; sync?: boolean } = {},
): Promise<Reserved> {
	const reservation = await credits.reserve(requestId, auth.plan, { test: auth.mode === "test", ttlMs, keyId: auth.keyId, sync }).catch((cause: unknown) => {
		throw new ApiError("SERVICE_UNAVAILABLE", "The credits service is unavailable; nothing was charged", undefined, cause);
	});
	if (reservation.ok) return { creditsLeft: reservation.credits_left, rate: reservation.rate };
	const headers = rateHeaders(reservation.rate);
	switch (reservation.reason) {
		case "revoked_key":
			throw new ApiError("UNAUTHORIZED", "Invalid API key");
		case "rate_limited":
			throw rateLimited(reservation.rate);
		case "concurrency_limited":
			throw new ApiError(
				"CONCURRENCY_LIMITED",
				`Your plan renders at most ${reservation.concurrency} documents at once; wait for one to finish, or use async_mode`,
				{ concurrency: reservation.concurrency },
				undefined,
				{ ...headers, "Retry-After": "1" },
			);
		case "test_daily_cap": {
			const retryAfter = Math.ceil((Date.parse(`${dayOf(Date.now())}T00:00:00Z`) + 86_400_000 - Date.now()) / 1000);
			throw new ApiError(
				"RATE_LIMITED",
				`Test-mode keys make at most ${TEST_DAILY_CAP} documents a day per account; the cap resets at midnight UTC`,
				{ test_daily_limit: TEST_DAILY_CAP },
				undefined,
				{ ...headers, "Retry-After": String(retryAfter) },
			);
		}
		default:
			throw new ApiError(
				"INSUFFICIENT_CREDITS",
				"Not enough credits: your monthly allowance and purchased credits are used up",
				{ credits_left: reservation.credits_left },
				undefined,
				headers,
			);
	}
}

/** 429 `RATE_LIMITED` for an account past its plan's requests a minute. */
export function rateLimited(rate: RateState): ApiError {
	return new ApiError(
		"RATE_LIMITED",
		`Too many requests: your plan allows ${rate.limit} a minute; try again in ${rate.reset} s`,
		{ limit: rate.limit, reset: rate.reset },
		undefined,
		{ ...rateHeaders(rate), "Retry-After": String(rate.reset) },
	);
}
