import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it, vi } from "vitest";
import worker from "../../../src/index";
import type { Job } from "../../../src/jobs/consumer";
import { WEBHOOK_MAX_ATTEMPTS } from "../../../src/jobs/webhooks";
import { call, errorOf, postJson, signUp } from "../../helpers";
import { submitAsync, waitForTask } from "../../helpers-async";

const receiver = inject("webhookReceiver");

type Endpoint = { id: string; url: string; events: string[]; enabled: boolean; created_at: string; secret?: string };
type Delivery = { id: string; event: string; subject_id: string; attempt: number; status: number | null; error: string | null; duration_ms: number; response_excerpt: string | null; created_at: string };
type Received = Array<{ headers: Record<string, string>; body: string }>;

const auth = (key: string) => ({ "X-API-Key": key });

async function createEndpoint(key: string, body: Record<string, unknown>): Promise<Endpoint & { secret: string }> {
	const res = await postJson("/v1/webhook-endpoints", body, auth(key));
	expect(res.status, await res.clone().text()).toBe(201);
	return ((await res.json()) as { data: Endpoint & { secret: string } }).data;
}

async function deliveries(key: string, endpointId: string): Promise<Delivery[]> {
	const res = await call(`/v1/webhook-endpoints/${endpointId}/deliveries`, { headers: auth(key) });
	expect(res.status).toBe(200);
	return ((await res.json()) as { data: Delivery[] }).data;
}

