import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { generateKey } from "../../../../src/auth/api-key";
import { MAX_KEYS_PER_ACCOUNT } from "../../../../src/auth/keys";
import { createApp } from "../../../../src/app";
import { TEST_DAILY_CAP } from "../../../../src/credits/credits";
import { BASE, call, creditsLeft, errorOf, postJson, readPdf, signUp } from "../../../helpers";

/** pdfapi.dev's documented requests, as its curl / JavaScript / Python / Go examples send them. */
const CLIENTS = {
	curl: {
		headers: (key: string) => ({ "User-Agent": "curl/8.5.0", Accept: "*/*", Authorization: `Bearer ${key}` }),
		createBody: `{\n    "name": "Production Server"\n  }`,
	},
	javascript: {
		headers: (key: string) => ({ Authorization: `Bearer ${key}` }),
		createBody: JSON.stringify({ name: "Production Server" }),
	},
	python: {
		headers: (key: string) => ({ "User-Agent": "python-requests/2.32.3", "Accept-Encoding": "gzip, deflate", Accept: "*/*", Connection: "keep-alive", Authorization: `Bearer ${key}` }),
		createBody: `{"name": "Production Server"}`,
	},
	go: {
		headers: (key: string) => ({ "User-Agent": "Go-http-client/1.1", "Accept-Encoding": "gzip", Authorization: `Bearer ${key}` }),
		createBody: `{"name":"Production Server"}`,
	},
};

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

function createKey(key: string, body: unknown) {
	return postJson("/v1/keys", body, { Authorization: `Bearer ${key}` });
}

async function listIds(key: string): Promise<string[]> {
	const res = await call("/v1/keys", { headers: { Authorization: `Bearer ${key}` } });
	return ((await res.json()) as { data: Array<{ id: string }> }).data.map((k) => k.id);
}

describe("pdfapi.dev's key management examples, unchanged but for base URL and key", () => {
	for (const [client, { headers, createBody }] of Object.entries(CLIENTS)) {
		it(`${client}: create, list, delete answer field by field as documented`, async () => {
			const { key, keyId } = await signUp();

			const created = await call("/v1/keys", { method: "POST", headers: { ...headers(key), "Content-Type": "application/json" }, body: createBody });
			expect(created.status).toBe(201);
			const { data } = (await created.json()) as { data: Record<string, string> };
			expect(Object.keys(data).sort()).toEqual(["created_at", "id", "key", "name"]);
			expect(data.id).toMatch(/^key_[0-9A-Za-z]+$/);
			expect(data.name).toBe("Production Server");
			expect(data.key).toMatch(/^qk_live_[0-9A-Za-z]{28}$/);
			expect(data.created_at).toMatch(ISO);

			const listed = await call("/v1/keys", { headers: headers(key) });
			expect(listed.status).toBe(200);
			const list = ((await listed.json()) as { data: Array<Record<string, string | null>> }).data;
			expect(list.map((k) => Object.keys(k).sort())).toEqual([
				["created_at", "id", "key_preview", "last_used_at", "name"],
				["created_at", "id", "key_preview", "last_used_at", "name"],
			]);
			expect(list[0]).toMatchObject({ id: keyId, name: "Default", key_preview: `${key.slice(0, 12)}...${key.slice(-4)}` });
			expect(list[0]!.last_used_at).toMatch(ISO);
			expect(list[1]).toEqual({ id: data.id, name: "Production Server", key_preview: `${data.key!.slice(0, 12)}...${data.key!.slice(-4)}`, created_at: data.created_at, last_used_at: null });
			expect(JSON.stringify(list)).not.toContain(data.key);

			const deleted = await call(`/v1/keys/${data.id}`, { method: "DELETE", headers: headers(key) });
			expect(deleted.status).toBe(200);
			expect(await deleted.json()).toEqual({ data: { deleted: true } });

			const again = await call(`/v1/keys/${data.id}`, { method: "DELETE", headers: headers(key) });
			expect(again.status).toBe(404);
			expect(await errorOf(again)).toMatchObject({ code: "NOT_FOUND", message: "API key not found" });

			const self = await call(`/v1/keys/${keyId}`, { method: "DELETE", headers: headers(key) });
			expect(self.status).toBe(403);
			expect(await errorOf(self)).toMatchObject({ code: "FORBIDDEN", message: "Cannot delete the API key used to authenticate this request" });
		});
	}
});

