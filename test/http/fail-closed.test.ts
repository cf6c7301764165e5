import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp, MAX_BODY_BYTES } from "../../src/app";
import { BASE, call, creditsLeft, errorOf, logLines, signUp } from "../helpers";

/**
 * Fault injection: the real app, served with one binding replaced by a stand-in that fails the
 * way an outage does. Everything else is the real local binding.
 */
async function send(overrides: Partial<Env>, path: string, key: string, body?: unknown) {
	const ctx = createExecutionContext();
	const init: RequestInit = body === undefined ? { headers: { "X-API-Key": key } } : { method: "POST", headers: { "X-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify(body) };
	const res = await createApp().fetch(new Request(`${BASE}${path}`, init), { ...env, ...overrides } as Env, ctx);
	await waitOnExecutionContext(ctx);
	return res;
}

const outage = (what: string) => () => {
	throw new Error(`${what}: Network connection lost.`);
};

/** A Durable Object namespace whose objects all fail, as during an outage or a reset. */
function failingNamespace<T extends { idFromName(name: string): DurableObjectId }>(real: T): T {
	const stub = new Proxy({}, { get: () => () => Promise.reject(Object.assign(new Error("Durable Object reset because its code was updated."), { remote: true })) });
	return { idFromName: (name: string) => real.idFromName(name), get: () => stub } as unknown as T;
}

/** The Credits objects, with the methods named in `failing` rejecting as in an outage and the rest real. */
function creditsFailing(...failing: string[]): Env["CREDITS"] {
	return {
		idFromName: (name: string) => env.CREDITS.idFromName(name),
		get: (id: DurableObjectId) =>
			new Proxy(env.CREDITS.get(id), {
				get: (target, prop) => (failing.includes(String(prop)) ? () => Promise.reject(new Error("Network connection lost.")) : Reflect.get(target, prop)),
			}),
	} as unknown as Env["CREDITS"];
}

/** The JSON lines written with console.error (or `level`) while `run` runs. */
const errorLines = (run: () => Promise<unknown>, level: "error" | "warn" = "error") => logLines(run, level);

describe("what a failed request logs", () => {
	it("a client error logs nothing; a render timeout (the document's doing) is a warning; a failing binding is an error", async () => {
		const { key } = await signUp();
		const invalid = { html: "<p>x</p>", options: { wait_for_selector: "p[" } };
		const clientError = [...(await errorLines(() => send({}, "/v1/generate", key, invalid))), ...(await errorLines(() => send({}, "/v1/generate", key, invalid), "warn"))];
		expect(clientError).toEqual([]);

		const neverThere = { html: "<p>x</p>", options: { wait_for_selector: "#never", wait_timeout_ms: 300 } };
		let timeout!: Response;
		const warnings = await errorLines(async () => {
			const errors = await errorLines(async () => (timeout = await send({}, "/v1/generate", key, neverThere)));
			expect(errors).toEqual([]);
		}, "warn");
		expect(timeout.status).toBe(504);
		expect(warnings).toContainEqual(expect.objectContaining({ level: "warn", event: "request_failed", code: "RENDER_TIMEOUT" }));

		// Positive control: a server-side failure is still an error line.
		let failed!: Response;
		const errors = await errorLines(async () => (failed = await send({ RENDERER: failingNamespace(env.RENDERER) }, "/v1/generate", key, { html: "<p>x</p>" })));
		expect(failed.status).toBeGreaterThanOrEqual(500);
		expect(errors).toContainEqual(expect.objectContaining({ level: "error", event: "request_failed" }));
	});
});

/** The settlement failures D1 counted for a request. */
async function failuresOf(requestId: string): Promise<Array<{ action: string }>> {
	return (await env.DB.prepare("SELECT action FROM settlement_failures WHERE request_id = ?").bind(requestId).all<{ action: string }>()).results;
}

describe("settlement failures leave a trace", () => {
	it("a commit that fails after the PDF is sent: settlement_failed with action and request id", async () => {
		const { key } = await signUp();
		let res!: Response;
		const lines = await errorLines(async () => {
			res = await send({ CREDITS: creditsFailing("commit") }, "/v1/generate", key, { html: "<p>x</p>" });
		});
		expect(res.status).toBe(200);
		const requestId = res.headers.get("X-Request-Id");
		expect(requestId).toBeTruthy();
		expect(lines).toContainEqual(
			expect.objectContaining({ level: "error", event: "settlement_failed", action: "commit", request_id: requestId, counted: true, time: expect.any(String), error: expect.objectContaining({ message: expect.stringMatching(/Network connection lost/) }) }),
		);
		// Counted in D1 too, where an operator can sum them.
		expect(await failuresOf(requestId!)).toEqual([{ action: "commit" }]);
	});

	it("a refund that fails after a failed render: settlement_failed with action refund", async () => {
		const { key } = await signUp();
		let res!: Response;
		const lines = await errorLines(async () => {
			res = await send({ CREDITS: creditsFailing("refund"), RENDERER: failingNamespace(env.RENDERER) }, "/v1/generate", key, { html: "<p>x</p>" });
		});
		expect(res.status).toBe(502);
		expect(lines).toContainEqual(expect.objectContaining({ event: "settlement_failed", action: "refund", request_id: res.headers.get("X-Request-Id") }));
		// Positive control: the same request with the refund working logs no settlement failure.
		expect(await failuresOf(res.headers.get("X-Request-Id")!)).toEqual([{ action: "refund" }]);
		let fineRes!: Response;
		const fine = await errorLines(async () => (fineRes = await send({ RENDERER: failingNamespace(env.RENDERER) }, "/v1/generate", key, { html: "<p>x</p>" })));
		expect(fine.filter((l) => l.event === "settlement_failed")).toEqual([]);
		expect(await failuresOf(fineRes.headers.get("X-Request-Id")!)).toEqual([]);
	});
});

describe("fail closed", () => {
	it("D1 unavailable: 503, never served unauthenticated, nothing charged", async () => {
		const { key } = await signUp();
		const brokenDb = new Proxy(env.DB, { get: (target, prop) => (prop === "prepare" || prop === "withSession" || prop === "batch" ? outage("D1_ERROR") : Reflect.get(target, prop)) });
		for (const [path, body] of [["/v1/generate", { html: "<p>x</p>" }], ["/v1/credits", undefined], ["/v1/keys", undefined]] as const) {
			const res = await send({ DB: brokenDb }, path, key, body);
			expect(res.status, path).toBe(503);
			expect((await errorOf(res)).code).toBe("SERVICE_UNAVAILABLE");
		}
		expect(await creditsLeft(key)).toBe(50);
	});

	it("the credits object failing: 503 and no document", async () => {
		const { key } = await signUp();
		const res = await send({ CREDITS: failingNamespace(env.CREDITS) }, "/v1/generate", key, { html: "<p>x</p>" });
		expect(res.status).toBe(503);
		expect(await errorOf(res)).toMatchObject({ code: "SERVICE_UNAVAILABLE", message: expect.stringMatching(/nothing was charged/) });
		expect((await send({ CREDITS: failingNamespace(env.CREDITS) }, "/v1/credits", key)).status).toBe(503);
		expect(await creditsLeft(key)).toBe(50);
	});

	it("R2 failing to store a url-mode PDF: 503, and the credit comes back", async () => {
		const { key } = await signUp();
		const brokenR2 = new Proxy(env.PDFS, { get: (target, prop) => (prop === "put" ? () => Promise.reject(new Error("R2 put failed: internal error")) : Reflect.get(target, prop)) });
		const res = await send({ PDFS: brokenR2 }, "/v1/generate", key, { html: "<p>x</p>", return_type: "url" });
		expect(res.status).toBe(503);
		expect((await errorOf(res)).message).toMatch(/nothing was charged/);
		expect(await creditsLeft(key)).toBe(50);
		// Binary responses never touch R2, so they still work during an R2 outage.
		expect((await send({ PDFS: brokenR2 }, "/v1/generate", key, { html: "<p>x</p>" })).status).toBe(200);
	});

	it("the renderer failing: 502 RENDER_FAILED, and the credit comes back", async () => {
		const { key } = await signUp();
		const res = await send({ RENDERER: failingNamespace(env.RENDERER) }, "/v1/generate", key, { html: "<p>x</p>" });
		expect(res.status).toBe(502);
		expect((await errorOf(res)).code).toBe("RENDER_FAILED");
		expect(await creditsLeft(key)).toBe(50);
	});

	it(`a body over ${MAX_BODY_BYTES / 1024 / 1024} MB is 413 PAYLOAD_TOO_LARGE, before authentication or parsing`, async () => {
		const { key } = await signUp();
		const huge = JSON.stringify({ html: "x".repeat(MAX_BODY_BYTES) });
		const res = await call("/v1/generate", { method: "POST", headers: { "X-API-Key": key, "Content-Type": "application/json" }, body: huge });
		expect(res.status).toBe(413);
		expect((await errorOf(res)).code).toBe("PAYLOAD_TOO_LARGE");
		expect(await creditsLeft(key)).toBe(50);
	});
});
