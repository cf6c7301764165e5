import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it, vi } from "vitest";
import { newId } from "../../src/auth/api-key";
import { createDb } from "../../src/db";
import worker from "../../src/index";
import { jobInputKey, type Job } from "../../src/jobs/consumer";
import { submitJob } from "../../src/jobs/submit";
import { WEBHOOK_MAX_ATTEMPTS } from "../../src/jobs/webhooks";
import { call, creditsLeft, readPdfPages, signUp } from "../helpers";
import { getTask } from "../helpers-async";

/**
 * The JOBS producer is captured here (a stand-in queue for sending only) so that these tests
 * decide when and how often each message is delivered; D1, R2, the Credits object and the
 * renderer are the real local ones.
 */
function capturingEnv() {
	const sent: Job[] = [];
	const jobs = { send: async (job: Job) => void sent.push(job) } as unknown as Queue;
	return { sent, env: { ...env, JOBS: jobs } as Env };
}

async function queued(account: { accountId: string }, html: string, webhookUrl?: string, mode: "live" | "test" = "live") {
	const { sent, env: testEnv } = capturingEnv();
	const taskId = newId("task");
	const input = { html, options: {}, filename: "doc.pdf", origin: "http://quire.test", blockRemote: false };
	await submitJob(testEnv, createDb(env.DB), { accountId: account.accountId, via: "key", keyId: "k", memberId: null, role: "developer", mode, plan: "free", blockRemote: false, javascript: true, expiresInHours: null }, { taskId, input, webhookUrl });
	expect(sent).toEqual([{ kind: "generate", task_id: taskId }]);
	return { taskId, testEnv, sent };
}

