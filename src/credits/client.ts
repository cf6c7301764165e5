import type { KeyMode } from "../auth/api-key";
import { ApiError } from "../http/errors";
import { dayOf, TEST_DAILY_CAP, type Credits } from "./credits";

/** The account's Credits object. Its methods are called over RPC: `await creditsFor(env, id).balance()`. */
export function creditsFor(env: Env, accountId: string): DurableObjectStub<Credits> {
	return env.CREDITS.get(env.CREDITS.idFromName(accountId));
}

/**
 * Reserves the credit for `requestId` (a test-mode request takes a slot of the account's daily
 * test cap instead): 402 when the balance is short, 429 past the test cap, 401 when the key was
 * revoked, 503 when the object can't be reached. Returns the credit balance after the reservation. Idempotent by `requestId`.
 */
export async function reserveCredit(
	credits: DurableObjectStub<Credits>,
	requestId: string,
	auth: { mode: KeyMode; keyId: string },
	ttlMs?: number,
): Promise<number> {
	const reservation = await credits.reserve(requestId, { test: auth.mode === "test", ttlMs, keyId: auth.keyId }).catch((cause: unknown) => {
		throw new ApiError("SERVICE_UNAVAILABLE", "The credits service is unavailable; nothing was charged", undefined, cause);
	});
	if (reservation.ok) return reservation.credits_left;
	if (reservation.reason === "revoked_key") throw new ApiError("UNAUTHORIZED", "Invalid API key");
	if (reservation.reason === "test_daily_cap") {
		const retryAfter = Math.ceil((Date.parse(`${dayOf(Date.now())}T00:00:00Z`) + 86_400_000 - Date.now()) / 1000);
		throw new ApiError(
			"RATE_LIMITED",
			`Test-mode keys make at most ${TEST_DAILY_CAP} documents a day per account; the cap resets at midnight UTC`,
			{ test_daily_limit: TEST_DAILY_CAP },
			undefined,
			{ "Retry-After": String(retryAfter) },
		);
	}
	throw new ApiError("INSUFFICIENT_CREDITS", "Not enough credits: your monthly allowance and purchased credits are used up", {
		credits_left: reservation.credits_left,
	});
}