describe("key lifecycle and isolation", () => {
	it("a deleted key gets 401 on the next request; the account's other keys keep working", async () => {
		const { key } = await signUp();
		const second = ((await (await createKey(key, { name: "CI" })).json()) as { data: { id: string; key: string } }).data;
		const third = ((await (await createKey(key, { name: "Staging" })).json()) as { data: { id: string; key: string } }).data;
		expect(await creditsLeft(second.key)).toBe(50);

		expect((await call(`/v1/keys/${second.id}`, { method: "DELETE", headers: { Authorization: `Bearer ${third.key}` } })).status).toBe(200);
		const refused = await call("/v1/credits", { headers: { "X-API-Key": second.key } });
		expect(refused.status).toBe(401);
		expect((await errorOf(refused)).code).toBe("UNAUTHORIZED");
		expect((await call("/v1/credits", { headers: { "X-API-Key": key } })).status).toBe(200);
		expect((await call("/v1/credits", { headers: { "X-API-Key": third.key } })).status).toBe(200);
	});

	it("a deleted key stays refused even where a D1 replica still has it (routes that read keys nearby)", async () => {
		const { key } = await signUp();
		const second = ((await (await createKey(key, { name: "replica" })).json()) as { data: { id: string; key: string } }).data;
		const row = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(second.id).first<Record<string, string>>();
		expect((await call(`/v1/keys/${second.id}`, { method: "DELETE", headers: { "X-API-Key": key } })).status).toBe(200);

		// What a replica that has not yet applied the deletion would answer.
		const columns = Object.keys(row!);
		await env.DB.prepare(`INSERT INTO api_keys (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`).bind(...columns.map((c) => row![c])).run();

		const generate = await postJson("/v1/generate", { html: "<p>x</p>" }, { "X-API-Key": second.key });
		expect(generate.status).toBe(401);
		expect((await call("/v1/credits", { headers: { "X-API-Key": second.key } })).status).toBe(401);
		expect((await postJson("/v1/generate", { html: "<p>x</p>", async_mode: true }, { "X-API-Key": second.key })).status).toBe(401);
		expect(await creditsLeft(key)).toBe(50);
	});

	it("the revocation failing: 503 and the key is still there (the client can retry); the retry deletes it and records the revocation", async () => {
		const { key, accountId } = await signUp();
		const second = ((await (await createKey(key, { name: "retry" })).json()) as { data: { id: string; key: string } }).data;
		// The Credits objects answer everything but revokeKey, which fails as in an outage.
		const failingRevoke = {
			idFromName: (name: string) => env.CREDITS.idFromName(name),
			get: (id: DurableObjectId) => {
				const stub = env.CREDITS.get(id);
				return new Proxy(stub, { get: (target, prop) => (prop === "revokeKey" ? () => Promise.reject(new Error("Network connection lost.")) : Reflect.get(target, prop)) });
			},
		} as unknown as Env["CREDITS"];
		const ctx = createExecutionContext();
		const failed = await createApp().fetch(new Request(`${BASE}/v1/keys/${second.id}`, { method: "DELETE", headers: { "X-API-Key": key } }), { ...env, CREDITS: failingRevoke } as Env, ctx);
		await waitOnExecutionContext(ctx);
		expect(failed.status).toBe(503);
		expect((await errorOf(failed)).code).toBe("SERVICE_UNAVAILABLE");
		expect(await listIds(key)).toContain(second.id);

		const retry = await call(`/v1/keys/${second.id}`, { method: "DELETE", headers: { "X-API-Key": key } });
		expect(retry.status).toBe(200);
		expect(await listIds(key)).not.toContain(second.id);
		expect((await call("/v1/credits", { headers: { "X-API-Key": second.key } })).status).toBe(401);
		const revoked = await runInDurableObject(env.CREDITS.get(env.CREDITS.idFromName(accountId)), (_, state) => state.storage.sql.exec("SELECT key_id FROM revoked_keys").toArray());
		expect(revoked).toEqual([{ key_id: second.id }]);
	});

	it("account B can neither list, nor delete, nor use account A's keys", async () => {
		const a = await signUp();
		const b = await signUp();
		const aSecond = ((await (await createKey(a.key, { name: "A's server" })).json()) as { data: { id: string; key: string } }).data;

		expect(await listIds(b.key)).toEqual([b.keyId]);
		for (const id of [a.keyId, aSecond.id]) {
			const res = await call(`/v1/keys/${id}`, { method: "DELETE", headers: { Authorization: `Bearer ${b.key}` } });
			expect(res.status).toBe(404);
			expect(await errorOf(res)).toMatchObject({ code: "NOT_FOUND", message: "API key not found" });
		}
		expect(await listIds(a.key)).toEqual([a.keyId, aSecond.id]);
		// A's key acts as A only: B's balance is untouched by A's document.
		await postJson("/v1/generate", { html: "<p>a</p>" }, { "X-API-Key": aSecond.key });
		expect(await creditsLeft(a.key)).toBe(49);
		expect(await creditsLeft(b.key)).toBe(50);
	});

	it("validates names and caps keys per account, also under concurrent creation", async () => {
		const { key } = await signUp();
		for (const body of [{}, { name: "" }, { name: "   " }, { name: "x".repeat(101) }, { name: 7 }, { name: "ok", mode: "sandbox" }]) {
			const res = await createKey(key, body);
			expect(res.status, JSON.stringify(body)).toBe(400);
			expect((await errorOf(res)).code).toBe("VALIDATION_ERROR");
		}
		const results = await Promise.all(Array.from({ length: MAX_KEYS_PER_ACCOUNT + 5 }, (_, i) => createKey(key, { name: `key ${i}` })));
		const statuses = results.map((r) => r.status);
		expect(statuses.filter((s) => s === 201)).toHaveLength(MAX_KEYS_PER_ACCOUNT - 1);
		expect(statuses.filter((s) => s === 409)).toHaveLength(6);
		const conflict = results.find((r) => r.status === 409)!;
		expect((await errorOf(conflict)).message).toMatch(/at most 20 API keys/);
		expect(await listIds(key)).toHaveLength(MAX_KEYS_PER_ACCOUNT);
	});
});