/** Polls the endpoint's log until `done` holds (the local queue delivers in the background). */
async function waitForDeliveries(key: string, endpointId: string, done: (d: Delivery[]) => boolean): Promise<Delivery[]> {
	const deadline = Date.now() + 45_000;
	for (;;) {
		const log = await deliveries(key, endpointId);
		if (done(log)) return log;
		if (Date.now() > deadline) throw new Error(`deliveries of ${endpointId}: ${JSON.stringify(log)}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

const received = async (id: string): Promise<Received> => (await fetch(`${receiver}/received/${id}`)).json();

async function hmacHex(secret: string, message: string): Promise<string> {
	const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
	const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
	return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether `headers` carry a `Quire-Signature` of `body` made with `secret`, at most a minute old. */
async function signedWith(secret: string, { headers, body }: { headers: Record<string, string>; body: string }): Promise<boolean> {
	const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(headers["quire-signature"] ?? "") ?? [];
	return Boolean(t) && Math.abs(Number(t) - Date.now() / 1000) < 60 && v1 === (await hmacHex(secret, `${t}.${body}`));
}

describe("webhook endpoints: delivery of async tasks", () => {
	it("delivers a finished task to the endpoint, signed with its own secret; logs the attempt; a resend sends the same event again", async () => {
		const { key } = await signUp();
		const hookId = crypto.randomUUID();
		const endpoint = await createEndpoint(key, { url: `${receiver}/200/${hookId}`, events: ["task.completed", "task.failed"] });
		expect(endpoint).toEqual({ id: expect.stringMatching(/^we_/), url: `${receiver}/200/${hookId}`, events: ["task.completed", "task.failed"], enabled: true, created_at: expect.any(String), secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/) });
		// The secret is shown once: the list never has it.
		const list = await (await call("/v1/webhook-endpoints", { headers: auth(key) })).json();
		const { secret, ...shown } = endpoint;
		expect(list).toEqual({ data: [shown] });
		expect(JSON.stringify(list)).not.toContain(secret);

		const queued = await submitAsync(key, { html: "<p>{{who}}</p>", data: { who: "endpoint" }, metadata: { ref: "E-1" } });
		const task = await waitForTask(key, queued.task_id);
		expect(task.status).toBe("completed");
		const [first] = await waitForDeliveries(key, endpoint.id, (d) => d.length === 1);
		expect(first).toEqual({
			id: expect.stringMatching(/^whd_/),
			event: "task.completed",
			subject_id: queued.task_id,
			attempt: 1,
			status: 200,
			error: null,
			duration_ms: expect.any(Number),
			response_excerpt: `received ${hookId}`,
			created_at: expect.any(String),
		});

		const [delivery] = await received(hookId);
		expect(delivery!.headers["quire-event"]).toBe("task.completed");
		expect(await signedWith(secret, delivery!)).toBe(true);
		// Positive control of the check: the account's own secret (another key) does not verify it.
		const accountSecret = ((await (await call("/v1/webhook-secret", { method: "POST", headers: auth(key) })).json()) as { data: { secret: string } }).data.secret;
		expect(await signedWith(accountSecret, delivery!)).toBe(false);
		const body = JSON.parse(delivery!.body) as { id: string; type: string; created_at: string; data: unknown };
		expect(body).toEqual({ id: expect.stringMatching(/^evt_/), type: "task.completed", created_at: expect.any(String), data: task });

		// Resend: the same body (same event id), signed afresh, logged as attempt 2.
		const resent = await call(`/v1/webhook-endpoints/${endpoint.id}/deliveries/${first!.id}/resend`, { method: "POST", headers: auth(key) });
		expect(resent.status).toBe(201);
		expect(((await resent.json()) as { data: Delivery }).data).toMatchObject({ event: "task.completed", subject_id: queued.task_id, attempt: 2, status: 200 });
		const both = await received(hookId);
		expect(both).toHaveLength(2);
		expect(both[1]!.body).toBe(delivery!.body);
		expect(await signedWith(secret, both[1]!)).toBe(true);
		expect((await deliveries(key, endpoint.id)).map((d) => d.attempt)).toEqual([2, 1]);
	});

	it("sends only the events an endpoint takes, nothing when disabled or deleted, and nothing when the request has its own webhook_url", async () => {
		const { key } = await signUp();
		await call("/v1/webhook-secret", { method: "POST", headers: auth(key) }); // for the request's own webhook_url
		const failedId = crypto.randomUUID();
		const disabledId = crypto.randomUUID();
		const onlyFailed = await createEndpoint(key, { url: `${receiver}/200/${failedId}`, events: ["task.failed"] });
		const disabled = await createEndpoint(key, { url: `${receiver}/200/${disabledId}`, events: ["task.completed", "task.failed"], enabled: false });
		expect(disabled.enabled).toBe(false);

		// A completed task: not for `onlyFailed`; a failed one is (the positive control).
		await waitForTask(key, (await submitAsync(key, { html: "<p>fine</p>" })).task_id);
		const failing = await submitAsync(key, { html: "<p>one page</p>", options: { page_ranges: "4-5" } });
		expect((await waitForTask(key, failing.task_id)).status).toBe("failed");
		const [failed] = await waitForDeliveries(key, onlyFailed.id, (d) => d.length > 0);
		expect(failed).toMatchObject({ event: "task.failed", subject_id: failing.task_id, status: 200 });
		expect(JSON.parse((await received(failedId))[0]!.body)).toMatchObject({ type: "task.failed", data: { task_id: failing.task_id, status: "failed", error: { code: "VALIDATION_ERROR" } } });

		// The request's own webhook_url wins: the endpoints hear nothing of it.
		const ownId = crypto.randomUUID();
		const own = await submitAsync(key, { html: "<p>own</p>", options: { page_ranges: "4-5" }, webhook_url: `${receiver}/200/${ownId}` });
		await waitForTask(key, own.task_id, (t) => (t.webhook?.attempts.length ?? 0) > 0);
		// A later event reaches `onlyFailed` (so anything about `own` would have arrived by then too).
		const later = await submitAsync(key, { html: "<p>one page</p>", options: { page_ranges: "4-5" } });
		const log = await waitForDeliveries(key, onlyFailed.id, (d) => d.some((x) => x.subject_id === later.task_id));
		expect(log.map((d) => d.subject_id)).toEqual([later.task_id, failing.task_id]);
		expect(await received(ownId)).toHaveLength(1);

		expect(await deliveries(key, disabled.id)).toEqual([]);
		expect(await received(disabledId)).toEqual([]);

		// Deleted: its log goes with it, and it is not found any more.
		const deleted = await call(`/v1/webhook-endpoints/${onlyFailed.id}`, { method: "DELETE", headers: auth(key) });
		expect(await deleted.json()).toEqual({ data: { deleted: true } });
		expect((await call(`/v1/webhook-endpoints/${onlyFailed.id}/deliveries`, { headers: auth(key) })).status).toBe(404);
		expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE endpoint_id = ?").bind(onlyFailed.id).first("n")).toBe(0);
	});

	it("PATCH turns an endpoint off and on, and changes its URL and events, keeping its secret", async () => {
		const { key } = await signUp();
		const offId = crypto.randomUUID();
		const onId = crypto.randomUUID();
		const endpoint = await createEndpoint(key, { url: `${receiver}/200/${offId}`, events: ["task.completed"] });
		const patch = (body: unknown) => call(`/v1/webhook-endpoints/${endpoint.id}`, { method: "PATCH", headers: { ...auth(key), "Content-Type": "application/json" }, body: JSON.stringify(body) });

		const off = await patch({ enabled: false });
		expect(off.status).toBe(200);
		expect(((await off.json()) as { data: Endpoint }).data).toMatchObject({ id: endpoint.id, enabled: false });
		await waitForTask(key, (await submitAsync(key, { html: "<p>while off</p>" })).task_id);

		const on = await patch({ enabled: true, url: `${receiver}/200/${onId}`, events: ["task.completed", "task.failed"] });
		expect(((await on.json()) as { data: Endpoint }).data).toEqual({ ...endpoint, secret: undefined, url: `${receiver}/200/${onId}`, events: ["task.completed", "task.failed"], enabled: true });
		const later = await submitAsync(key, { html: "<p>while on</p>" });
		const log = await waitForDeliveries(key, endpoint.id, (d) => d.length > 0);
		// Only the task finished while it was on, at its new URL, signed with the same secret.
		expect(log.map((d) => d.subject_id)).toEqual([later.task_id]);
		expect(await received(offId)).toEqual([]);
		expect(await signedWith(endpoint.secret, (await received(onId))[0]!)).toBe(true);

		for (const [body, field] of [[{}, "(body)"], [{ url: "http://10.1.2.3/" }, "url"], [{ events: [] }, "events"], [{ enabled: "no" }, "enabled"]] as const) {
			const res = await patch(body);
			expect(res.status, JSON.stringify(body)).toBe(400);
			expect(JSON.stringify((await errorOf(res)).details), JSON.stringify(body)).toContain(field);
		}
	});

	it("delivers batch.completed once per batch, with the batch object", async () => {
		const { key } = await signUp();
		const hookId = crypto.randomUUID();
		const endpoint = await createEndpoint(key, { url: `${receiver}/200/${hookId}`, events: ["batch.completed", "task.completed"] });
		const res = await postJson("/v1/batch", { documents: [{ html: "<p>a</p>" }, { html: "<p>b</p>" }] }, auth(key));
		expect(res.status).toBe(202);
		const { batch_id } = (await res.json()) as { batch_id: string };
		const [delivery] = await waitForDeliveries(key, endpoint.id, (d) => d.length > 0);
		expect(delivery).toMatchObject({ event: "batch.completed", subject_id: batch_id, status: 200 });
		const body = JSON.parse((await received(hookId))[0]!.body) as { type: string; data: { batch_id: string; status: string; succeeded: number; documents: unknown[] } };
		expect(body).toMatchObject({ type: "batch.completed", data: { batch_id, status: "completed", succeeded: 2 } });
		expect(body.data.documents).toHaveLength(2);
		// The batch's documents are in it, not delivered one by one as task.completed.
		await new Promise((r) => setTimeout(r, 500));
		expect((await deliveries(key, endpoint.id)).map((d) => d.event)).toEqual(["batch.completed"]);
	});
});

describe("webhook endpoints: retries (the queue consumer, messages delivered by hand)", () => {
	async function deliver(message: Job, attempts: number) {
		const batch = createMessageBatch<Job>("quire-jobs", [{ id: `msg-${crypto.randomUUID()}`, timestamp: new Date(), attempts, body: message }]);
		const retry = vi.spyOn(batch.messages[0]!, "retry");
		const ctx = createExecutionContext();
		await worker.queue(batch, env);
		const result = await getQueueResult(batch, ctx);
		return { acked: result.explicitAcks.length === 1, delaySeconds: retry.mock.calls[0]?.[0]?.delaySeconds };
	}

	it("a receiver answering 500 is retried with backoff up to the last attempt, each logged; a 400 is final; a refused URL is not sent", async () => {
		const { key } = await signUp();
		const hookId = crypto.randomUUID();
		const failing = await createEndpoint(key, { url: `${receiver}/500/${hookId}`, events: ["task.completed"] });
		const job: Job = { kind: "endpoint", endpoint_id: failing.id, event: "task.completed", subject_id: "task_x", payload: JSON.stringify({ id: "evt_1", type: "task.completed", data: {} }) };
		for (let attempts = 1; attempts <= WEBHOOK_MAX_ATTEMPTS; attempts++) {
			const outcome = await deliver(job, attempts);
			expect(outcome, `attempt ${attempts}`).toEqual(attempts < WEBHOOK_MAX_ATTEMPTS ? { acked: false, delaySeconds: 10 * 2 ** (attempts - 1) } : { acked: true, delaySeconds: undefined });
		}
		const log = await deliveries(key, failing.id);
		expect(log.map((d) => [d.attempt, d.status, d.response_excerpt])).toEqual([5, 4, 3, 2, 1].map((n) => [n, 500, `received ${hookId}`]));
		const sent = await received(hookId);
		expect(sent).toHaveLength(WEBHOOK_MAX_ATTEMPTS);
		for (const one of sent) expect(await signedWith(failing.secret, one)).toBe(true);

		const badId = crypto.randomUUID();
		const bad = await createEndpoint(key, { url: `${receiver}/400/${badId}`, events: ["task.completed"] });
		expect(await deliver({ ...job, endpoint_id: bad.id }, 1)).toEqual({ acked: true, delaySeconds: undefined });
		expect((await deliveries(key, bad.id)).map((d) => d.status)).toEqual([400]);

		// A receiver that can't be reached (nothing listens): a network error, retried.
		const down = await createEndpoint(key, { url: `http://127.0.0.1:${inject("refusedPort")}/hook`, events: ["task.completed"] });
		expect(await deliver({ ...job, endpoint_id: down.id }, 1)).toEqual({ acked: false, delaySeconds: 10 });
		expect(await deliveries(key, down.id)).toEqual([expect.objectContaining({ status: null, error: expect.any(String), response_excerpt: null })]);

		// The guard is asked again at delivery: a URL it refuses now (here: loopback, no longer allowed) is not sent to, and not retried.
		const refusedId = crypto.randomUUID();
		const refused = await createEndpoint(key, { url: `${receiver}/200/${refusedId}`, events: ["task.completed"] });
		const batch = createMessageBatch<Job>("quire-jobs", [{ id: `msg-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body: { ...job, endpoint_id: refused.id } }]);
		const ctx = createExecutionContext();
		await worker.queue(batch, { ...env, ALLOW_LOOPBACK: "false" });
		expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(1);
		expect(await deliveries(key, refused.id)).toEqual([expect.objectContaining({ status: null, error: expect.stringMatching(/^refused: /) })]);
		expect(await received(refusedId)).toEqual([]);
		// Positive control: the same endpoint with loopback allowed is delivered to.
		expect(await deliver({ ...job, endpoint_id: refused.id }, 1)).toEqual({ acked: true, delaySeconds: undefined });
		expect(await received(refusedId)).toHaveLength(1);
	});

	it("a deleted or disabled endpoint gets nothing from a job already queued", async () => {
		const { key } = await signUp();
		const hookId = crypto.randomUUID();
		const endpoint = await createEndpoint(key, { url: `${receiver}/200/${hookId}`, events: ["task.completed"] });
		const job: Job = { kind: "endpoint", endpoint_id: endpoint.id, event: "task.completed", subject_id: "task_x", payload: "{}" };
		expect(await deliver(job, 1)).toEqual({ acked: true, delaySeconds: undefined });
		expect(await received(hookId)).toHaveLength(1); // positive control
		await call(`/v1/webhook-endpoints/${endpoint.id}`, { method: "DELETE", headers: auth(key) });
		expect(await deliver(job, 1)).toEqual({ acked: true, delaySeconds: undefined });
		expect(await received(hookId)).toHaveLength(1);
	});
});

describe("webhook endpoints: validation and access", () => {
	it("400 naming the field for a private URL, no events, an unknown or repeated event; 403 for a test key; 409 past the limit", async () => {
		const { key } = await signUp();
		const cases: Array<[Record<string, unknown>, string]> = [
			[{ url: "http://10.0.0.5/hook", events: ["task.completed"] }, "url"],
			[{ url: "http://169.254.169.254/latest", events: ["task.completed"] }, "url"],
			[{ url: "ftp://example.com/", events: ["task.completed"] }, "url"],
			[{ url: "https://example.com/hook", events: [] }, "events"],
			[{ url: "https://example.com/hook", events: ["task.done"] }, "events.0"],
			[{ url: "https://example.com/hook", events: ["task.failed", "task.failed"] }, "events"],
			[{ events: ["task.failed"] }, "url"],
		];
		for (const [body, field] of cases) {
			const res = await postJson("/v1/webhook-endpoints", body, auth(key));
			expect(res.status, JSON.stringify(body)).toBe(400);
			const error = await errorOf(res);
			expect(error.code).toBe("VALIDATION_ERROR");
			expect((error.details as { fields: Array<{ path: string }> }).fields.map((f) => f.path), JSON.stringify(body)).toContain(field);
		}
		expect(await (await call("/v1/webhook-endpoints", { headers: auth(key) })).json()).toEqual({ data: [] });

		const testKey = ((await (await postJson("/v1/keys", { name: "t", mode: "test" }, auth(key))).json()) as { data: { key: string } }).data.key;
		const forbidden = await postJson("/v1/webhook-endpoints", { url: "https://example.com/hook", events: ["task.completed"] }, auth(testKey));
		expect(forbidden.status).toBe(403);
		expect((await call("/v1/webhook-endpoints", { headers: auth(testKey) })).status).toBe(200); // reading is allowed

		for (let i = 0; i < 10; i++) await createEndpoint(key, { url: `https://example.com/hook/${i}`, events: ["task.completed"] });
		const over = await postJson("/v1/webhook-endpoints", { url: "https://example.com/hook/10", events: ["task.completed"] }, auth(key));
		expect(over.status).toBe(409);
		expect((await errorOf(over)).message).toContain("at most 10");
		expect((await postJson("/v1/webhook-endpoints", { url: "https://example.com/x", events: ["task.completed"] })).status).toBe(401);
	});

	it("another account's endpoints and deliveries are 404 on every route, and never listed", async () => {
		const a = await signUp();
		const b = await signUp();
		const hookId = crypto.randomUUID();
		const mine = await createEndpoint(a.key, { url: `${receiver}/200/${hookId}`, events: ["task.completed"] });
		await waitForTask(a.key, (await submitAsync(a.key, { html: "<p>a</p>" })).task_id);
		const [delivery] = await waitForDeliveries(a.key, mine.id, (d) => d.length === 1);
		const theirs = await createEndpoint(b.key, { url: `${receiver}/200/${crypto.randomUUID()}`, events: ["task.completed"] });

		expect(await (await call("/v1/webhook-endpoints", { headers: auth(b.key) })).json()).toEqual({ data: [expect.objectContaining({ id: theirs.id })] });
		const attempts: Array<[string, string]> = [
			["GET", `/v1/webhook-endpoints/${mine.id}/deliveries`],
			["POST", `/v1/webhook-endpoints/${mine.id}/deliveries/${delivery!.id}/resend`],
			// B's own endpoint with A's delivery: still not found.
			["POST", `/v1/webhook-endpoints/${theirs.id}/deliveries/${delivery!.id}/resend`],
			["PATCH", `/v1/webhook-endpoints/${mine.id}`],
			["DELETE", `/v1/webhook-endpoints/${mine.id}`],
		];
		for (const [method, path] of attempts) {
			const body = method === "PATCH" ? JSON.stringify({ enabled: false }) : undefined;
			const res = await call(path, { method, headers: { ...auth(b.key), "Content-Type": "application/json" }, body });
			expect(res.status, `${method} ${path}`).toBe(404);
			expect((await errorOf(res)).code).toBe("NOT_FOUND");
		}
		// Nothing was resent, changed or deleted: A's endpoint and log are as they were, and the receiver got one delivery.
		const { secret: _, ...shown } = mine;
		expect(await (await call("/v1/webhook-endpoints", { headers: auth(a.key) })).json()).toEqual({ data: [shown] });
		expect(await deliveries(a.key, mine.id)).toEqual([delivery]);
		expect(await received(hookId)).toHaveLength(1);
		// Positive control: A can do what B could not.
		expect((await call(`/v1/webhook-endpoints/${mine.id}/deliveries/${delivery!.id}/resend`, { method: "POST", headers: auth(a.key) })).status).toBe(201);
		expect((await call(`/v1/webhook-endpoints/${mine.id}`, { method: "DELETE", headers: auth(a.key) })).status).toBe(200);
	});
});
