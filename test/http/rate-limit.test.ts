import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { creditsFor } from "../../src/credits/client";
import { PLANS } from "../../src/credits/plans";
import { awayFromWindowEdge, call, errorOf, postJson, setPlan, signUp } from "../helpers";

// The suite relaxes the free plan's limits (PLAN_LIMITS in vitest.config.ts); these tests run on
// `pro`, whose limits are the real ones.
const pro = PLANS.pro;

async function proAccount() {
	const account = await signUp();
	expect((await setPlan(account.accountId, "pro")).status).toBe(200);
	return account;
}

function rateOf(res: Response) {
	return {
		limit: res.headers.get("X-RateLimit-Limit"),
		remaining: Number(res.headers.get("X-RateLimit-Remaining")),
		reset: Number(res.headers.get("X-RateLimit-Reset")),
	};
}

describe("rate limits per account and plan", () => {
	it("every authenticated response carries X-RateLimit-*, successes and errors alike, counting down over all routes", async () => {
		const { key } = await proAccount();
		await awayFromWindowEdge(10);
		const headers = { "X-API-Key": key };
		const responses = [
			await call("/v1/credits", { headers }),
			await call("/v1/templates", { headers }),
			await postJson("/v1/generate", { html: "<p>rate</p>" }, headers),
			await postJson("/v1/generate", { html: "<p>rate</p>", dry_run: true }, headers),
			await postJson("/v1/generate", { template_id: "nope/none" }, headers),
			await postJson("/v1/generate", { html: "" }, headers),
			await call("/v1/templates/nope%2Fnone", { headers }),
			await call("/v1/keys", { headers }),
		];
		expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 404, 400, 404, 200]);
		responses.forEach((res, i) => {
			const rate = rateOf(res);
			expect(rate.limit, `response ${i}`).toBe(String(pro.requests_per_minute));
			expect(rate.remaining, `response ${i}`).toBe(pro.requests_per_minute - 1 - i);
			expect(rate.reset).toBeGreaterThanOrEqual(1);
			expect(rate.reset).toBeLessThanOrEqual(60);
		});
		// A 401 names no account, so it has no rate to show.
		expect((await call("/v1/credits", { headers: { "X-API-Key": "qk_live_nope" } })).headers.has("X-RateLimit-Limit")).toBe(false);
	});

	it("a burst past the plan's rate: exactly the limit served, the rest 429 RATE_LIMITED with Retry-After, nothing charged", async () => {
		const { key, accountId } = await proAccount();
		await awayFromWindowEdge(20);
		const headers = { "X-API-Key": key };
		const burst = await Promise.all(Array.from({ length: pro.requests_per_minute + 20 }, () => call("/v1/templates", { headers })));
		const statuses = burst.map((r) => r.status);
		expect(statuses.filter((s) => s === 200)).toHaveLength(pro.requests_per_minute);
		expect(statuses.filter((s) => s === 429)).toHaveLength(20);
		for (const res of burst.filter((r) => r.status === 429)) {
			expect((await errorOf(res)).code).toBe("RATE_LIMITED");
			const retryAfter = Number(res.headers.get("Retry-After"));
			expect(retryAfter).toBeGreaterThanOrEqual(1);
			expect(retryAfter).toBeLessThanOrEqual(60);
			expect(rateOf(res)).toMatchObject({ limit: String(pro.requests_per_minute), remaining: 0 });
		}
		await Promise.all(burst.filter((r) => r.status === 200).map((r) => r.body?.cancel()));

		// Generation is refused too, before anything is reserved.
		const generate = await postJson("/v1/generate", { html: "<p>too many</p>" }, headers);
		expect(generate.status).toBe(429);
		expect((await errorOf(generate)).code).toBe("RATE_LIMITED");
		expect(generate.headers.get("Retry-After")).toMatch(/^\d+$/);
		expect(await creditsFor(env, accountId).balance("pro")).toMatchObject({ used_this_period: 0, credits_left: pro.monthly_allowance });
	});

	it(`more sync renders in flight than the plan's concurrency: 429 CONCURRENCY_LIMITED with Retry-After, nothing charged`, async () => {
		const { key, accountId } = await proAccount();
		const credits = creditsFor(env, accountId);
		// Renders in flight, held open on the account's object.
		for (let i = 0; i < pro.concurrency; i++) expect(await credits.reserve(`held-${i}`, "pro", { sync: true })).toMatchObject({ ok: true });
		const headers = { "X-API-Key": key };
		const refused = await postJson("/v1/generate", { html: "<p>one more</p>" }, headers);
		expect(refused.status).toBe(429);
		expect(await errorOf(refused)).toMatchObject({ code: "CONCURRENCY_LIMITED", details: { concurrency: pro.concurrency } });
		expect(refused.headers.get("Retry-After")).toBe("1");
		expect(refused.headers.get("X-RateLimit-Limit")).toBe(String(pro.requests_per_minute));
		expect((await credits.balance("pro"))!.used_this_period).toBe(pro.concurrency);

		// Once one finishes, the next render goes through.
		await credits.commit("held-0");
		const served = await postJson("/v1/generate", { html: "<p>one more</p>" }, headers);
		expect(served.status).toBe(200);
		expect(served.headers.get("Content-Type")).toBe("application/pdf");
	});
});
