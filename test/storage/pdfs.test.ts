import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { newId } from "../../src/auth/api-key";
import { purgeExpiredFiles, storePdf } from "../../src/storage/pdfs";
import { signUp } from "../helpers";

const PDF = new TextEncoder().encode("%PDF-1.4\n% stored by the test\n");

const fileOf = (accountId: string, expiresInHours = 24) => ({ accountId, mode: "live" as const, pdf: PDF, filename: "t.pdf", pages: 1, expiresInHours, requestId: "req_t" });
const rowOf = (id: string) => env.DB.prepare("SELECT * FROM files WHERE id = ?").bind(id).first<{ r2_key: string; bytes: number; expires_at: string }>();

describe("storePdf", () => {
	it("stores the object and its row, which agree", async () => {
		const { accountId } = await signUp();
		const stored = await storePdf(env, fileOf(accountId, 5));
		const object = await env.PDFS.get(stored.key);
		expect(new Uint8Array(await object!.arrayBuffer())).toEqual(PDF);
		expect(object!.customMetadata?.expires_at).toBe(stored.expiresAt.toISOString());
		expect(await rowOf(stored.id)).toMatchObject({ r2_key: stored.key, bytes: PDF.byteLength, expires_at: stored.expiresAt.toISOString() });
	});

	it("keeps one file per task: a redelivered job gets the file it stored before", async () => {
		const { accountId } = await signUp();
		const task = { ...fileOf(accountId), requestId: undefined, taskId: newId("task") };
		const first = await storePdf(env, task);
		const again = await storePdf(env, task);
		expect(again).toEqual(first);
		// Positive control: another task stores a file of its own.
		const other = await storePdf(env, { ...task, taskId: newId("task") });
		expect(other.key).not.toBe(first.key);
		expect((await env.PDFS.list({ prefix: `${accountId}/` })).objects.map((o) => o.key).sort()).toEqual([first.key, other.key].sort());
	});

	it("takes the object back when the row can't be written: no file the account can't list or delete", async () => {
		// An account that doesn't exist fails the row's foreign key, a real D1 refusal.
		const ghost = "acc_0000000000ghost";
		const error = await storePdf(env, fileOf(ghost)).catch((e: Error) => e);
		expect(String((error as Error).cause)).toMatch(/FOREIGN KEY/i);
		expect((await env.PDFS.list({ prefix: `${ghost}/` })).objects).toEqual([]);
	});
});

describe("purging expired files (the cron trigger)", () => {
	it("deletes expired objects and rows, and leaves the rest", async () => {
		const { accountId } = await signUp();
		const expired = await Promise.all(Array.from({ length: 3 }, () => storePdf(env, fileOf(accountId))));
		const kept = await storePdf(env, fileOf(accountId));
		const past = new Date(Date.now() - 1000).toISOString();
		for (const { id } of expired) await env.DB.prepare("UPDATE files SET expires_at = ? WHERE id = ?").bind(past, id).run();
		// Positive control: all four are there before the run.
		for (const { key } of [...expired, kept]) expect(await env.PDFS.head(key)).not.toBeNull();

		await worker.scheduled(createScheduledController({ cron: "17 * * * *", scheduledTime: Date.now() }), env);

		for (const { id, key } of expired) {
			expect(await env.PDFS.head(key)).toBeNull();
			expect(await rowOf(id)).toBeNull();
		}
		expect(await env.PDFS.head(kept.key)).not.toBeNull();
		expect(await rowOf(kept.id)).not.toBeNull();
	});

	it("goes through more than one batch (D1 binds at most 100 parameters a statement)", async () => {
		const { accountId } = await signUp();
		for (let i = 0; i < 130; i++) await storePdf(env, fileOf(accountId));
		await env.DB.prepare("UPDATE files SET expires_at = ? WHERE account_id = ?").bind(new Date(Date.now() - 1000).toISOString(), accountId).run();
		const purged = await purgeExpiredFiles(env);
		expect(purged).toBeGreaterThanOrEqual(130);
		const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM files WHERE account_id = ?").bind(accountId).first<{ n: number }>();
		expect(left!.n).toBe(0);
		expect((await env.PDFS.list({ prefix: `${accountId}/` })).objects).toEqual([]);
	});
});
