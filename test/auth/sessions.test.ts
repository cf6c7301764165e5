import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import { describe, expect, it } from "vitest";
import { call, postJson, signUp, uniqueIp } from "../helpers";
import { follow, linkFor, newEmail, requestLink, signInByEmail, withCookie } from "../helpers-auth";

describe("email sign-in", () => {
	it("emails a link that signs a new address in to a new free account, with a Secure HttpOnly SameSite=Strict cookie", async () => {
		const email = newEmail("new");
		const link = await requestLink(email);
		expect(link).toMatch(/^http:\/\/quire\.test\/auth\/callback\?token=[0-9A-Za-z]{43}$/);
		const signedIn = await follow(link);
		expect(signedIn.status).toBe(303);
		expect(signedIn.location).toBe("/dashboard");
		expect(signedIn.setCookie).toMatch(/HttpOnly/);
		expect(signedIn.setCookie).toMatch(/Secure/);
		expect(signedIn.setCookie).toMatch(/SameSite=Strict/);
		const me = await withCookie(signedIn.cookie!, "/v1/session");
		expect(me.status).toBe(200);
		const { data } = (await me.json()) as { data: { member: { email: string; role: string }; account: { plan: string; email: string } } };
		expect(data.member).toMatchObject({ email, role: "owner" });
		expect(data.account).toMatchObject({ email, plan: "free" });
		// The same /v1 routes a key opens.
		expect((await withCookie(signedIn.cookie!, "/v1/credits")).status).toBe(200);
	});

	it("stores neither the link's token nor the cookie's in plain text", async () => {
		const email = newEmail();
		const link = await requestLink(email);
		const token = new URL(link).searchParams.get("token")!;
		const { cookie } = await follow(link);
		const secret = cookie!.split("=")[1]!;
		const dump = JSON.stringify([await env.DB.prepare("SELECT * FROM login_tokens").all(), await env.DB.prepare("SELECT * FROM sessions").all()]);
		expect(dump).toContain(email); // positive control: the rows are there
		expect(dump).not.toContain(token);
		expect(dump).not.toContain(secret);
	});

	it("answers 202 whether or not the address has an account, and signs an existing account's email in to it", async () => {
		const { key } = await signUp();
		const account = (await (await call("/v1/account", { headers: { "X-API-Key": key } })).json()) as { email?: string; data?: { email: string } };
		const existing = account.data?.email ?? account.email!;
		const known = await postJson("/v1/sessions/email", { email: existing }, { "CF-Connecting-IP": uniqueIp() });
		const unknown = await postJson("/v1/sessions/email", { email: newEmail("nobody") }, { "CF-Connecting-IP": uniqueIp() });
		expect(known.status).toBe(202);
		expect(unknown.status).toBe(202);
		expect(await known.json()).toEqual(await unknown.json());
		const { cookie } = await follow(linkFor(existing)!);
		const keys = await withCookie(cookie!, "/v1/keys");
		expect(((await keys.json()) as { data: unknown[] }).data).toHaveLength(1); // the sign-up key: the same account
	});

	it("refuses a link used twice, an expired link and a made-up one", async () => {
		const email = newEmail();
		const link = await requestLink(email);
		expect((await follow(link)).cookie).not.toBeNull();
		const again = await follow(link);
		expect(again.cookie).toBeNull();
		expect(again.location).toBe("/dashboard?signin=expired");

		const old = await requestLink(email);
		const token = new URL(old).searchParams.get("token")!;
		const { sha256Hex } = await import("../../src/auth/api-key");
		const hash = await sha256Hex(new TextEncoder().encode(token));
		await env.DB.prepare("UPDATE login_tokens SET expires_at = ? WHERE token_hash = ?").bind(new Date(Date.now() - 1000).toISOString(), hash).run();
		expect((await follow(old)).cookie).toBeNull();

		expect((await follow("http://quire.test/auth/callback?token=abc")).cookie).toBeNull();
		expect((await follow("http://quire.test/auth/callback")).cookie).toBeNull();
	});

	it("rate-limits links per address and per IP, with 429 and Retry-After", async () => {
		const email = newEmail("limited");
		for (let i = 0; i < 5; i++) expect((await postJson("/v1/sessions/email", { email }, { "CF-Connecting-IP": uniqueIp() })).status).toBe(202);
		const sixth = await postJson("/v1/sessions/email", { email }, { "CF-Connecting-IP": uniqueIp() });
		expect(sixth.status).toBe(429);
		expect(sixth.headers.get("retry-after")).toMatch(/^\d+$/);
		expect(((await sixth.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");

		const ip = uniqueIp();
		for (let i = 0; i < 20; i++) expect((await postJson("/v1/sessions/email", { email: newEmail() }, { "CF-Connecting-IP": ip })).status).toBe(202);
		expect((await postJson("/v1/sessions/email", { email: newEmail() }, { "CF-Connecting-IP": ip })).status).toBe(429);
		// Another IP is not held back by it (positive control).
		expect((await postJson("/v1/sessions/email", { email: newEmail() }, { "CF-Connecting-IP": uniqueIp() })).status).toBe(202);
	});

	it("refuses a bad address with 400 naming the field", async () => {
		const res = await postJson("/v1/sessions/email", { email: "not-an-address" }, { "CF-Connecting-IP": uniqueIp() });
		expect(res.status).toBe(400);
		expect(((await res.json()) as { error: { details: { fields: Array<{ path: string }> } } }).error.details.fields[0]!.path).toBe("email");
	});
});

describe("sessions", () => {
	it("signs out: the cookie stops working at once", async () => {
		const { cookie } = await signInByEmail();
		expect((await withCookie(cookie, "/v1/credits")).status).toBe(200);
		const out = await withCookie(cookie, "/v1/session", { method: "DELETE" });
		expect(out.status).toBe(200);
		expect(out.headers.get("set-cookie")).toMatch(/quire_session=;.*Max-Age=0/);
		expect((await withCookie(cookie, "/v1/credits")).status).toBe(401);
	});

	it("lists the member's sessions and revokes another one", async () => {
		const email = newEmail();
		const first = await signInByEmail(email);
		const second = await signInByEmail(email);
		const list = (await (await withCookie(first.cookie, "/v1/sessions")).json()) as { data: Array<{ id: string; current: boolean }> };
		expect(list.data).toHaveLength(2);
		const other = list.data.find((s) => !s.current)!;
		expect((await withCookie(first.cookie, `/v1/sessions/${other.id}`, { method: "DELETE" })).status).toBe(200);
		expect((await withCookie(second.cookie, "/v1/credits")).status).toBe(401);
		expect((await withCookie(first.cookie, "/v1/credits")).status).toBe(200);
	});

	it("refuses an expired session", async () => {
		const { cookie } = await signInByEmail();
		expect((await withCookie(cookie, "/v1/credits")).status).toBe(200);
		const { sha256Hex } = await import("../../src/auth/api-key");
		const hash = await sha256Hex(new TextEncoder().encode(cookie.split("=")[1]!));
		await env.DB.prepare("UPDATE sessions SET expires_at = ? WHERE token_hash = ?").bind(new Date(Date.now() - 1000).toISOString(), hash).run();
		expect((await withCookie(cookie, "/v1/credits")).status).toBe(401);
	});

	it("a key wins over a cookie, and a made-up cookie is 401", async () => {
		const { key, accountId } = await signUp();
		const { cookie } = await signInByEmail();
		const res = await call("/v1/account", { headers: { "X-API-Key": key, Cookie: cookie } });
		expect(res.status).toBe(200);
		expect(JSON.stringify(await res.json())).toContain(accountId);
		const forged = await call("/v1/credits", { headers: { Cookie: "quire_session=" + "x".repeat(43) } });
		expect(forged.status).toBe(401);
		expect(((await forged.json()) as { error: { message: string } }).error.message).toMatch(/sign in again/);
	});

	it("a key has no session: GET /v1/session answers 403", async () => {
		const { key } = await signUp();
		expect((await call("/v1/session", { headers: { "X-API-Key": key } })).status).toBe(403);
		expect((await call("/v1/session")).status).toBe(401);
	});
});

describe("CSRF", () => {
	it("accepts a cookie request that changes something only from Quire's own origin", async () => {
		const { cookie } = await signInByEmail();
		const create = (headers: Record<string, string>) => withCookie(cookie, "/v1/keys", { method: "POST", body: { name: "csrf" }, headers });
		// Positive control: the own origin passes.
		expect((await create({ Origin: "http://quire.test" })).status).toBe(201);
		for (const headers of [{ Origin: "https://evil.example" }, { Origin: "null" }, { Origin: "http://quire.test.evil.example" }]) {
			const res = await create(headers);
			expect(res.status).toBe(403);
			expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/cross-site/);
		}
		// Without Origin: the Referer decides; with neither: refused.
		const noOrigin = (referer?: string) =>
			call("/v1/keys", { method: "POST", headers: { Cookie: cookie, "Content-Type": "application/json", ...(referer ? { Referer: referer } : {}) }, body: JSON.stringify({ name: "r" }) });
		expect((await noOrigin("http://quire.test/dashboard")).status).toBe(201);
		expect((await noOrigin("https://evil.example/page")).status).toBe(403);
		expect((await noOrigin()).status).toBe(403);
		// A GET needs neither.
		expect((await call("/v1/keys", { headers: { Cookie: cookie } })).status).toBe(200);
	});
});

describe("purging (the hourly cron)", () => {
	it("deletes expired links and expired sessions, and keeps live ones", async () => {
		const expiredEmail = newEmail("expired");
		await requestLink(expiredEmail);
		const live = await signInByEmail();
		const old = await signInByEmail();
		const past = new Date(Date.now() - 1000).toISOString();
		await env.DB.prepare("UPDATE login_tokens SET expires_at = ? WHERE email = ?").bind(past, expiredEmail).run();
		const { sha256Hex } = await import("../../src/auth/api-key");
		const oldHash = await sha256Hex(new TextEncoder().encode(old.cookie.split("=")[1]!));
		await env.DB.prepare("UPDATE sessions SET expires_at = ? WHERE token_hash = ?").bind(past, oldHash).run();
		const count = async (sql: string, value: string) => (await env.DB.prepare(sql).bind(value).first<{ n: number }>())!.n;
		// Positive control: the rows are there before the run.
		expect(await count("SELECT COUNT(*) AS n FROM login_tokens WHERE email = ?", expiredEmail)).toBe(1);
		expect(await count("SELECT COUNT(*) AS n FROM sessions WHERE token_hash = ?", oldHash)).toBe(1);

		await worker.scheduled(createScheduledController({ cron: "17 * * * *", scheduledTime: Date.now() }), env);

		expect(await count("SELECT COUNT(*) AS n FROM login_tokens WHERE email = ?", expiredEmail)).toBe(0);
		expect(await count("SELECT COUNT(*) AS n FROM sessions WHERE token_hash = ?", oldHash)).toBe(0);
		expect((await withCookie(live.cookie, "/v1/credits")).status).toBe(200);
	});
});