async function deliver(testEnv: Env, queue: string, messages: Array<{ body: Job; attempts?: number }>) {
	const batch = createMessageBatch<Job>(
		queue,
		messages.map((m, i) => ({ id: `msg-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: m.attempts ?? 1, body: m.body })),
	);
	// getQueueResult records which messages were retried but not their delay: read it off retry().
	const delays = batch.messages.map((m) => vi.spyOn(m, "retry"));
	const ctx = createExecutionContext();
	await worker.queue(batch, testEnv);
	const result = await getQueueResult(batch, ctx);
	const retries = result.retryMessages.map(({ msgId }) => {
		const i = batch.messages.findIndex((m) => m.id === msgId);
		return { msgId, delaySeconds: delays[i]!.mock.calls[0]?.[0]?.delaySeconds };
	});
	return { result: { ...result, retryMessages: retries }, ids: batch.messages.map((m) => m.id) };
}

async function pdfsOf(accountId: string): Promise<number> {
	return (await env.PDFS.list({ prefix: `${accountId}/` })).objects.length;
}

describe("queue consumer", () => {
	it("the same message delivered twice, even at once: one render, one charge, one completed task", async () => {
		const account = await signUp();
		const { taskId, testEnv } = await queued(account, "<p>twice</p>");
		const job: Job = { kind: "generate", task_id: taskId };

		const first = await deliver(testEnv, "quire-jobs", [{ body: job }, { body: job }]);
		// One delivery rendered; the other found the task taken and comes back later.
		expect(first.result.explicitAcks).toHaveLength(1);
		expect(first.result.retryMessages).toEqual([{ msgId: expect.any(String), delaySeconds: 30 }]);
		const again = await deliver(testEnv, "quire-jobs", [{ body: job, attempts: 2 }]);
		expect(again.result.explicitAcks).toEqual(again.ids);

		const task = await getTask(account.key, taskId);
		expect(task.status).toBe("completed");
		expect(await pdfsOf(account.accountId)).toBe(1);
		expect(await creditsLeft(account.key)).toBe(49);
		const row = await env.DB.prepare("SELECT attempts FROM tasks WHERE id = ?").bind(taskId).first<{ attempts: number }>();
		expect(row!.attempts).toBe(1);
	});

	it("a consumer that throws on its first attempts retries with backoff, then succeeds and charges once", async () => {
		const account = await signUp();
		const { taskId, testEnv } = await queued(account, "<p>eventually</p>");
		const job: Job = { kind: "generate", task_id: taskId };
		// Its input is unreadable for a while (as if R2 failed).
		const input = await (await env.PDFS.get(jobInputKey(taskId)))!.text();
		await env.PDFS.delete(jobInputKey(taskId));

		for (const attempts of [1, 2, 3]) {
			const { result, ids } = await deliver(testEnv, "quire-jobs", [{ body: job, attempts }]);
			expect(result.retryMessages).toEqual([{ msgId: ids[0], delaySeconds: 2 ** attempts }]);
			expect((await getTask(account.key, taskId)).status).toBe("queued");
		}
		expect(await creditsLeft(account.key)).toBe(49); // still reserved, not yet settled

		await env.PDFS.put(jobInputKey(taskId), input);
		const { result, ids } = await deliver(testEnv, "quire-jobs", [{ body: job, attempts: 4 }]);
		expect(result.explicitAcks).toEqual(ids);
		const task = await getTask(account.key, taskId);
		expect(task.status).toBe("completed");
		const pdf = await call(new URL(task.url!).pathname);
		expect(pdf.status).toBe(200);
		expect(await creditsLeft(account.key)).toBe(49);
		expect((await (await call("/v1/credits", { headers: { "X-API-Key": account.key } })).json()) as object).toMatchObject({ used_this_period: 1 });
	});

	it("one that always throws ends in the dead-letter path: task failed, credit refunded", async () => {
		const account = await signUp();
		const { taskId, testEnv } = await queued(account, "<p>never</p>");
		const job: Job = { kind: "generate", task_id: taskId };
		await env.PDFS.delete(jobInputKey(taskId));

		// max_retries = 5: the sixth delivery fails too, and the queue moves the message to the DLQ.
		const last = await deliver(testEnv, "quire-jobs", [{ body: job, attempts: 6 }]);
		expect(last.result.retryMessages).toHaveLength(1);
		expect(await creditsLeft(account.key)).toBe(49);

		const dead = await deliver(testEnv, "quire-jobs-dlq", [{ body: job, attempts: 1 }]);
		expect(dead.result.explicitAcks).toEqual(dead.ids);
		const task = await getTask(account.key, taskId);
		expect(task.status).toBe("failed");
		expect(task.error).toEqual({ code: "RENDER_FAILED", message: expect.stringMatching(/after \d+ attempts; the credit was refunded/) });
		expect(await creditsLeft(account.key)).toBe(50);

		// A late redelivery changes nothing.
		await deliver(testEnv, "quire-jobs-dlq", [{ body: job, attempts: 2 }]);
		expect(await creditsLeft(account.key)).toBe(50);
	});

	it("webhooks: a receiver answering 500 gets retries with backoff, every attempt recorded; a 400 is final", async () => {
		const receiver = inject("webhookReceiver");
		const account = await signUp();
		await call("/v1/webhook-secret", { method: "POST", headers: { "X-API-Key": account.key } });

		const hookId = crypto.randomUUID();
		const { taskId, testEnv, sent } = await queued(account, "<p>hook</p>", `${receiver}/500/${hookId}`);
		await deliver(testEnv, "quire-jobs", [{ body: { kind: "generate", task_id: taskId } }]);
		expect(sent.at(-1)).toEqual({ kind: "webhook", task_id: taskId });

		const webhook: Job = { kind: "webhook", task_id: taskId };
		for (let attempts = 1; attempts <= WEBHOOK_MAX_ATTEMPTS; attempts++) {
			const { result, ids } = await deliver(testEnv, "quire-jobs", [{ body: webhook, attempts }]);
			if (attempts < WEBHOOK_MAX_ATTEMPTS) expect(result.retryMessages).toEqual([{ msgId: ids[0], delaySeconds: 10 * 2 ** (attempts - 1) }]);
			else expect(result.explicitAcks).toEqual(ids); // gives up after the last attempt
		}
		const received = (await (await fetch(`${receiver}/received/${hookId}`)).json()) as unknown[];
		expect(received).toHaveLength(WEBHOOK_MAX_ATTEMPTS);
		const task = await getTask(account.key, taskId);
		expect(task.webhook!.attempts.map((a) => a.status)).toEqual(Array(WEBHOOK_MAX_ATTEMPTS).fill(500));

		const badId = crypto.randomUUID();
		const bad = await queued(account, "<p>hook</p>", `${receiver}/400/${badId}`);
		await deliver(bad.testEnv, "quire-jobs", [{ body: { kind: "generate", task_id: bad.taskId } }]);
		const { result, ids } = await deliver(bad.testEnv, "quire-jobs", [{ body: { kind: "webhook", task_id: bad.taskId } }]);
		expect(result.explicitAcks).toEqual(ids);
		expect((await getTask(account.key, bad.taskId)).webhook!.attempts).toEqual([{ at: expect.any(String), status: 400 }]);
	});
});

describe("queue consumer: test mode", () => {
	/** The element the API put into a test-mode job's HTML before the stamp moved onto the PDF. */
	const OLD_HTML_STAMP =
		'<div aria-hidden="true" style="position:fixed;inset:0;display:flex;align-items:center;justify-content:center;pointer-events:none;z-index:2147483647;margin:0;padding:0">' +
		'<div style="transform:rotate(-45deg);font:800 200px/1 Arial,sans-serif;color:rgba(220,38,38,.22)">TEST</div></div>';
	const twoPages = '<p style="page-break-after:always">first page</p><p>second page</p>';

	async function renderedPages(account: { accountId: string; key: string }, html: string, mode: "live" | "test") {
		const { taskId, testEnv } = await queued(account, html, undefined, mode);
		await deliver(testEnv, "quire-jobs", [{ body: { kind: "generate", task_id: taskId } }]);
		const task = await getTask(account.key, taskId);
		expect(task.status).toBe("completed");
		return (await readPdfPages(await (await call(new URL(task.url!).pathname)).arrayBuffer())).map((page) => page.text);
	}

	it("stamps a test-mode task's PDF from the task's mode, and leaves a live one's alone", async () => {
		const account = await signUp();
		expect(await renderedPages(account, twoPages, "test")).toEqual(["first page TEST", "second page TEST"]);
		expect(await renderedPages(account, twoPages, "live")).toEqual(["first page", "second page"]);
	});

	it("still completes a test-mode job queued before the stamp moved (its HTML carrying the old element), stamped", async () => {
		const account = await signUp();
		const pages = await renderedPages(account, `<html><body>${OLD_HTML_STAMP}${twoPages}</body></html>`, "test");
		expect(pages).toHaveLength(2);
		// TEST twice (the old element and the stamp) during the switch-over: harmless.
		expect(pages.map((text) => text.replaceAll("TEST", "").trim())).toEqual(["first page", "second page"]);
		for (const text of pages) expect(text).toContain("TEST");
	});
});

describe("queue consumer: the generation log", () => {
	const logRows = (taskId: string) =>
		env.DB.prepare("SELECT id, account_id, key_id, mode, source, status, error_code, pages, bytes, task_id FROM generations WHERE id = ?").bind(taskId).all();

	it("logs a completed task once, even when the message is delivered twice, at once and again later", async () => {
		const account = await signUp();
		const { taskId, testEnv } = await queued(account, "<p>logged once</p>");
		const job: Job = { kind: "generate", task_id: taskId };
		await deliver(testEnv, "quire-jobs", [{ body: job }, { body: job }]);
		await deliver(testEnv, "quire-jobs", [{ body: job, attempts: 2 }]);

		const { results } = await logRows(taskId);
		expect(results).toEqual([
			{ id: taskId, account_id: account.accountId, key_id: "k", mode: "live", source: "async", status: "completed", error_code: null, pages: 1, bytes: expect.any(Number), task_id: taskId },
		]);
		expect(results[0]!.bytes).toBeGreaterThan(500);
	});

	it("logs a task failed on the dead-letter path once, as failed with RENDER_FAILED", async () => {
		const account = await signUp();
		const { taskId, testEnv } = await queued(account, "<p>never</p>");
		const job: Job = { kind: "generate", task_id: taskId };
		await env.PDFS.delete(jobInputKey(taskId));
		await deliver(testEnv, "quire-jobs", [{ body: job, attempts: 6 }]);
		expect((await logRows(taskId)).results).toEqual([]); // not finished yet: nothing logged

		await deliver(testEnv, "quire-jobs-dlq", [{ body: job, attempts: 1 }]);
		await deliver(testEnv, "quire-jobs-dlq", [{ body: job, attempts: 2 }]);
		expect((await logRows(taskId)).results).toEqual([expect.objectContaining({ id: taskId, status: "failed", error_code: "RENDER_FAILED", pages: null, bytes: null })]);
	});
});
