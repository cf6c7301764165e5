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
	options: { ttlMs?: number; sync?: boolean; amount?: number } = {},
): Promise<Reserved> {
	return reserveCredits(credits, [requestId], auth, options);
}

/**
 * {@link reserveCredit} for several request ids at once (a batch's tasks), all or nothing: each
 * id holds `amount` (default 1) and is committed or refunded on its own; when the balance can't
 * cover them all, 402 and nothing is taken. Counts as one request against the rate.
 */
export async function reserveCredits(
	credits: DurableObjectStub<Credits>,
	requestIds: string[],
	auth: { mode: KeyMode; keyId: string; plan: string },
	{ ttlMs, sync = false, amount = 1 }: { ttlMs?: number; sync?: boolean; amount?: number } = {},
): Promise<Reserved> {
	const reservation = await credits.reserveMany(requestIds, auth.plan, { test: auth.mode === "test", ttlMs, keyId: auth.keyId, sync, amount }).catch((cause: unknown) => {
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
				`Test-mode keys make at most ${TEST_DAILY_CAP} documents a day per account${requestIds.length * amount > 1 ? `, and this request needs ${requestIds.length * amount} of them` : ""}; the cap resets at midnight UTC`,
				{ test_daily_limit: TEST_DAILY_CAP },
				undefined,
				{ ...headers, "Retry-After": String(retryAfter) },
			);
		}
		default:
			throw new ApiError(
				"INSUFFICIENT_CREDITS",
				requestIds.length * amount > 1
					? `Not enough credits: this request needs ${requestIds.length * amount} and ${reservation.credits_left} are left; nothing was charged`
					: "Not enough credits: your monthly allowance and purchased credits are used up",
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
