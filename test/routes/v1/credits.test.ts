import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { planLimits } from "../../../src/credits/plans";
import { call, postJson, signUp } from "../../helpers";

describe("GET /v1/credits", () => {
	it("answers the contract's shape and counts a generated document", async () => {
		const { key } = await signUp();
		await postJson("/v1/generate", { html: "<p>x</p>" }, { "X-API-Key": key });
		const res = await call("/v1/credits", { headers: { "X-API-Key": key } });
		expect(res.status).toBe(200);
		const now = new Date();
		expect(await res.json()).toEqual({
			credits_left: 49,
			plan: "free",
			monthly_allowance: 50,
			// The suite relaxes the free plan's rate and concurrency (PLAN_LIMITS in vitest.config.ts).
			requests_per_minute: planLimits("free", env).requests_per_minute,
			concurrency: planLimits("free", env).concurrency,
			used_this_period: 1,
			purchased_credits: 0,
			mode: "live",
			test_daily_limit: 100,
			test_used_today: 0,
			resets_at: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
		});
	});

	it("401 without a key", async () => {
		expect((await call("/v1/credits")).status).toBe(401);
	});
});
