import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { creditsFor } from "../../../src/credits/client";
import { PLANS, planLimits } from "../../../src/credits/plans";
import { accountOnFleet, call, creditsLeft, errorOf, eventually, postJson, setPlan, signUp, topUp } from "../../helpers";

/** A document that keeps its page busy for a few seconds, then prints. */
const BUSY = `<p>busy</p><script>const until = Date.now() + 4000; while (Date.now() < until) {}</script>`;

/** The most pages the account's documents hold on one renderer, and its documents in flight on the fleet. */
async function rendererShare(accountId: string) {
	const held = await accountOnFleet(accountId);
	return { most: Math.max(0, ...held.map((r) => r.active)), inFlight: held.reduce((sum, r) => sum + r.active + r.waiting, 0) };
}

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

	it("applies everywhere at once, from the next request: allowance (GET /v1/credits), rate headers, concurrency and the renderer share", { timeout: 60_000 }, async () => {
		const { accountId, key } = await signUp();
		const headers = { "X-API-Key": key };
		expect((await setPlan(accountId, "pro")).status).toBe(200);

		const credits = await call("/v1/credits", { headers });
		expect(await credits.json()).toMatchObject({ plan: "pro", monthly_allowance: PLANS.pro.monthly_allowance, concurrency: PLANS.pro.concurrency });
		expect(credits.headers.get("X-RateLimit-Limit")).toBe(String(PLANS.pro.requests_per_minute));

		// Concurrency: with pro's renders held open, the next sync render is refused at pro's number.
		const object = creditsFor(env, accountId);
		for (let i = 0; i < PLANS.pro.concurrency; i++) expect(await object.reserve(`held-${i}`, "pro", { sync: true })).toMatchObject({ ok: true });
		const refused = await postJson("/v1/generate", { html: "<p>one more</p>" }, headers);
		expect(refused.status).toBe(429);
		expect(await errorOf(refused)).toMatchObject({ code: "CONCURRENCY_LIMITED", details: { concurrency: PLANS.pro.concurrency } });
		for (let i = 0; i < PLANS.pro.concurrency; i++) await object.refund(`held-${i}`);

		// The renderer share: pro's two pages print at once, the third document waits (free would print one).
		const documents = Array.from({ length: PLANS.pro.render_slots + 1 }, () => postJson("/v1/generate", { html: BUSY, options: { wait_timeout_ms: 0 } }, headers));
		// Three documents in flight, at most the plan's share of them on any one renderer (the third goes
		// to another renderer, or waits: test/rendering/fleet.test.ts pins which).
		const share = await eventually(() => rendererShare(accountId), (s) => s.inFlight === 3);
		expect(share.inFlight).toBe(3);
		expect(share.most).toBeLessThanOrEqual(PLANS.pro.render_slots);
		for (const res of await Promise.all(documents)) {
			expect(res.status).toBe(200);
			await res.arrayBuffer();
		}

		// And back: free's limits (as the suite's PLAN_LIMITS relaxes them) apply to the very next request.
		expect((await setPlan(accountId, "free")).status).toBe(200);
		const free = planLimits("free", env);
		const after = await call("/v1/credits", { headers });
		expect(await after.json()).toMatchObject({ plan: "free", monthly_allowance: free.monthly_allowance, concurrency: free.concurrency });
		expect(after.headers.get("X-RateLimit-Limit")).toBe(String(free.requests_per_minute));
	});

	it("D1's accounts.plan is the plan's only source: a change written there alone applies to the allowance, rate and concurrency", async () => {
		const { accountId, key } = await signUp();
		await env.DB.prepare("UPDATE accounts SET plan = 'business' WHERE id = ?").bind(accountId).run();
		const res = await call("/v1/credits", { headers: { "X-API-Key": key } });
		const { render_slots: _renderSlots, ...business } = PLANS.business;
		expect(await res.json()).toMatchObject({ plan: "business", ...business, credits_left: PLANS.business.monthly_allowance });
		expect(res.headers.get("X-RateLimit-Limit")).toBe(String(PLANS.business.requests_per_minute));
		// The admin top-up answers with the same plan's balance.
		expect(await (await topUp(accountId, 5)).json()).toMatchObject({ data: { monthly_allowance: PLANS.business.monthly_allowance, credits_left: PLANS.business.monthly_allowance + 5 } });
	});
});