describe("Idempotency-Key on key creation (a replay never shows the key)", () => {
	const withIdempotency = (apiKey: string, idempotencyKey: string) => ({ "X-API-Key": apiKey, "Idempotency-Key": idempotencyKey });

	it("a replay answers the key's id, name, preview and creation time, marked as a replay, without the key; one key is made", async () => {
		const { key } = await signUp();
		const first = await postJson("/v1/keys", { name: "CI" }, withIdempotency(key, "ci-key"));
		expect(first.status).toBe(201);
		const created = ((await first.json()) as { data: { id: string; key: string; created_at: string } }).data;
		expect(created.key).toMatch(/^qk_live_/);

		for (const attempt of [1, 2]) {
			const retry = await postJson("/v1/keys", { name: "CI" }, withIdempotency(key, "ci-key"));
			expect(retry.status, `replay ${attempt}`).toBe(201);
			expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
			const text = await retry.text();
			expect(JSON.parse(text)).toEqual({
				data: { id: created.id, name: "CI", created_at: created.created_at, key_preview: `${created.key.slice(0, 12)}...${created.key.slice(-4)}`, replayed: true },
			});
			expect(text).not.toContain(created.key.slice(8, 20));
		}
		expect(await listIds(key)).toHaveLength(2);
	});

	it("a test key repeating a live key's creation with its Idempotency-Key gets 422, neither the key nor its id", async () => {
		const { key } = await signUp();
		const testKey = ((await (await createKey(key, { name: "Sandbox", mode: "test" })).json()) as { data: { key: string } }).data.key;
		for (const body of [{ name: "Deploy" }, { name: "Deploy", mode: "live" }]) {
			const idempotencyKey = `deploy-${JSON.stringify(body)}`;
			const first = await postJson("/v1/keys", body, withIdempotency(key, idempotencyKey));
			const created = ((await first.json()) as { data: { id: string; key: string } }).data;

			const replay = await postJson("/v1/keys", body, withIdempotency(testKey, idempotencyKey));
			expect(replay.status, JSON.stringify(body)).toBe(422);
			const text = await replay.text();
			expect(JSON.parse(text).error).toMatchObject({ code: "IDEMPOTENCY_MISMATCH", message: expect.stringMatching(/live or test/) });
			expect(text).not.toContain(created.key.slice(8, 20));
			expect(text).not.toContain(created.id);
		}
		expect(await listIds(key)).toHaveLength(4);
	});
});

