import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../../../src/auth/api-key";
import { createDb } from "../../../src/db";
import worker from "../../../src/index";
import type { Job } from "../../../src/jobs/consumer";
import { submitJob } from "../../../src/jobs/submit";
import { settle } from "../../../src/log";
import { windowStats, type WindowStats } from "../../../src/usage/stats";
import { BASE, call, errorOf, postJson, signUp } from "../../helpers";

const ADMIN = { Authorization: "Bearer test-admin-token" };

async function stats(): Promise<{ last_hour: WindowStats; last_day: WindowStats }> {
	const res = await call("/admin/stats", { headers: ADMIN });
	expect(res.status).toBe(200);
	return ((await res.json()) as { data: { last_hour: WindowStats; last_day: WindowStats } }).data;
}

/** What changed from `before` to `after` in the counts (the percentiles are checked apart). */
function delta(before: WindowStats, after: WindowStats) {
	const codes = new Set([...Object.keys(before.failures), ...Object.keys(after.failures)]);
	const failures = Object.fromEntries([...codes].map((code) => [code, (after.failures[code] ?? 0) - (before.failures[code] ?? 0)]).filter(([, n]) => n !== 0));
	return {
		documents: after.documents - before.documents,
		failures,
		refunds: after.refunds - before.refunds,
		settlement_failures: after.settlement_failures - before.settlement_failures,
		dead_lettered: after.dead_lettered - before.dead_lettered,
	};
}

describe("GET /admin/stats", () => {
	it("after a known mix (2 made, a refunded timeout, a dead-lettered task, a settlement failure) counts each in both windows", async () => {
		const { key, accountId, keyId } = await signUp();
		const before = await stats();

		for (const html of ["<p>a</p>", "<p>b</p>"]) expect((await postJson("/v1/generate", { html }, { "X-API-Key": key })).status).toBe(200);
		const timeout = await postJson("/v1/generate", { html: "<p>x</p>", options: { wait_for_selector: "#never", wait_timeout_ms: 300 } }, { "X-API-Key": key });
		expect(timeout.status).toBe(504);

		// An async task whose retries ran out: the dead-letter queue's consumer gives up on it (refunded).
		const jobs = { send: async () => {} } as unknown as Queue;
		const taskId = newId("task");
		const input = { html: "<p>x</p>", options: {}, filename: "doc.pdf", origin: BASE, blockRemote: false };
		await submitJob({ ...env, JOBS: jobs }, createDb(env.DB), { accountId, keyId, mode: "live", plan: "free", blockRemote: false, javascript: true, expiresInHours: null, via: "key", memberId: null, role: "developer" }, { taskId, input });
		const batch = createMessageBatch<Job>("quire-jobs-dlq", [{ id: "msg-dlq", timestamp: new Date(), attempts: 1, body: { kind: "generate", task_id: taskId } }]);
		await worker.queue(batch, env);
		expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toEqual(["msg-dlq"]);

		// A commit that found nothing to settle, as the pipeline records one.
		await settle(createDb(env.DB), "commit", newId("req"), async () => false);

		// Sync successes are settled and logged after their response.
		const expected = { documents: 2, failures: { RENDER_TIMEOUT: 1, RENDER_FAILED: 1 }, refunds: 2, settlement_failures: 1, dead_lettered: 1 };
		let after = await stats();
		for (let i = 0; i < 50 && after.last_hour.documents - before.last_hour.documents < 2; i++) {
			await new Promise((r) => setTimeout(r, 100));
			after = await stats();
		}
		expect(delta(before.last_hour, after.last_hour)).toEqual(expected);
		expect(delta(before.last_day, after.last_day)).toEqual(expected);
		for (const window of [after.last_hour, after.last_day]) {
			expect(window.p50_ms).toBeGreaterThan(0);
			expect(window.p95_ms).toBeGreaterThanOrEqual(window.p50_ms!);
		}
	});

	it("401 without the admin token, or with an API key", async () => {
		const { key } = await signUp();
		for (const headers of [{}, { Authorization: "Bearer wrong" }, { Authorization: `Bearer ${key}` }] as Array<Record<string, string>>) {
			const res = await call("/admin/stats", { headers });
			expect(res.status).toBe(401);
			expect((await errorOf(res)).code).toBe("UNAUTHORIZED");
		}
	});
});

describe("windowStats", () => {
	// A window in the future that nothing else writes to, so every count is exact.
	const since = "2099-06-01T10:00:00.000Z";
	const until = "2099-06-01T11:00:00.000Z";
	const at = (minute: number) => new Date(Date.parse(since) + minute * 60_000).toISOString();

	it("counts documents, failures by code, refunds, nearest-rank p50/p95, settlement failures and dead-lettered tasks of the window only", async () => {
		const { accountId } = await signUp();
		const row = (status: string, errorCode: string | null, durationMs: number, refunded: boolean, createdAt: string) =>
			env.DB.prepare("INSERT INTO generations (id, account_id, key_id, mode, source, status, error_code, duration_ms, refunded, created_at) VALUES (?, ?, 'k', 'live', 'sync', ?, ?, ?, ?, ?)")
				.bind(newId("gen"), accountId, status, errorCode, durationMs, refunded ? 1 : 0, createdAt)
				.run();
		// 20 documents of 100, 200, … 2000 ms: p50 is the 10th (1000), p95 the 19th (1900).
		for (let i = 1; i <= 20; i++) await row("completed", null, i * 100, false, at(i));
		await row("failed", "RENDER_TIMEOUT", 50, true, at(30));
		await row("failed", "RENDER_TIMEOUT", 20_000, false, at(31));
		await row("failed", "CLIENT_CLOSED", 70, true, at(32));
		// Just outside: at `until`, and before `since`.
		await row("completed", null, 99_999, false, until);
		await row("failed", "RENDER_FAILED", 10, true, at(-1));
		await env.DB.prepare("INSERT INTO settlement_failures (id, action, request_id, error, created_at) VALUES (?, 'refund', 'req_x', 'e', ?), (?, 'commit', 'req_y', 'e', ?)")
			.bind(crypto.randomUUID(), at(5), crypto.randomUUID(), at(61))
			.run();
		await env.DB.prepare("INSERT INTO tasks (id, account_id, status, mode, created_at, dead_lettered_at) VALUES (?, ?, 'failed', 'live', ?, ?)").bind(newId("task"), accountId, at(0), at(40)).run();

		const db = createDb(env.DB);
		expect(await windowStats(db, since, until)).toEqual({
			documents: 20,
			failures: { RENDER_TIMEOUT: 2, CLIENT_CLOSED: 1 },
			p50_ms: 1000,
			p95_ms: 1900,
			refunds: 2,
			settlement_failures: 1,
			dead_lettered: 1,
		});
		// Positive control: a window a minute wider on each side takes in the rows just outside.
		const wider = await windowStats(db, at(-1), new Date(Date.parse(until) + 60_000 + 1).toISOString());
		expect(wider).toMatchObject({ documents: 21, failures: { RENDER_TIMEOUT: 2, CLIENT_CLOSED: 1, RENDER_FAILED: 1 }, refunds: 3, settlement_failures: 2, p95_ms: 2000 });
	});

	it("an empty window: zeros, and null percentiles", async () => {
		expect(await windowStats(createDb(env.DB), "2099-01-01T00:00:00.000Z", "2099-01-01T01:00:00.000Z")).toEqual({
			documents: 0,
			failures: {},
			p50_ms: null,
			p95_ms: null,
			refunds: 0,
			settlement_failures: 0,
			dead_lettered: 0,
		});
	});
});
