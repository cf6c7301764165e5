import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readKey } from "../../src/auth/middleware";
import { call, errorOf, postJson, readPdf, signUp } from "../helpers";

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

describe("test keys: live-only actions", () => {
	const as = (key: string, init: RequestInit = {}) => ({ ...init, headers: { "X-API-Key": key, "Content-Type": "application/json", ...init.headers } });
	const send = (path: string, method: string, key: string, body?: unknown) => call(path, as(key, { method, body: body === undefined ? undefined : JSON.stringify(body) }));

	async function accountWithTestKey() {
		const { key: live, accountId } = await signUp();
		const res = await postJson("/v1/keys", { name: "Sandbox", mode: "test" }, { "X-API-Key": live });
		const test = ((await res.json()) as { data: { id: string; key: string } }).data;
		return { live, accountId, test: test.key, testId: test.id };
	}

	/** What the account holds that a live-only action changes: its keys, settings, webhook secret and templates. */
	async function snapshot(live: string): Promise<string> {
		const keys = ((await (await call("/v1/keys", as(live))).json()) as { data: Array<Record<string, unknown>> }).data.map(({ last_used_at: _, ...k }) => k);
		const reads = await Promise.all(["/v1/account", "/v1/webhook-secret", "/v1/templates"].map(async (path) => (await call(path, as(live))).json()));
		return JSON.stringify([keys, ...reads]);
	}

	it("a test key gets 403 FORBIDDEN, saying a live key is needed, on each live action and changes nothing; a live key does the same action", async () => {
		const { live, test } = await accountWithTestKey();
		expect((await send("/v1/templates", "POST", live, { id: "scoped", name: "Scoped", html: "<p>{{n}}</p>" })).status).toBe(201);
		const victim = ((await (await postJson("/v1/keys", { name: "Victim" }, { "X-API-Key": live })).json()) as { data: { id: string } }).data;

		const actions: Array<[string, (key: string) => Promise<Response>, number]> = [
			["create a live key (the default mode)", (k) => send("/v1/keys", "POST", k, { name: "Another" }), 201],
			["create a live key", (k) => send("/v1/keys", "POST", k, { name: "Another", mode: "live" }), 201],
			["delete a live key", (k) => send(`/v1/keys/${victim.id}`, "DELETE", k), 200],
			["create the webhook secret", (k) => send("/v1/webhook-secret", "POST", k), 201],
			["rotate the webhook secret", (k) => send("/v1/webhook-secret", "POST", k), 201],
			["change the account's settings", (k) => send("/v1/account", "PATCH", k, { block_remote_resources: true }), 200],
			["create a template", (k) => send("/v1/templates", "POST", k, { id: "other", name: "Other", html: "<p/>" }), 201],
			["update a template", (k) => send("/v1/templates/scoped", "PUT", k, { html: "<p>v2 {{n}}</p>" }), 200],
			["delete a template", (k) => send("/v1/templates/scoped", "DELETE", k), 200],
		];
		for (const [what, act, status] of actions) {
			const before = await snapshot(live);
			const refused = await act(test);
			expect(refused.status, what).toBe(403);
			expect(await errorOf(refused), what).toMatchObject({ code: "FORBIDDEN", message: expect.stringMatching(/needs? a live API key/) });
			expect(await snapshot(live), `${what}: nothing changed`).toBe(before);
			// Positive control: the same request with a live key succeeds and the snapshot sees it.
			expect((await act(live)).status, `${what} with a live key`).toBe(status);
			expect(await snapshot(live), `${what} with a live key: changed`).not.toBe(before);
		}
	});

	it("a test key still reads, generates, previews, and creates and deletes test keys", async () => {
		const { live, test, testId } = await accountWithTestKey();
		expect((await send("/v1/templates", "POST", live, { id: "mine", name: "Mine", html: "<p>{{n}}</p>", sample_data: { n: "sample" } })).status).toBe(201);

		for (const path of ["/v1/keys", "/v1/account", "/v1/credits", "/v1/usage", "/v1/templates", "/v1/templates/mine", "/v1/webhook-secret", "/v1/generations", "/v1/tasks"]) {
			expect((await call(path, as(test))).status, path).toBe(200);
		}
		expect((await send("/v1/templates/preview", "POST", test, { template_id: "mine" })).status).toBe(200);
		const pdf = await send("/v1/generate", "POST", test, { template_id: "mine", data: { n: "from a test key" } });
		expect(pdf.status).toBe(200);
		expect((await readPdf(await pdf.arrayBuffer())).text).toContain("from a test key");

		const created = await send("/v1/keys", "POST", test, { name: "Another sandbox", mode: "test" });
		expect(created.status).toBe(201);
		const another = ((await created.json()) as { data: { id: string; key: string } }).data;
		expect(another.key).toMatch(/^qk_test_/);
		expect((await send(`/v1/keys/${another.id}`, "DELETE", test)).status).toBe(200);
		// The key that asks still can't delete itself, whatever its mode.
		expect(await errorOf(await send(`/v1/keys/${testId}`, "DELETE", test))).toMatchObject({ code: "FORBIDDEN", message: "Cannot delete the API key used to authenticate this request" });
	});
});
