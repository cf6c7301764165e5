import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PLANS } from "../../../src/credits/plans";
import { call, creditsLeft, errorOf, setPlan, signUp } from "../../helpers";

describe("PUT /admin/accounts/:id/plan", () => {
	it("moves an account to another plan: D1, the allowance and the limits follow", async () => {
		const { accountId, key } = await signUp();
		const res = await setPlan(accountId, "business");
		expect(res.status).toBe(200);
		// Allowance, rate and concurrency are reported; the renderer share (render_slots) is the renderer's business.
		const { render_slots: _renderSlots, ...business } = PLANS.business;
		expect(await res.json()).toMatchObject({ data: { account_id: accountId, plan: "business", ...business, credits_left: PLANS.business.monthly_allowance } });
		expect(await env.DB.prepare("SELECT plan FROM accounts WHERE id = ?").bind(accountId).first("plan")).toBe("business");

		const credits = await call("/v1/credits", { headers: { "X-API-Key": key } });
		expect(await credits.json()).toMatchObject({ plan: "business", ...business, credits_left: PLANS.business.monthly_allowance });
		expect(credits.headers.get("X-RateLimit-Limit")).toBe(String(PLANS.business.requests_per_minute));

		expect((await setPlan(accountId, "pro")).status).toBe(200);
		expect(await creditsLeft(key)).toBe(PLANS.pro.monthly_allowance);
	});

	it("400 for an unknown plan, 404 for an unknown account, 401 without the admin token", async () => {
		const { accountId, key } = await signUp();
		const unknownPlan = await setPlan(accountId, "platinum");
		expect(unknownPlan.status).toBe(400);
		expect((await errorOf(unknownPlan)).code).toBe("VALIDATION_ERROR");
		expect((await setPlan("acc_doesnotexist0000", "pro")).status).toBe(404);
		for (const headers of [{}, { Authorization: "Bearer wrong" }, { Authorization: `Bearer ${key}` }] as Array<Record<string, string>>) {
			const res = await call(`/admin/accounts/${accountId}/plan`, { method: "PUT", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify({ plan: "pro" }) });
			expect(res.status).toBe(401);
		}
		expect(await env.DB.prepare("SELECT plan FROM accounts WHERE id = ?").bind(accountId).first("plan")).toBe("free");
		expect(await creditsLeft(key)).toBe(50);
	});
});
