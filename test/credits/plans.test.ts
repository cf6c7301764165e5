import { describe, expect, it } from "vitest";
import { isPlanName, PLANS, planLimits } from "../../src/credits/plans";

describe("plans", () => {
	it("free keeps the contract's 50 credits a month; each plan gives more than the one below", () => {
		expect(PLANS.free.monthly_allowance).toBe(50);
		const [free, pro, business] = [PLANS.free, PLANS.pro, PLANS.business];
		for (const field of ["monthly_allowance", "requests_per_minute", "concurrency"] as const) {
			expect(pro[field]).toBeGreaterThan(free[field]);
			expect(business[field]).toBeGreaterThan(pro[field]);
		}
	});

	it("knows its names; an unknown name counts as free", () => {
		expect(isPlanName("pro")).toBe(true);
		expect(isPlanName("toString")).toBe(false);
		expect(planLimits("gold", {})).toEqual({ name: "free", ...PLANS.free });
	});

	it("PLAN_LIMITS lays limits over one plan, and a malformed value is ignored", () => {
		const env = { PLAN_LIMITS: JSON.stringify({ free: { requests_per_minute: 5 } }) };
		expect(planLimits("free", env)).toEqual({ name: "free", ...PLANS.free, requests_per_minute: 5 });
		expect(planLimits("pro", env)).toEqual({ name: "pro", ...PLANS.pro });
		expect(planLimits("pro", { PLAN_LIMITS: "{not json" })).toEqual({ name: "pro", ...PLANS.pro });
		expect(planLimits("pro", { PLAN_LIMITS: "" })).toEqual({ name: "pro", ...PLANS.pro });
	});
});
