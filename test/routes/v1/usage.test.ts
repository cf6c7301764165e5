import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { planLimits } from "../../../src/credits/plans";
import { awayFromWindowEdge, call, errorOf, eventually, expectStatus, postJson, setPlan, signUp, topUp } from "../../helpers";

interface Usage {
	plan: string;
	pdfs_generated: number;
	pdfs_limit: number;
	pdfs_remaining: number;
	rate_limit: { requests_per_minute: number; current_usage: number };
	period: { start: string; end: string; resets_at: string };
	purchased_credits: number;
	test_pdfs_today: number;
	test_daily_limit: number;
	daily: Array<{ date: string; documents: number; test_documents: number }>;
}

async function usage(key: string): Promise<Usage> {
	const res = await call("/v1/usage", { headers: { "X-API-Key": key } });
	await expectStatus(res, 200);
	return ((await res.json()) as { data: Usage }).data;
}

const today = () => new Date().toISOString().slice(0, 10);
const todayOf = (u: Usage) => u.daily.find((d) => d.date === today())!;

describe("GET /v1/usage: happy path", () => {
	it("answers pdfapi.dev's shape for a new account, with the period and one zero entry per day so far", async () => {
		const { key } = await signUp();
		const now = new Date();
		const year = now.getUTCFullYear();
		const month = now.getUTCMonth();
		const u = await usage(key);
		expect(u).toEqual({
			plan: "free",
			pdfs_generated: 0,
			pdfs_limit: 50,
			pdfs_remaining: 50,
			// The suite relaxes the free plan's rate (PLAN_LIMITS in vitest.config.ts); this request is the only one so far.
			rate_limit: { requests_per_minute: planLimits("free", env).requests_per_minute, current_usage: expect.any(Number) },
			period: {
				start: new Date(Date.UTC(year, month, 1)).toISOString().replace(".000Z", "Z"),
				end: new Date(Date.UTC(year, month + 1, 1) - 1000).toISOString().replace(".000Z", "Z"),
				resets_at: new Date(Date.UTC(year, month + 1, 1)).toISOString().replace(".000Z", "Z"),
			},
			purchased_credits: 0,
			test_pdfs_today: 0,
			test_daily_limit: 100,
			daily: expect.any(Array),
		});
		expect(u.period.start).toMatch(/^\d{4}-\d{2}-01T00:00:00Z$/);
		expect(u.period.end).toMatch(/T23:59:59Z$/);
		expect(u.daily).toHaveLength(now.getUTCDate());
		expect(u.daily[0]!.date).toBe(u.period.start.slice(0, 10));
		expect(u.daily.at(-1)!.date).toBe(today());
		expect(u.daily.every((d) => d.documents === 0 && d.test_documents === 0)).toBe(true);
		// Consecutive days, none skipped or repeated.
		for (let i = 1; i < u.daily.length; i++) expect(Date.parse(u.daily[i]!.date) - Date.parse(u.daily[i - 1]!.date)).toBe(86_400_000);
	});

	it("a live generation: pdfs_generated +1, pdfs_remaining −1 at once, and today's documents +1 once the log is written", async () => {
		const { key } = await signUp();
		const before = await usage(key);
		const res = await postJson("/v1/generate", { html: "<p>counted</p>" }, { "X-API-Key": key });
		expect(res.status).toBe(200);

		const after = await usage(key);
		expect(after).toMatchObject({ pdfs_generated: before.pdfs_generated + 1, pdfs_remaining: before.pdfs_remaining - 1, pdfs_limit: before.pdfs_limit, test_pdfs_today: 0 });
		const logged = await eventually(() => usage(key), (u) => todayOf(u).documents === 1);
		expect(todayOf(logged)).toEqual({ date: today(), documents: 1, test_documents: 0 });
		// Agrees with GET /v1/credits, the same Durable Object.
		const credits = (await (await call("/v1/credits", { headers: { "X-API-Key": key } })).json()) as { credits_left: number; used_this_period: number };
		expect({ generated: logged.pdfs_generated, remaining: logged.pdfs_remaining }).toEqual({ generated: credits.used_this_period, remaining: credits.credits_left });
	});

	it("a test: true generation counts in the test figures, not in the credits", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { html: "<p>preview</p>", test: true }, { "X-API-Key": key });
		expect(res.status).toBe(200);
		const u = await eventually(() => usage(key), (u) => todayOf(u).test_documents === 1);
		expect(u).toMatchObject({ pdfs_generated: 0, pdfs_remaining: 50, test_pdfs_today: 1 });
		expect(todayOf(u)).toEqual({ date: today(), documents: 0, test_documents: 1 });
	});

	it("purchased credits count in the limit and the remaining, and are shown apart", async () => {
		const { key, accountId } = await signUp();
		expect((await topUp(accountId, 25)).status).toBe(200);
		expect(await usage(key)).toMatchObject({ pdfs_generated: 0, pdfs_limit: 75, pdfs_remaining: 75, purchased_credits: 25 });
	});

	it("rate_limit is the plan's, and current_usage counts this request among the minute's", async () => {
		const { key, accountId } = await signUp();
		expect((await setPlan(accountId, "pro")).status).toBe(200);
		await awayFromWindowEdge(5);
		const first = await usage(key);
		const second = await usage(key);
		expect(first.rate_limit.requests_per_minute).toBe(planLimits("pro", env).requests_per_minute);
		expect(first.plan).toBe("pro");
		expect(first.rate_limit.current_usage).toBeGreaterThanOrEqual(1);
		expect(second.rate_limit.current_usage).toBe(first.rate_limit.current_usage + 1);
		const res = await call("/v1/usage", { headers: { "X-API-Key": key } });
		expect(Number(res.headers.get("X-RateLimit-Remaining"))).toBe(planLimits("pro", env).requests_per_minute - (first.rate_limit.current_usage + 2));
	});
});

describe("GET /v1/usage: errors", () => {
	it("401 without a key, or with an unknown one", async () => {
		for (const headers of [{}, { "X-API-Key": "qk_live_0000000000000000000000aaaaaa" }] as Array<Record<string, string>>) {
			const res = await call("/v1/usage", { headers });
			expect(res.status).toBe(401);
			expect((await errorOf(res)).code).toBe("UNAUTHORIZED");
		}
	});
});

describe("GET /v1/usage: security", () => {
	it("another account's documents are not in this one's figures", async () => {
		const a = await signUp();
		const b = await signUp();
		await postJson("/v1/generate", { html: "<p>a's</p>" }, { "X-API-Key": a.key });
		await eventually(() => usage(a.key), (u) => todayOf(u).documents === 1);
		const other = await usage(b.key);
		expect(other).toMatchObject({ pdfs_generated: 0, pdfs_remaining: 50, test_pdfs_today: 0 });
		expect(other.daily.every((d) => d.documents === 0 && d.test_documents === 0)).toBe(true);
	});
});