/** Every D1 table of ours; D1's and SQLite's internal ones (_cf_*, sqlite_*) are not readable. */
const OUR_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

/** JSON with binary values (a BLOB column, an R2 object) as the text they hold, so a secret stored as bytes is seen too. */
function asText(rows: unknown): string {
	return JSON.stringify(rows, (_name, value: unknown) =>
		value instanceof ArrayBuffer || ArrayBuffer.isView(value) ? new TextDecoder().decode(value as ArrayBuffer) : value,
	);
}

/** The local state as text: every D1 table, every table of the accounts' Credits objects, every object in the PDFS bucket. */
async function dumpState(accountIds: string[]): Promise<string> {
	const tables = await env.DB.prepare(OUR_TABLES).all<{ name: string }>();
	expect(tables.results.map((t) => t.name)).toEqual(expect.arrayContaining(["accounts", "api_keys"]));
	const d1 = await Promise.all(tables.results.map(async ({ name }) => asText(await env.DB.prepare(`SELECT * FROM "${name}"`).all())));
	const durable = await Promise.all(
		accountIds.map((id) =>
			runInDurableObject(env.CREDITS.get(env.CREDITS.idFromName(id)), (_instance, state) =>
				state.storage.sql
					.exec<{ name: string }>(OUR_TABLES)
					.toArray()
					.map(({ name }) => `${name}: ${asText(state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray())}`),
			),
		),
	);
	const r2: string[] = [];
	let cursor: string | undefined;
	do {
		const page = await env.PDFS.list({ cursor });
		for (const { key } of page.objects) r2.push(`${key}: ${asText(await (await env.PDFS.get(key))!.arrayBuffer())}`);
		cursor = page.truncated ? page.cursor : undefined;
	} while (cursor);
	return [...d1, ...durable.flat(), ...r2].join("\n");
}

/** The secrets of `secrets` of which the dump holds any 8 consecutive characters of the random part (a search would be narrowed by less). */
function found(dump: string, secrets: string[]): string[] {
	return secrets.filter((secret) => {
		const random = secret.replace(/^(qk_(live|test)_|whsec_)/, "");
		for (let i = 0; i + 8 <= random.length; i++) if (dump.includes(random.slice(i, i + 8))) return true;
		return false;
	});
}

