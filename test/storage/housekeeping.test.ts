import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../../src/auth/api-key";
import worker from "../../src/index";
import { JOB_INPUT_RETENTION_MS, jobInputKey, putJobInput } from "../../src/jobs/consumer";
import { housekeeping, purgeExpiredObjects } from "../../src/storage/housekeeping";
import { storePdf } from "../../src/storage/pdfs";
import { BASE, logLines, signUp } from "../helpers";

const DAY_MS = 86_400_000;
const PDF = new TextEncoder().encode("%PDF-1.4\n% stored by the test\n");
const input = { html: "<p>x</p>", options: {}, filename: "doc.pdf", origin: BASE, blockRemote: false };


async function generationRow(accountId: string, createdAt: string): Promise<string> {
	const id = newId("gen");
	await env.DB.prepare("INSERT INTO generations (id, account_id, key_id, mode, source, status, duration_ms, created_at) VALUES (?, ?, 'k', 'live', 'sync', 'completed', 10, ?)").bind(id, accountId, createdAt).run();
	return id;
}

const generationExists = async (id: string) => (await env.DB.prepare("SELECT 1 AS x FROM generations WHERE id = ?").bind(id).first()) !== null;

describe("the scheduled handler (hourly housekeeping)", () => {
	it("removes an expired job input, an expired PDF and an old generation log row, keeps the fresh ones, and logs what it removed", async () => {
		const { accountId } = await signUp();
		// A job input no consumer finished with, past its expiry; and one just submitted.
		const expiredTask = newId("task");
		await env.PDFS.put(jobInputKey(expiredTask), JSON.stringify(input), { customMetadata: { expires_at: new Date(Date.now() - 1000).toISOString() } });
		const freshTask = newId("task");
		await putJobInput(env.PDFS, freshTask, input);
		const fresh = await env.PDFS.head(jobInputKey(freshTask));
		expect(Date.parse(fresh!.customMetadata!.expires_at!)).toBeGreaterThan(Date.now() + JOB_INPUT_RETENTION_MS - 60_000);
		// A hosted PDF past its expiry, and one that is not.
		const expiredPdf = await storePdf(env, { accountId, mode: "live", pdf: PDF, filename: "t.pdf", pages: 1, expiresInHours: 1, requestId: "req_t" });
		await env.DB.prepare("UPDATE files SET expires_at = ? WHERE id = ?").bind(new Date(Date.now() - 1000).toISOString(), expiredPdf.id).run();
		const keptPdf = await storePdf(env, { accountId, mode: "live", pdf: PDF, filename: "t.pdf", pages: 1, expiresInHours: 1, requestId: "req_t" });
		// Generation log rows past the retention (90 days) and within it.
		const oldRow = await generationRow(accountId, new Date(Date.now() - 91 * DAY_MS).toISOString());
		const recentRow = await generationRow(accountId, new Date(Date.now() - 89 * DAY_MS).toISOString());
		// Positive control: everything is there before the run.
		for (const key of [jobInputKey(expiredTask), jobInputKey(freshTask), expiredPdf.key, keptPdf.key]) expect(await env.PDFS.head(key)).not.toBeNull();
		expect(await generationExists(oldRow)).toBe(true);

		const lines = await logLines(() => worker.scheduled(createScheduledController({ cron: "17 * * * *", scheduledTime: Date.now() }), env));

		expect(await env.PDFS.head(jobInputKey(expiredTask))).toBeNull();
		expect(await env.PDFS.head(expiredPdf.key)).toBeNull();
		expect(await env.DB.prepare("SELECT 1 FROM files WHERE id = ?").bind(expiredPdf.id).first()).toBeNull();
		expect(await generationExists(oldRow)).toBe(false);
		expect(await env.PDFS.head(jobInputKey(freshTask))).not.toBeNull();
		expect(await env.PDFS.head(keptPdf.key)).not.toBeNull();
		expect(await generationExists(recentRow)).toBe(true);

		const summary = lines.find((line) => line.event === "housekeeping");
		expect(summary).toMatchObject({ level: "info", files: expect.any(Number), job_inputs: expect.any(Number), idempotency_bodies: expect.any(Number), generation_log_rows: expect.any(Number), sign_ins: expect.any(Number) });
		for (const field of ["files", "job_inputs", "generation_log_rows"]) expect(summary![field]).toBeGreaterThanOrEqual(1);
	});

	it("an object without an expiry (written before it was recorded) goes once older than the retention", async () => {
		const prefix = `housekeeping-test/${crypto.randomUUID()}/`;
		await env.PDFS.put(`${prefix}old.json`, "{}");
		expect(await purgeExpiredObjects(env.PDFS, prefix, Date.now(), JOB_INPUT_RETENTION_MS)).toBe(0);
		expect(await purgeExpiredObjects(env.PDFS, prefix, Date.now() + JOB_INPUT_RETENTION_MS + 1000, JOB_INPUT_RETENTION_MS)).toBe(1);
		expect(await env.PDFS.head(`${prefix}old.json`)).toBeNull();
	});

	it("a step that fails is logged and the others still run; the run then fails", async () => {
		const expiredTask = newId("task");
		await env.PDFS.put(jobInputKey(expiredTask), "{}", { customMetadata: { expires_at: new Date(Date.now() - 1000).toISOString() } });
		const brokenDb = { prepare: () => { throw new Error("D1_ERROR: Network connection lost."); }, batch: () => Promise.reject(new Error("D1_ERROR: Network connection lost.")) } as unknown as D1Database;
		let error: unknown;
		const errors = await logLines(() => housekeeping({ ...env, DB: brokenDb }).catch((e: unknown) => void (error = e)), "error");
		expect(String(error)).toMatch(/housekeeping/);
		expect(errors.filter((line) => line.event === "housekeeping_failed").map((line) => line.step).sort()).toEqual(["files", "generation_log_rows", "sign_ins"]);
		expect(await env.PDFS.head(jobInputKey(expiredTask))).toBeNull();
	});
});
