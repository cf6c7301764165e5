import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { newId } from "../../src/auth/api-key";
import { createDb } from "../../src/db";
import { reserve, settleGeneration } from "../../src/generation/pipeline";
import worker from "../../src/index";
import type { Job } from "../../src/jobs/consumer";
import { submitJob } from "../../src/jobs/submit";
import { generationDataPoint } from "../../src/usage/analytics";
import { BASE, creditsLeft, signUp } from "../helpers";

/**
 * The seam: miniflare's local Analytics Engine dataset accepts `writeDataPoint` and keeps nothing
 * (node_modules/miniflare/dist/src/workers/analytics-engine/analytics-engine.worker.js forwards
 * only to a remote dataset), so these tests pass a recording dataset as the
 * `GENERATIONS_ANALYTICS` binding. Everything else is the real local binding.
 */
function recordingEnv(): { points: AnalyticsEngineDataPoint[]; env: Env } {
	const points: AnalyticsEngineDataPoint[] = [];
	const dataset: AnalyticsEngineDataset = { writeDataPoint: (point) => void points.push(point ?? {}) };
	return { points, env: { ...env, GENERATIONS_ANALYTICS: dataset } };
}

async function generate(testEnv: Env, key: string, body: unknown): Promise<Response> {
	const ctx = createExecutionContext();
	const request = new Request(`${BASE}/v1/generate`, { method: "POST", headers: { "X-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify(body) });
	const res = await createApp().fetch(request, testEnv, ctx);
	await res.arrayBuffer();
	// A success is settled (and its point written) after the response.
	await waitOnExecutionContext(ctx);
	return res;
}

const logRow = (id: string) => env.DB.prepare("SELECT status, error_code, refunded FROM generations WHERE id = ?").bind(id).first<{ status: string; error_code: string | null; refunded: number }>();

describe("the Analytics Engine data point of each generation", () => {
	it("names its columns by position: index the account, blobs outcome … renderer, doubles pages, bytes, duration, refunded", () => {
		const point = generationDataPoint({ accountId: "acc_1", outcome: "failed", errorCode: "RENDER_FAILED", mode: "async", keyMode: "test", region: "weur", renderer: "", pages: 0, bytes: 0, durationMs: 812, refunded: true });
		expect(point).toEqual({ indexes: ["acc_1"], blobs: ["failed", "RENDER_FAILED", "async", "test", "weur", ""], doubles: [0, 0, 812, 1] });
	});

	it("a successful sync document: completed, its region, renderer, pages, bytes and duration, not refunded", async () => {
		const { key, accountId } = await signUp();
		const { points, env: testEnv } = recordingEnv();
		const res = await generate(testEnv, key, { html: "<p>one</p><p style='break-before: page'>two</p>" });
		expect(res.status).toBe(200);
		expect(points).toHaveLength(1);
		const [point] = points;
		expect(point!.indexes).toEqual([accountId]);
		expect(point!.blobs).toEqual(["completed", "", "sync", "live", "enam", expect.stringMatching(/^enam-\d+$/)]);
		const [pages, bytes, durationMs, refunded] = point!.doubles!;
		expect(pages).toBe(2);
		expect(bytes).toBe(Number(res.headers.get("Content-Length") ?? bytes));
		expect(bytes).toBeGreaterThan(500);
		expect(durationMs).toBeGreaterThan(0);
		expect(refunded).toBe(0);
		expect(await logRow(res.headers.get("X-Request-Id")!)).toEqual({ status: "completed", error_code: null, refunded: 0 });
	});

	it("a refunded failure: failed with its code, refunded 1, and the credit back", async () => {
		const { key } = await signUp();
		const { points, env: testEnv } = recordingEnv();
		const res = await generate(testEnv, key, { html: "<p>x</p>", options: { wait_for_selector: "#never", wait_timeout_ms: 300 } });
		expect(res.status).toBe(504);
		expect(points).toHaveLength(1);
		expect(points[0]!.blobs).toEqual(["failed", "RENDER_TIMEOUT", "sync", "live", "enam", ""]);
		expect(points[0]!.doubles).toEqual([0, 0, expect.any(Number), 1]);
		expect(await logRow(res.headers.get("X-Request-Id")!)).toEqual({ status: "failed", error_code: "RENDER_TIMEOUT", refunded: 1 });
		expect(await creditsLeft(key)).toBe(50);
	});

	it("a failure still charged (a document stopped at its render limit): refunded 0, the credit spent", async () => {
		// Through the pipeline's one place where every mode concludes, with the outcome a render
		// stopped at its limit has (making one takes the 20 s limit; test/rendering/isolation.test.ts does).
		const { key, accountId, keyId } = await signUp();
		const { points, env: testEnv } = recordingEnv();
		const id = newId("req");
		await reserve(testEnv, id, { accountId, mode: "live", keyId, plan: "free" }, { sync: true });
		const generation = { id, accountId, keyId, mode: "live" as const, source: "sync" as const, templateId: null, createdAt: new Date(Date.now() - 25).toISOString(), region: "enam" };
		await settleGeneration(testEnv, createDb(env.DB), generation, { status: "failed", errorCode: "RENDER_TIMEOUT", charged: true });
		expect(points).toEqual([{ indexes: [accountId], blobs: ["failed", "RENDER_TIMEOUT", "sync", "live", "enam", ""], doubles: [0, 0, expect.any(Number), 0] }]);
		expect(points[0]!.doubles![2]).toBeGreaterThanOrEqual(25);
		expect(await logRow(id)).toEqual({ status: "failed", error_code: "RENDER_TIMEOUT", refunded: 0 });
		expect(await creditsLeft(key)).toBe(49);
	});

	it("an async task the dead-letter queue gives up on: failed RENDER_FAILED, async, refunded, and the task marked dead-lettered", async () => {
		const { key, accountId, keyId } = await signUp();
		const { points, env: recorded } = recordingEnv();
		const sent: Job[] = [];
		const testEnv = { ...recorded, JOBS: { send: async (job: Job) => void sent.push(job) } as unknown as Queue };
		const taskId = newId("task");
		const input = { html: "<p>x</p>", options: {}, filename: "doc.pdf", origin: BASE, blockRemote: false };
		await submitJob(testEnv, createDb(env.DB), { accountId, keyId, mode: "live", plan: "free", blockRemote: false, javascript: true, expiresInHours: null, via: "key", memberId: null, role: "developer" }, { taskId, input });
		expect(await creditsLeft(key)).toBe(49);

		const batch = createMessageBatch<Job>("quire-jobs-dlq", [{ id: "msg-dlq", timestamp: new Date(), attempts: 1, body: { kind: "generate", task_id: taskId } }]);
		const ctx = createExecutionContext();
		await worker.queue(batch, testEnv);
		expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["msg-dlq"]);

		expect(points).toEqual([{ indexes: [accountId], blobs: ["failed", "RENDER_FAILED", "async", "live", "", ""], doubles: [0, 0, expect.any(Number), 1] }]);
		const task = await env.DB.prepare("SELECT status, dead_lettered_at FROM tasks WHERE id = ?").bind(taskId).first<{ status: string; dead_lettered_at: string | null }>();
		expect(task!.status).toBe("failed");
		expect(Date.parse(task!.dead_lettered_at!)).toBeGreaterThan(Date.now() - 60_000);
		expect(await creditsLeft(key)).toBe(50);
	});
});