describe("how keys are stored", () => {
	it("no table of D1, nor the Credits objects, nor R2, nor the logs hold a key or a webhook secret, after every request that makes one", async () => {
		const logged: string[] = [];
		const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
			vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" "))),
		);
		const { key, accountId } = await signUp();
		// Every key and secret any response showed (a replay that showed one again adds nothing).
		const keys = new Set([key]);
		const secrets = new Set<string>();
		const made = async (res: Promise<Response>) => {
			const body = (await (await res).json()) as { data?: { key?: string; secret?: string } };
			if (body.data?.key) keys.add(body.data.key);
			if (body.data?.secret) secrets.add(body.data.secret);
		};
		for (const mode of ["live", "test", "live"]) await made(createKey(key, { name: `k-${mode}`, mode }));
		const [, , testKey, otherLive] = [...keys];
		// With an Idempotency-Key, and its replays: by the same key, and by a test key (refused).
		for (const mode of ["live", "test"]) {
			const body = { name: `idempotent-${mode}`, mode };
			await made(postJson("/v1/keys", body, { "X-API-Key": key, "Idempotency-Key": `create-${mode}` }));
			await made(postJson("/v1/keys", body, { "X-API-Key": key, "Idempotency-Key": `create-${mode}` }));
			await made(postJson("/v1/keys", body, { "X-API-Key": testKey!, "Idempotency-Key": `create-${mode}` }));
		}
		// The webhook secret: created, rotated, with and without an Idempotency-Key (which that route ignores).
		for (const headers of [{}, {}, { "Idempotency-Key": "rotate" }, { "Idempotency-Key": "rotate" }] as Array<Record<string, string>>) {
			await made(call("/v1/webhook-secret", { method: "POST", headers: { "X-API-Key": key, ...headers } }));
		}
		// Webhook endpoints: each shows its own secret once.
		for (const headers of [{}, { "Idempotency-Key": "endpoint" }] as Array<Record<string, string>>) {
			await made(postJson("/v1/webhook-endpoints", { url: "https://example.com/hook", events: ["task.completed"] }, { "X-API-Key": key, ...headers }));
		}
		for (const k of keys) await call("/v1/credits", { headers: { "X-API-Key": k } });
		await postJson("/v1/generate", { html: "<p>x</p>" }, { "X-API-Key": testKey! });
		await call("/v1/keys/key_nope", { method: "DELETE", headers: { "X-API-Key": otherLive! } });
		spies.forEach((s) => s.mockRestore());
		expect(keys.size).toBe(6); // sign-up, three plain creations, two idempotent ones
		expect(secrets.size).toBe(6); // four account secrets, two endpoints' secrets

		const dump = [await dumpState([accountId]), ...logged].join("\n");
		expect(dump).toContain("key_hash"); // the dump did read the keys table
		expect(dump).toContain("https://example.com/hook"); // and the webhook endpoints
		expect(dump).toContain("create-live"); // and the Credits object's idempotency records
		expect(found(dump, [...keys, ...secrets])).toEqual([]);

		// Positive control: the same scan finds a key or secret planted in each store.
		const planted = { d1: generateKey("live"), durable: generateKey("test"), r2: `whsec_${crypto.randomUUID()}` };
		await env.DB.prepare("UPDATE accounts SET email = ? WHERE id = ?").bind(`${planted.d1}@example.com`, accountId).run();
		await runInDurableObject(env.CREDITS.get(env.CREDITS.idFromName(accountId)), (_instance, state) => {
			state.storage.sql.exec("UPDATE idempotency SET body = ? WHERE key = 'create-live'", new TextEncoder().encode(`{"key":"${planted.durable}"}`).buffer);
		});
		await env.PDFS.put(`planted/${accountId}`, `%PDF-1.7 ${planted.r2}`);
		expect(found(await dumpState([accountId]), Object.values(planted))).toEqual(Object.values(planted));
	});

	it("refuses 1,000 random or mutated keys with 401, and the malformed ones never reach D1", async () => {
		const { key } = await signUp();
		let d1Calls = 0;
		const countingDb = new Proxy(env.DB, {
			get(target, prop) {
				const value = Reflect.get(target, prop);
				if (typeof value !== "function") return value;
				return (...args: unknown[]) => {
					d1Calls++;
					return value.apply(target, args);
				};
			},
		});
		const app = createApp();
		const send = async (header: Record<string, string>) => {
			const ctx = createExecutionContext();
			const res = await app.fetch(new Request(`${BASE}/v1/credits`, { headers: header }), { ...env, DB: countingDb }, ctx);
			await waitOnExecutionContext(ctx);
			return res;
		};

		const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
		const pick = (s: string) => s[Math.floor(Math.random() * s.length)]!;
		const mutate = (k: string) => {
			const i = 8 + Math.floor(Math.random() * (k.length - 8));
			let ch = pick(alphabet);
			while (ch === k[i]) ch = pick(alphabet);
			return k.slice(0, i) + ch + k.slice(i + 1);
		};
		const malformed: string[] = [];
		for (let i = 0; i < 200; i++) malformed.push(mutate(key)); // valid prefix, wrong checksum
		for (let i = 0; i < 150; i++) malformed.push(key.slice(0, Math.floor(Math.random() * key.length))); // truncated (incl. empty)
		for (let i = 0; i < 150; i++) malformed.push(key + Array.from({ length: 1 + (i % 5) }, () => pick(alphabet + "-_=!")).join("")); // extra characters
		for (let i = 0; i < 100; i++) malformed.push(Array.from({ length: 36 }, () => pick(alphabet + "_")).join("")); // random
		for (let i = 0; i < 100; i++) malformed.push(`qk_live_${Array.from({ length: 28 }, () => pick(alphabet)).join("")}`); // right shape, random checksum
		malformed.push("", " ", "qk_live_", "qk_test_", "' OR 1=1 --", "qk_live_ä".padEnd(36, "a"), key.toUpperCase(), key.replace("qk_live_", "qk_test_"));
		const unknownButWellFormed = Array.from({ length: 1000 - malformed.length }, (_, i) => generateKey(i % 2 ? "live" : "test"));
		expect(malformed.length + unknownButWellFormed.length).toBe(1000);

		for (const [i, bad] of malformed.entries()) {
			// Checksummed random keys can collide by chance (1 in 62^6); skip those, there are none in practice.
			if (bad === key) continue;
			const res = await send(i % 2 ? { "X-API-Key": bad } : { Authorization: `Bearer ${bad}` });
			expect(res.status, JSON.stringify(bad)).toBe(401);
			expect((await errorOf(res)).code).toBe("UNAUTHORIZED");
		}
		expect(d1Calls).toBe(0);

		for (const unknown of unknownButWellFormed) expect((await send({ "X-API-Key": unknown })).status).toBe(401);
		expect(d1Calls).toBeGreaterThan(0); // these do need the lookup, and the proxy does count it

		expect((await send({ "X-API-Key": key })).status).toBe(200);
	});
});

