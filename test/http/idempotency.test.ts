import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { IDEMPOTENCY_WAIT_MS, idempotencyBlobKey, MAX_INLINE_BODY_BYTES, requestFingerprint } from "../../src/http/idempotency";
import { BASE, call, creditsLeft, errorOf, expectStatus, postJson, readPdf, signUp, topUp } from "../helpers";

const invoice = { template_id: "invoices/invoice", data: { client: "Acme Corp", total: "$564" } };

function withKey(apiKey: string, idempotencyKey: string): Record<string, string> {
	return { "X-API-Key": apiKey, "Idempotency-Key": idempotencyKey };
}

function creditsObject(accountId: string) {
	return env.CREDITS.get(env.CREDITS.idFromName(accountId));
}

/** The account's Idempotency-Key records, read inside its Credits object. */
async function records(accountId: string): Promise<Array<{ key: string; status: string; blob_key: string | null; body_bytes: number | null }>> {
	return runInDurableObject(creditsObject(accountId), (_instance, state) =>
		state.storage.sql.exec<{ key: string; status: string; blob_key: string | null; body_bytes: number | null }>("SELECT key, status, blob_key, LENGTH(body) AS body_bytes FROM idempotency").toArray(),
	);
}

describe("Idempotency-Key on POST /v1/generate: replays", () => {
	it("a retry with the same key and body gets the same PDF and headers, marked as a replay, and charges nothing", async () => {
		const { key, accountId } = await signUp();
		const first = await postJson("/v1/generate", invoice, withKey(key, "order-42"));
		expect(first.status).toBe(200);
		expect(first.headers.get("Idempotent-Replayed")).toBeNull();
		const firstPdf = new Uint8Array(await first.arrayBuffer());

		const retry = await postJson("/v1/generate", invoice, withKey(key, "order-42"));
		expect(retry.status).toBe(200);
		expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
		for (const header of ["Content-Type", "Content-Disposition", "X-Credits-Left", "X-Response-Time-Ms"]) {
			expect(retry.headers.get(header), header).toBe(first.headers.get(header));
		}
		expect(retry.headers.get("X-Credits-Left")).toBe("49");
		expect(retry.headers.get("X-Request-Id")).not.toBe(first.headers.get("X-Request-Id"));
		expect(new Uint8Array(await retry.arrayBuffer())).toEqual(firstPdf);
		expect(await creditsLeft(key)).toBe(49);
		expect(await records(accountId)).toMatchObject([{ key: "order-42", status: "done" }]);
	});

	it("keeps a large PDF in R2, not in the Durable Object, and replays it byte for byte", async () => {
		const { key, accountId } = await signUp();
		// Many pages of text make a PDF larger than what is kept inline.
		const html = Array.from({ length: 120 }, (_, i) => `<h1>Page ${i}</h1><p>${"Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(60)}</p>`).join('<div style="break-after: page"></div>');
		const first = await postJson("/v1/generate", { html }, withKey(key, "big"));
		expect(first.status).toBe(200);
		const bytes = new Uint8Array(await first.arrayBuffer());
		expect(bytes.byteLength).toBeGreaterThan(MAX_INLINE_BODY_BYTES);

		const [record] = await records(accountId);
		expect(record).toMatchObject({ status: "done", body_bytes: null, blob_key: await idempotencyBlobKey(accountId, "big") });
		expect((await env.PDFS.head(record!.blob_key!))?.size).toBe(bytes.byteLength);

		const retry = await postJson("/v1/generate", { html }, withKey(key, "big"));
		expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
		expect(retry.headers.get("Content-Type")).toBe("application/pdf");
		expect(new Uint8Array(await retry.arrayBuffer())).toEqual(bytes);
		expect(await creditsLeft(key)).toBe(49);
	});

	it("replays the same url for return_type url, and the same task_id for async mode", async () => {
		const { key } = await signUp();
		const url1 = await postJson("/v1/generate", { ...invoice, return_type: "url" }, withKey(key, "u"));
		const url2 = await postJson("/v1/generate", { ...invoice, return_type: "url" }, withKey(key, "u"));
		expect(url2.headers.get("Idempotent-Replayed")).toBe("true");
		const body = (await url1.json()) as { url: string };
		expect(await url2.json()).toEqual(body);
		expect((await call(new URL(body.url).pathname)).status).toBe(200);

		const task1 = await postJson("/v1/generate", { ...invoice, async_mode: true }, withKey(key, "t"));
		const task2 = await postJson("/v1/generate", { ...invoice, async_mode: true }, withKey(key, "t"));
		expect(task1.status).toBe(202);
		expect(task2.status).toBe(202);
		expect(task2.headers.get("Idempotent-Replayed")).toBe("true");
		const { task_id } = (await task1.json()) as { task_id: string };
		expect(((await task2.json()) as { task_id: string }).task_id).toBe(task_id);
		// One url document and one async job: two credits, not four.
		expect(await creditsLeft(key)).toBe(48);
	});

	it("two accounts may use the same key string independently", async () => {
		const a = await signUp();
		const b = await signUp();
		const resA = await postJson("/v1/generate", { ...invoice, data: { ...invoice.data, client: "Alpha" } }, withKey(a.key, "shared"));
		const resB = await postJson("/v1/generate", { ...invoice, data: { ...invoice.data, client: "Beta" } }, withKey(b.key, "shared"));
		expect(resA.status).toBe(200);
		expect(resB.status).toBe(200);
		expect(resB.headers.get("Idempotent-Replayed")).toBeNull();
		expect((await readPdf(await resB.arrayBuffer())).text).toContain("Beta");
		expect(await creditsLeft(a.key)).toBe(49);
		expect(await creditsLeft(b.key)).toBe(49);
	});

	it("a deterministic 4xx is recorded and replayed; a request without the header is never recorded", async () => {
		const { key, accountId } = await signUp();
		const missing = { template_id: "nope/nothing" };
		expect((await postJson("/v1/generate", missing, withKey(key, "404"))).status).toBe(404);
		const again = await postJson("/v1/generate", missing, withKey(key, "404"));
		expect(again.status).toBe(404);
		expect(again.headers.get("Idempotent-Replayed")).toBe("true");
		expect((await errorOf(again)).code).toBe("TEMPLATE_NOT_FOUND");

		expect((await postJson("/v1/generate", { html: "<p>x</p>" }, { "X-API-Key": key })).status).toBe(200);
		expect((await records(accountId)).map((r) => r.key)).toEqual(["404"]);
	});
});

