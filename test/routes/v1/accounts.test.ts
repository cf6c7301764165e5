import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../../src/app";
import { SIGNUPS_PER_IP_PER_HOUR } from "../../../src/credits/plans";
import { BASE, call, creditsLeft, errorOf, postJson, uniqueIp } from "../../helpers";

/** A sign-up served as in production (`ALLOW_LOOPBACK` off; the suite turns it on, as `npm start` does), where sign-ups are limited per IP. */
async function signUpInProduction(body: unknown, ip: string): Promise<Response> {
	const ctx = createExecutionContext();
	const request = new Request(`${BASE}/v1/accounts`, { method: "POST", headers: { "Content-Type": "application/json", "CF-Connecting-IP": ip }, body: typeof body === "string" ? body : JSON.stringify(body) });
	const res = await createApp().fetch(request, { ...env, ALLOW_LOOPBACK: "false" }, ctx);
	await waitOnExecutionContext(ctx);
	return res;
}

const newEmail = (label: string) => `${label}-${crypto.randomUUID()}@example.com`;

describe("POST /v1/accounts", () => {
	it("creates a free account and returns its first key once", async () => {
		const res = await postJson("/v1/accounts", { email: "Founder@Example.com" }, { "CF-Connecting-IP": uniqueIp() });
		expect(res.status).toBe(201);
		const { data } = (await res.json()) as { data: { account: Record<string, string>; key: Record<string, string> } };
		expect(data.account).toEqual({ id: expect.stringMatching(/^acc_/), email: "founder@example.com", plan: "free", created_at: expect.any(String) });
		expect(data.key).toEqual({ id: expect.stringMatching(/^key_/), name: "Default", key: expect.stringMatching(/^qk_live_/), created_at: data.account.created_at });
		expect(await creditsLeft(data.key.key!)).toBe(50);

		// Only the hash is stored: the key appears nowhere in D1.
		const dump = JSON.stringify(await env.DB.prepare("SELECT * FROM api_keys").all());
		expect(dump).not.toContain(data.key.key);
		expect(dump).not.toContain(data.key.key!.slice(8, 30));
	});

	it("409 CONFLICT for an email already signed up, in any letter case", async () => {
		const ip = uniqueIp();
		await postJson("/v1/accounts", { email: "twice@example.com" }, { "CF-Connecting-IP": ip });
		const res = await postJson("/v1/accounts", { email: "TWICE@example.com" }, { "CF-Connecting-IP": ip });
		expect(res.status).toBe(409);
		expect(await errorOf(res)).toMatchObject({ code: "CONFLICT" });
	});

	it("400 for a missing or invalid email, or malformed JSON", async () => {
		for (const body of ["{}", `{"email":"not-an-email"}`, `{"email":42}`, "{"]) {
			const res = await call("/v1/accounts", { method: "POST", headers: { "Content-Type": "application/json" }, body });
			expect(res.status, body).toBe(400);
			expect((await errorOf(res)).code).toBe("VALIDATION_ERROR");
		}
	});

	it(`in production, ${SIGNUPS_PER_IP_PER_HOUR} sign-ups an hour per client IP, counted in the X-RateLimit-* headers; then 429 RATE_LIMITED with Retry-After, and no account`, async () => {
		const ip = uniqueIp();
		const signUpFrom = (address: string, n: number) => signUpInProduction({ email: newEmail(`ip-limit-${n}`) }, address);
		for (let n = 1; n <= SIGNUPS_PER_IP_PER_HOUR; n++) {
			const res = await signUpFrom(ip, n);
			expect(res.status).toBe(201);
			expect(res.headers.get("X-RateLimit-Limit")).toBe(String(SIGNUPS_PER_IP_PER_HOUR));
			expect(res.headers.get("X-RateLimit-Remaining")).toBe(String(SIGNUPS_PER_IP_PER_HOUR - n));
			expect(Number(res.headers.get("X-RateLimit-Reset"))).toBeGreaterThan(0);
			expect(Number(res.headers.get("X-RateLimit-Reset"))).toBeLessThanOrEqual(3600);
		}
		const accountsBefore = await env.DB.prepare("SELECT COUNT(*) AS n FROM accounts").first<number>("n");
		const refused = await signUpFrom(ip, 99);
		expect(refused.status).toBe(429);
		expect(await errorOf(refused)).toMatchObject({ code: "RATE_LIMITED" });
		const retryAfter = Number(refused.headers.get("Retry-After"));
		expect(retryAfter).toBeGreaterThan(0);
		expect(retryAfter).toBeLessThanOrEqual(3600);
		expect(refused.headers.get("X-RateLimit-Remaining")).toBe("0");
		expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM accounts").first<number>("n")).toBe(accountsBefore);

		// Another address of the same IPv6 /64 shares the count; another network has its own.
		expect((await signUpFrom(ip.replace(/:[0-9a-f]+$/, ":abcd"), 98)).status).toBe(429);
		expect((await signUpFrom(uniqueIp(), 100)).status).toBe(201);
	});

	it("in production, a refused sign-up (409 for a known email, 400 for an invalid one) is never counted: the IP still has all its sign-ups", async () => {
		const taken = newEmail("taken");
		expect((await signUpInProduction({ email: taken }, uniqueIp())).status).toBe(201);
		const ip = uniqueIp();
		for (let n = 0; n <= SIGNUPS_PER_IP_PER_HOUR; n++) {
			const duplicate = await signUpInProduction({ email: taken.toUpperCase() }, ip);
			expect(duplicate.status).toBe(409);
			expect(duplicate.headers.has("X-RateLimit-Remaining")).toBe(false);
			expect((await signUpInProduction({ email: "not-an-email" }, ip)).status).toBe(400);
			expect((await signUpInProduction("{", ip)).status).toBe(400);
		}
		// The positive control: the limit is live for this IP, and its successful sign-ups exhaust it.
		for (let n = 1; n <= SIGNUPS_PER_IP_PER_HOUR; n++) {
			const res = await signUpInProduction({ email: newEmail(`after-refused-${n}`) }, ip);
			expect(res.status).toBe(201);
			expect(res.headers.get("X-RateLimit-Remaining")).toBe(String(SIGNUPS_PER_IP_PER_HOUR - n));
		}
		expect((await signUpInProduction({ email: newEmail("one-too-many") }, ip)).status).toBe(429);
	});

	it("in local development (ALLOW_LOOPBACK, as npm start and this suite set it), sign-ups are not limited, from one IP or from none", async () => {
		const ip = uniqueIp();
		for (const headers of [{ "CF-Connecting-IP": ip }, {}] as Array<Record<string, string>>) {
			for (let n = 1; n <= SIGNUPS_PER_IP_PER_HOUR + 2; n++) {
				const res = await postJson("/v1/accounts", { email: newEmail(`local-${n}`) }, headers);
				expect(res.status).toBe(201);
				expect(res.headers.has("X-RateLimit-Limit")).toBe(false);
			}
		}
		// The positive control: the same IP served as in production is limited (its local sign-ups were never counted).
		const production = await Promise.all(Array.from({ length: SIGNUPS_PER_IP_PER_HOUR + 1 }, (_, n) => signUpInProduction({ email: newEmail(`prod-${n}`) }, ip)));
		expect(production.map((r) => r.status).sort()).toEqual([...Array<number>(SIGNUPS_PER_IP_PER_HOUR).fill(201), 429]);
	});
});
