import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readKey } from "../../src/auth/middleware";
import { call, signUp } from "../helpers";

async function lastUsedAt(keyId: string): Promise<string | null> {
	const row = await env.DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?").bind(keyId).first<{ last_used_at: string | null }>();
	return row!.last_used_at;
}

describe("apiKeyAuth", () => {
	it("reads X-API-Key first, then Authorization: Bearer", () => {
		expect(readKey(new Headers({ "X-API-Key": " a " }))).toBe("a");
		expect(readKey(new Headers({ Authorization: "Bearer b" }))).toBe("b");
		expect(readKey(new Headers({ Authorization: "bearer  c " }))).toBe("c");
		expect(readKey(new Headers({ Authorization: "Basic d" }))).toBeNull();
		expect(readKey(new Headers())).toBeNull();
	});

	it("records last_used_at on first use, then at most once a minute rather than on every request", async () => {
		const { key, keyId } = await signUp();
		expect(await lastUsedAt(keyId)).toBeNull();
		expect((await call("/v1/credits", { headers: { "X-API-Key": key } })).status).toBe(200);
		await expect.poll(() => lastUsedAt(keyId)).not.toBeNull();
		const first = await lastUsedAt(keyId);
		for (let i = 0; i < 5; i++) await call("/v1/credits", { headers: { "X-API-Key": key } });
		await new Promise((r) => setTimeout(r, 50));
		expect(await lastUsedAt(keyId)).toBe(first);
	});

	it("refuses a key whose row was deleted, on the very next request", async () => {
		const { key, keyId } = await signUp();
		expect((await call("/v1/credits", { headers: { "X-API-Key": key } })).status).toBe(200);
		await env.DB.prepare("DELETE FROM api_keys WHERE id = ?").bind(keyId).run();
		expect((await call("/v1/credits", { headers: { "X-API-Key": key } })).status).toBe(401);
	});
});