describe("Idempotency-Key: refusals", () => {
	it("the same key with a different body, or on another endpoint, is 422 IDEMPOTENCY_MISMATCH and charges nothing", async () => {
		const { key } = await signUp();
		expect((await postJson("/v1/generate", invoice, withKey(key, "k1"))).status).toBe(200);
		const other = await postJson("/v1/generate", { ...invoice, data: { client: "Someone else" } }, withKey(key, "k1"));
		expect(other.status).toBe(422);
		expect(await errorOf(other)).toMatchObject({ code: "IDEMPOTENCY_MISMATCH", message: expect.stringMatching(/different request/) });
		// Byte-identical means byte-identical: the same JSON with other spacing is another body.
		const respaced = await call("/v1/generate", { method: "POST", headers: { ...withKey(key, "k1"), "Content-Type": "application/json" }, body: JSON.stringify(invoice, null, 2) });
		expect(respaced.status).toBe(422);
		const elsewhere = await postJson("/v1/keys", { name: "CI" }, withKey(key, "k1"));
		expect(elsewhere.status).toBe(422);
		expect((await errorOf(elsewhere)).code).toBe("IDEMPOTENCY_MISMATCH");
		expect(await creditsLeft(key)).toBe(49);
	});

	it("a key that is empty, longer than 255 characters or not printable ASCII is 400 VALIDATION_ERROR", async () => {
		const { key } = await signUp();
		for (const bad of ["", "x".repeat(256), "clé-é", "tab\there"]) {
			const res = await postJson("/v1/generate", invoice, withKey(key, bad));
			expect(res.status, JSON.stringify(bad)).toBe(400);
			expect(await errorOf(res)).toMatchObject({ code: "VALIDATION_ERROR", details: { fields: [{ path: "Idempotency-Key" }] } });
		}
		expect((await postJson("/v1/generate", invoice, withKey(key, "x".repeat(255)))).status).toBe(200);
		expect(await creditsLeft(key)).toBe(49);
	});
});

