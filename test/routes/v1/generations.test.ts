import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../../src/db";
import { recordGeneration } from "../../../src/usage/generations";
import { call, errorOf, eventually, expectStatus, postJson, signUp } from "../../helpers";
import { submitAsync, waitForTask } from "../../helpers-async";

interface Generation {
	id: string;
	mode: string;
	source: string;
	template_id: string | null;
	status: string;
	error_code: string | null;
	pages: number | null;
	bytes: number | null;
	duration_ms: number;
	task_id: string | null;
	created_at: string;
}
interface Page {
	data: Generation[];
	has_more: boolean;
	next_cursor: string | null;
}

function list(key: string, query = ""): Promise<Response> {
	return call(`/v1/generations${query}`, { headers: { "X-API-Key": key } });
}

async function page(key: string, query = ""): Promise<Page> {
	const res = await list(key, query);
	await expectStatus(res, 200);
	return res.json();
}

/** The log once it holds `n` rows (they are written after the response). */
const logOf = (key: string, n: number) => eventually(() => page(key, "?limit=100"), (p) => p.data.length >= n);

/** Rows written straight to the log, with chosen instants, for pagination. */
async function seed(accountId: string, createdAts: string[]): Promise<string[]> {
	const ids = [];
	for (const [i, createdAt] of createdAts.entries()) {
		const id = `req_seed${i}_${crypto.randomUUID().slice(0, 8)}`;
		ids.push(id);
		await recordGeneration(createDb(env.DB), { id, accountId, keyId: "key_x", mode: "live", source: "sync", status: "completed", pages: 1, bytes: 1000, durationMs: 100, createdAt });
	}
	return ids;
}

describe("GET /v1/generations: happy path", () => {
	it("logs a sync generation as completed, under its request id, with its pages and bytes", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { template_id: "invoices/invoice", data: { client: "Logged Corp", total: "$564" } }, { "X-API-Key": key });
		expect(res.status).toBe(200);
		const bytes = (await res.arrayBuffer()).byteLength;
		const [row] = (await logOf(key, 1)).data;
		expect(row).toEqual({
			id: res.headers.get("X-Request-Id"),
			mode: "live",
			source: "sync",
			template_id: "invoices/invoice",
			status: "completed",
			error_code: null,
			pages: 1,
			bytes,
			duration_ms: expect.any(Number),
			task_id: null,
			created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
		});
		expect(row!.duration_ms).toBeLessThanOrEqual(Number(res.headers.get("X-Response-Time-Ms")) + 5);
	});

	it("logs a render that failed after its credit was reserved as failed, with the error code", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { html: "<p>one page</p>", options: { page_ranges: "5-6" } }, { "X-API-Key": key });
		expect(res.status).toBe(400);
		const [row] = (await logOf(key, 1)).data;
		expect(row).toMatchObject({ id: res.headers.get("X-Request-Id"), status: "failed", error_code: "VALIDATION_ERROR", pages: null, bytes: null, template_id: null });
	});

	it("logs an async task once it finishes, under its task id; a test: true request as test mode", async () => {
		const { key } = await signUp();
		const queued = await submitAsync(key, { html: "<p>later</p>" });
		await waitForTask(key, queued.task_id);
		await postJson("/v1/generate", { html: "<p>preview</p>", test: true }, { "X-API-Key": key });
		const { data } = await logOf(key, 2);
		expect(data.find((g) => g.source === "async")).toMatchObject({ id: queued.task_id, task_id: queued.task_id, mode: "live", status: "completed", pages: 1 });
		expect(data.find((g) => g.source === "sync")).toMatchObject({ mode: "test", status: "completed" });
	});

	it("does not log dry runs or requests refused before a credit was reserved", async () => {
		const { key } = await signUp();
		expect((await postJson("/v1/generate", { html: "<p>x</p>", dry_run: true }, { "X-API-Key": key })).status).toBe(200);
		expect((await postJson("/v1/generate", { template_id: "nope/nope" }, { "X-API-Key": key })).status).toBe(404);
		const last = await postJson("/v1/generate", { html: "<p>real</p>" }, { "X-API-Key": key });
		const { data } = await logOf(key, 1);
		expect(data.map((g) => g.id)).toEqual([last.headers.get("X-Request-Id")]);
	});

	it("walks every row exactly once, newest first, with limit 2, ties on created_at broken by id", async () => {
		const { key, accountId } = await signUp();
		const same = "2026-11-02T10:00:00.000Z";
		const ids = await seed(accountId, ["2026-11-01T09:00:00.000Z", same, same, same, "2026-11-03T08:00:00.000Z"]);
		const seen: string[] = [];
		let cursor: string | null = null;
		let pages = 0;
		do {
			const p: Page = await page(key, `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
			pages++;
			expect(p.data.length).toBeLessThanOrEqual(2);
			expect(p.has_more).toBe(p.next_cursor !== null);
			seen.push(...p.data.map((g) => g.id));
			cursor = p.next_cursor;
		} while (cursor);
		expect(pages).toBe(3);
		const newestFirst = [ids[4], ...[ids[1], ids[2], ids[3]].sort().reverse(), ids[0]];
		expect(seen).toEqual(newestFirst);
	});

	it("defaults to 20 a page", async () => {
		const { key, accountId } = await signUp();
		await seed(accountId, Array.from({ length: 21 }, (_, i) => new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString()));
		const first = await page(key);
		expect(first.data).toHaveLength(20);
		expect(first.has_more).toBe(true);
		const rest = await page(key, `?cursor=${first.next_cursor}`);
		expect(rest).toMatchObject({ has_more: false, next_cursor: null });
		expect(rest.data).toHaveLength(1);
	});
});

describe("GET /v1/generations: errors", () => {
	it("400 VALIDATION_ERROR naming limit for 0, 101 or not a number", async () => {
		const { key } = await signUp();
		for (const limit of ["0", "101", "ten", "2.5"]) {
			const res = await list(key, `?limit=${limit}`);
			expect(res.status, limit).toBe(400);
			expect(await errorOf(res)).toMatchObject({ code: "VALIDATION_ERROR", details: { fields: [{ path: "limit" }] } });
		}
	});

	it("400 VALIDATION_ERROR naming cursor for a malformed one", async () => {
		const { key } = await signUp();
		const notOurs = [btoa("hello"), "!!!", btoa(JSON.stringify(["not a date", "req_1"])), btoa(JSON.stringify({ a: 1 })), "x".repeat(600)];
		for (const cursor of notOurs) {
			const res = await list(key, `?cursor=${encodeURIComponent(cursor)}`);
			expect(res.status, cursor).toBe(400);
			expect(await errorOf(res)).toMatchObject({ code: "VALIDATION_ERROR", details: { fields: [{ path: "cursor" }] } });
		}
	});

	it("401 without a key", async () => {
		expect((await call("/v1/generations")).status).toBe(401);
	});
});

describe("GET /v1/generations: security", () => {
	it("another account's rows never appear, not even through its cursor", async () => {
		const a = await signUp();
		const b = await signUp();
		await seed(a.accountId, ["2026-11-01T00:00:00.000Z", "2026-11-01T00:01:00.000Z", "2026-11-01T00:02:00.000Z"]);
		const aFirst = await page(a.key, "?limit=1");
		expect(aFirst.data).toHaveLength(1);
		expect(await page(b.key)).toEqual({ data: [], has_more: false, next_cursor: null });
		expect(await page(b.key, `?cursor=${aFirst.next_cursor}`)).toEqual({ data: [], has_more: false, next_cursor: null });
	});
});
