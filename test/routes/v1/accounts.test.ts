import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, creditsLeft, errorOf, postJson } from "../../helpers";

describe("POST /v1/accounts", () => {
	it("creates a free account and returns its first key once", async () => {
		const res = await postJson("/v1/accounts", { email: "Founder@Example.com" });
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
		await postJson("/v1/accounts", { email: "twice@example.com" });
		const res = await postJson("/v1/accounts", { email: "TWICE@example.com" });
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
});