describe("Idempotency-Key: failures release the key", () => {
	it("after a refunded render failure (502), a retry with the same key renders and charges once", async () => {
		const { key, accountId } = await signUp();
		const failingRenderer = {
			idFromName: (name: string) => env.RENDERER.idFromName(name),
			get: () => new Proxy({}, { get: () => () => Promise.reject(Object.assign(new Error("Durable Object reset"), { remote: true })) }),
		} as unknown as Env["RENDERER"];
		const ctx = createExecutionContext();
		const failed = await createApp().fetch(
			new Request(`${BASE}/v1/generate`, { method: "POST", headers: { ...withKey(key, "retry-me"), "Content-Type": "application/json" }, body: JSON.stringify(invoice) }),
			{ ...env, RENDERER: failingRenderer } as Env,
			ctx,
		);
		await waitOnExecutionContext(ctx);
		expect(failed.status).toBe(502);
		expect(await creditsLeft(key)).toBe(50);
		expect(await records(accountId)).toEqual([]);

		const retry = await postJson("/v1/generate", invoice, withKey(key, "retry-me"));
		expect(retry.status).toBe(200);
		expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
		expect(retry.headers.get("Content-Type")).toBe("application/pdf");
		expect(await creditsLeft(key)).toBe(49);
		expect((await postJson("/v1/generate", invoice, withKey(key, "retry-me"))).headers.get("Idempotent-Replayed")).toBe("true");
		expect(await creditsLeft(key)).toBe(49);
	});

	it("402 INSUFFICIENT_CREDITS is not recorded: after a top-up the same key succeeds", async () => {
		const { key, accountId } = await signUp();
		await creditsObject(accountId).reserve("spend-all", "free", { amount: 50 });
		expect((await postJson("/v1/generate", invoice, withKey(key, "after-top-up"))).status).toBe(402);
		expect((await topUp(accountId, 1)).status).toBe(200);
		const retry = await postJson("/v1/generate", invoice, withKey(key, "after-top-up"));
		expect(retry.status).toBe(200);
		expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
		expect(await creditsLeft(key)).toBe(0);
	});
});