describe("test-mode keys", () => {
	it("make real PDFs with a TEST watermark on every page, and leave the balance unchanged", async () => {
		const { key } = await signUp();
		const created = ((await (await createKey(key, { name: "Sandbox", mode: "test" })).json()) as { data: { key: string } }).data;
		expect(created.key).toMatch(/^qk_test_/);

		const threePages = `<html><body><style>p{page-break-after:always}</style><p>first</p><p>second</p><p>third</p></body></html>`;
		const res = await postJson("/v1/generate", { html: threePages }, { "X-API-Key": created.key });
		expect(res.status).toBe(200);
		expect(res.headers.get("X-Credits-Left")).toBe("50");
		const bytes = new Uint8Array(await res.arrayBuffer());
		const { getDocumentProxy, extractText } = await import("unpdf");
		const { totalPages, text } = await extractText(await getDocumentProxy(bytes), { mergePages: false });
		expect(totalPages).toBe(3);
		for (const page of text) expect(page).toContain("TEST");
		expect(text[1]).toContain("second");

		expect(await creditsLeft(key)).toBe(50);
		const credits = (await (await call("/v1/credits", { headers: { "X-API-Key": created.key } })).json()) as Record<string, unknown>;
		expect(credits).toMatchObject({ mode: "test", credits_left: 50, used_this_period: 0, test_used_today: 1, test_daily_limit: TEST_DAILY_CAP });
		expect(((await (await call("/v1/credits", { headers: { "X-API-Key": key } })).json()) as Record<string, unknown>).mode).toBe("live");

		// A live key's PDF has no watermark.
		const live = await postJson("/v1/generate", { html: "<p>live document</p>" }, { "X-API-Key": key });
		expect((await readPdf(await live.arrayBuffer())).text).not.toContain("TEST");
	});

	it("answer 429 RATE_LIMITED with Retry-After past the daily cap, charging nothing", async () => {
		const { key, accountId } = await signUp();
		const testKey = ((await (await createKey(key, { name: "Sandbox", mode: "test" })).json()) as { data: { key: string } }).data.key;
		await runInDurableObject(env.CREDITS.get(env.CREDITS.idFromName(accountId)), (instance: { balance(plan: string): unknown }, state) => {
			instance.balance("free"); // creates the state row
			state.storage.sql.exec("UPDATE state SET test_used = ?", TEST_DAILY_CAP);
		});
		const res = await postJson("/v1/generate", { html: "<p>x</p>" }, { "X-API-Key": testKey });
		expect(res.status).toBe(429);
		expect(await errorOf(res)).toMatchObject({ code: "RATE_LIMITED" });
		const retryAfter = Number(res.headers.get("Retry-After"));
		expect(retryAfter).toBeGreaterThan(0);
		expect(retryAfter).toBeLessThanOrEqual(86_400);
		expect(await creditsLeft(key)).toBe(50);
	});
});
