import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { call, creditsLeft, errorOf, postJson, readPdf, signUp } from "../../helpers";
import { getTask, submitAsync, waitForTask } from "../../helpers-async";

async function hmacHex(secret: string, message: string): Promise<string> {
	const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
	const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
	return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function rotateSecret(key: string): Promise<string> {
	const res = await call("/v1/webhook-secret", { method: "POST", headers: { "X-API-Key": key } });
	expect(res.status).toBe(201);
	return ((await res.json()) as { data: { secret: string } }).data.secret;
}

describe("async mode, end to end through the local queue", () => {
	it("answers 202 with a task that goes queued → completed, whose URL serves the PDF with the data", async () => {
		const { key } = await signUp();
		const queued = await submitAsync(key, { template_id: "invoices/invoice", data: { client: "Async Corp", total: "$1,234" }, metadata: { order: 42, tag: "nightly" } });
		expect(queued).toEqual({ task_id: expect.stringMatching(/^task_/), status: "queued", check_status_url: `http://quire.test/v1/tasks/${queued.task_id}` });
		expect(await creditsLeft(key)).toBe(49); // reserved at once

		const task = await waitForTask(key, queued.task_id);
		expect(task).toMatchObject({ status: "completed", pages: 1, metadata: { order: 42, tag: "nightly" } });
		expect(task.response_time_ms).toBeGreaterThan(0);
		expect(Date.parse(task.completed_at!)).toBeGreaterThanOrEqual(Date.parse(task.created_at));
		const file = await call(new URL(task.url!).pathname);
		const pdf = await readPdf(await file.arrayBuffer());
		expect(pdf.pages).toBe(1);
		expect(pdf.text).toContain("Async Corp");
		expect(pdf.text).toContain("$1,234");

		const row = await env.DB.prepare("SELECT attempts, started_at FROM tasks WHERE id = ?").bind(queued.task_id).first<{ attempts: number; started_at: string }>();
		expect(row).toMatchObject({ attempts: 1, started_at: expect.any(String) }); // it went through processing, once
		expect(await creditsLeft(key)).toBe(49);
		expect(await env.PDFS.head(`jobs/${queued.task_id}.json`)).toBeNull(); // its input is cleaned up
	});

	it("a job that cannot render (page range past the last page) ends failed with a clear error, and the credit comes back", async () => {
		const { key } = await signUp();
		const queued = await submitAsync(key, { html: "<p>one page</p>", options: { page_ranges: "4-5" } });
		const task = await waitForTask(key, queued.task_id);
		expect(task.status).toBe("failed");
		expect(task.error).toEqual({ code: "VALIDATION_ERROR", message: "page_ranges selects pages the document does not have" });
		expect(task.url).toBeUndefined();
		expect(await creditsLeft(key)).toBe(50);
	});

	it("validates like sync mode and charges nothing for a bad request", async () => {
		const { key } = await signUp();
		for (const body of [{ template_id: "nope/nope" }, { html: "{{#open}}" }, { html: "<p/>", return_type: "zip" }, { html: "<p/>", metadata: { big: "x".repeat(9000) } }]) {
			const res = await postJson("/v1/generate", { async_mode: true, ...body }, { "X-API-Key": key });
			expect(res.status, JSON.stringify(body).slice(0, 80)).toBeGreaterThanOrEqual(400);
			expect(res.status).toBeLessThan(500);
		}
		expect(await creditsLeft(key)).toBe(50);
	});

	it("another account's task is 404, like an unknown one", async () => {
		const a = await signUp();
		const b = await signUp();
		const queued = await submitAsync(a.key, { html: "<p>mine</p>" });
		for (const [key, id] of [[b.key, queued.task_id], [a.key, "task_unknown"]] as const) {
			const res = await call(`/v1/tasks/${id}`, { headers: { "X-API-Key": key } });
			expect(res.status).toBe(404);
			expect(await errorOf(res)).toMatchObject({ code: "NOT_FOUND", message: "Task not found" });
		}
		await waitForTask(a.key, queued.task_id);
	});
});

describe("webhooks", () => {
	const receiver = inject("webhookReceiver");

	it("delivers one signed POST of the task object, whose signature verifies with the secret shown once", async () => {
		const { key } = await signUp();
		expect(await (await call("/v1/webhook-secret", { headers: { "X-API-Key": key } })).json()).toEqual({ data: { configured: false, created_at: null } });
		await rotateSecret(key); // the old secret must not be the one that signs
		const secret = await rotateSecret(key);
		expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
		expect(((await (await call("/v1/webhook-secret", { headers: { "X-API-Key": key } })).json()) as { data: { configured: boolean } }).data.configured).toBe(true);

		const hookId = crypto.randomUUID();
		const queued = await submitAsync(key, { html: "<p>{{who}}</p>", data: { who: "hooked" }, webhook_url: `${receiver}/200/${hookId}`, metadata: { ref: "A-1" } });
		const task = await waitForTask(key, queued.task_id, (t) => (t.webhook?.attempts.length ?? 0) > 0);
		expect(task.status).toBe("completed");
		expect(task.webhook).toEqual({ url: `${receiver}/200/${hookId}`, attempts: [{ at: expect.any(String), status: 200 }] });

		const deliveries = (await (await fetch(`${receiver}/received/${hookId}`)).json()) as Array<{ headers: Record<string, string>; body: string }>;
		expect(deliveries).toHaveLength(1);
		const [{ headers, body }] = deliveries as [{ headers: Record<string, string>; body: string }];
		expect(headers["content-type"]).toBe("application/json");
		const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(headers["quire-signature"]!)!;
		expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(60);
		expect(v1).toBe(await hmacHex(secret, `${t}.${body}`));
		const { webhook: _, ...withoutDeliveries } = task;
		expect(JSON.parse(body)).toEqual(withoutDeliveries);
	});

	it("refuses private and loopback-looking targets, a webhook without async mode, and one before a secret exists", async () => {
		const { key } = await signUp();
		const noSecret = await postJson("/v1/generate", { html: "<p/>", async_mode: true, webhook_url: "https://hooks.example.com/x" }, { "X-API-Key": key });
		expect(noSecret.status).toBe(400);
		expect((await errorOf(noSecret)).message).toMatch(/webhook secret/);
		await rotateSecret(key);
		for (const url of ["http://10.0.0.5/hook", "http://169.254.169.254/latest", "http://[fd00::1]/", "ftp://example.com/", "http://metadata.google.internal/"]) {
			const res = await postJson("/v1/generate", { html: "<p/>", async_mode: true, webhook_url: url }, { "X-API-Key": key });
			expect(res.status, url).toBe(400);
			expect(JSON.stringify((await errorOf(res)).details), url).toContain("webhook_url");
		}
		const sync = await postJson("/v1/generate", { html: "<p/>", webhook_url: "https://hooks.example.com/x" }, { "X-API-Key": key });
		expect(sync.status).toBe(400);
		expect(await creditsLeft(key)).toBe(50);
		expect(await getTask(key, "task_x").catch(() => "404")).toBe("404");
	});
});

describe("GET /v1/tasks", () => {
	const list = (key: string, query = "") => call(`/v1/tasks${query}`, { headers: { "X-API-Key": key } });
	type TaskPage = { data: Array<Record<string, unknown> & { task_id: string }>; has_more: boolean; next_cursor: string | null };

	it("lists the account's tasks newest first, as GET /v1/tasks/<id> shows each, walking every one exactly once with limit 2", async () => {
		const { key } = await signUp();
		const ids: string[] = [];
		for (const n of [1, 2, 3]) {
			ids.push((await submitAsync(key, { html: `<p>task ${n}</p>`, metadata: { n } })).task_id);
			await new Promise((resolve) => setTimeout(resolve, 5)); // distinct created_at, so the order is the submission order
		}
		for (const id of ids) await waitForTask(key, id);

		const seen: TaskPage["data"] = [];
		let cursor: string | null = null;
		let pages = 0;
		do {
			const res = await list(key, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
			expect(res.status).toBe(200);
			const page = (await res.json()) as TaskPage;
			pages++;
			expect(page.data.length).toBeLessThanOrEqual(2);
			seen.push(...page.data);
			cursor = page.next_cursor;
			expect(page.has_more).toBe(cursor !== null);
		} while (cursor);
		expect(pages).toBe(2);
		expect(seen.map((t) => t.task_id)).toEqual([...ids].reverse());
		for (const item of seen) expect(item).toEqual(await getTask(key, item.task_id));
		expect(seen[0]).toMatchObject({ status: "completed", metadata: { n: 3 }, pages: 1 });
	});

	it("the list and one task are different routes: GET /v1/tasks/<unknown> is still 404", async () => {
		const { key } = await signUp();
		expect(await (await list(key)).json()).toEqual({ data: [], has_more: false, next_cursor: null });
		expect((await call("/v1/tasks/task_unknown", { headers: { "X-API-Key": key } })).status).toBe(404);
	});

	it("400 VALIDATION_ERROR for limit 0 or 101 and for a malformed cursor; 401 without a key", async () => {
		const { key } = await signUp();
		for (const [query, field] of [["?limit=0", "limit"], ["?limit=101", "limit"], ["?cursor=nope", "cursor"]] as const) {
			const res = await list(key, query);
			expect(res.status, query).toBe(400);
			expect(await errorOf(res)).toMatchObject({ code: "VALIDATION_ERROR", details: { fields: [{ path: field }] } });
		}
		expect((await call("/v1/tasks")).status).toBe(401);
	});

	it("another account's tasks never appear", async () => {
		const a = await signUp();
		const b = await signUp();
		const queued = await submitAsync(a.key, { html: "<p>mine</p>" });
		expect(((await (await list(a.key)).json()) as TaskPage).data.map((t) => t.task_id)).toEqual([queued.task_id]);
		expect(await (await list(b.key)).json()).toEqual({ data: [], has_more: false, next_cursor: null });
		await waitForTask(a.key, queued.task_id);
	});
});