describe("Idempotency-Key: concurrency", () => {
	it("8 concurrent requests with one key render once and charge once; the others get the same PDF or 409", async () => {
		const { key } = await signUp();
		const responses = await Promise.all(Array.from({ length: 8 }, () => postJson("/v1/generate", invoice, withKey(key, "burst"))));
		const ran = responses.filter((r) => r.status === 200 && r.headers.get("Idempotent-Replayed") === null);
		const replayed = responses.filter((r) => r.status === 200 && r.headers.get("Idempotent-Replayed") === "true");
		const busy = responses.filter((r) => r.status === 409);
		expect(ran).toHaveLength(1);
		expect(replayed.length + busy.length).toBe(7);
		for (const res of busy) {
			expect(res.headers.get("Retry-After")).toBe("1");
			expect((await errorOf(res)).code).toBe("CONFLICT");
		}
		const pdf = new Uint8Array(await ran[0]!.arrayBuffer());
		for (const res of replayed) expect(new Uint8Array(await res.arrayBuffer())).toEqual(pdf);
		expect(await creditsLeft(key)).toBe(49);
	});

	it(`a request still held after ${IDEMPOTENCY_WAIT_MS / 1000} s of waiting gets 409 CONFLICT with Retry-After, and runs once the key is released`, async () => {
		const { key, accountId } = await signUp();
		const body = JSON.stringify(invoice);
		// Another request (a slow one, say) holds the key with this very body.
		const fingerprint = await requestFingerprint("POST", "/v1/generate", new TextEncoder().encode(body).buffer as ArrayBuffer, "live");
		expect(await creditsObject(accountId).beginIdempotent("held", fingerprint, "req_elsewhere")).toMatchObject({ state: "new" });

		const started = Date.now();
		const busy = await postJson("/v1/generate", invoice, withKey(key, "held"));
		expect(busy.status).toBe(409);
		expect(Date.now() - started).toBeGreaterThanOrEqual(IDEMPOTENCY_WAIT_MS - 100);
		expect(busy.headers.get("Retry-After")).toBe("1");
		expect(await errorOf(busy)).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/still in progress/) });
		expect(await creditsLeft(key)).toBe(50);

		// A waiting request takes the key over as soon as the holder lets it go.
		const waiting = postJson("/v1/generate", invoice, withKey(key, "held"));
		await new Promise((resolve) => setTimeout(resolve, 200));
		await creditsObject(accountId).abandonIdempotent("held", "req_elsewhere");
		const res = await waiting;
		expect(res.status).toBe(200);
		expect(res.headers.get("Idempotent-Replayed")).toBeNull();
		expect(await creditsLeft(key)).toBe(49);
	});
});

describe("Idempotency-Key on POST /v1/keys and POST /v1/templates", () => {
	it("a retried key creation creates one key and answers its metadata, never the key again (test/routes/v1/keys has the details)", async () => {
		const { key } = await signUp();
		const first = await postJson("/v1/keys", { name: "Production Server" }, withKey(key, "new-key"));
		const retry = await postJson("/v1/keys", { name: "Production Server" }, withKey(key, "new-key"));
		expect(first.status).toBe(201);
		expect(retry.status).toBe(201);
		expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
		const { key: shownOnce, ...metadata } = ((await first.json()) as { data: { key: string } }).data;
		expect(((await retry.json()) as { data: unknown }).data).toEqual({ ...metadata, key_preview: `${shownOnce.slice(0, 12)}...${shownOnce.slice(-4)}`, replayed: true });
		const list = (await (await call("/v1/keys", { headers: { "X-API-Key": key } })).json()) as { data: unknown[] };
		expect(list.data).toHaveLength(2);
	});

	it("a retried template creation returns the same 201 instead of 409 'already exists'", async () => {
		const { key } = await signUp();
		const template = { id: "receipt", name: "Receipt", html: "<p>{{n}}</p>" };
		const first = await postJson("/v1/templates", template, withKey(key, "tpl"));
		const retry = await postJson("/v1/templates", template, withKey(key, "tpl"));
		expect(first.status).toBe(201);
		expect(retry.status).toBe(201);
		expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
		expect(await retry.json()).toEqual(await first.json());
		// Without the header the same request is what it always was: the id is taken.
		expect((await postJson("/v1/templates", template, { "X-API-Key": key })).status).toBe(409);
	});
});

describe("Idempotency-Key in the OpenAPI document", () => {
	it("is a documented header parameter of the three routes that take it", async () => {
		const res = await call("/openapi.json");
		await expectStatus(res, 200);
		const doc = (await res.json()) as { paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string; description?: string }> }>> };
		for (const path of ["/v1/generate", "/v1/keys", "/v1/templates"]) {
			const header = doc.paths[path]!.post!.parameters?.find((p) => p.name.toLowerCase() === "idempotency-key");
			expect(header, path).toMatchObject({ in: "header", description: expect.stringMatching(/IDEMPOTENCY_MISMATCH/) });
		}
	});
});
