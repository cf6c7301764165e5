import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, errorOf, signUp } from "../../../helpers";
import { storePdf } from "../../../../src/storage/pdfs";
import { submitAsync, waitForTask } from "../../../helpers-async";
import { generateUrl, listFiles } from "./helpers";

const PDF = new TextEncoder().encode("%PDF-1.4\n% a stand-in body: the list reads rows, not PDFs\n");

/** `n` files stored for the account through the one storing function, oldest first, a few ms apart. */
async function store(accountId: string, n: number, expiresInHours = 24): Promise<string[]> {
	const ids = [];
	for (let i = 0; i < n; i++) {
		ids.push((await storePdf(env, { accountId, mode: "live", pdf: PDF, filename: `f${i}.pdf`, pages: 1, expiresInHours, requestId: `req_${i}` })).id);
		await new Promise((resolve) => setTimeout(resolve, 3));
	}
	return ids;
}

describe("GET /v1/files", () => {
	it("pages the account's files newest first, like the generation log", async () => {
		const { key, accountId } = await signUp();
		const ids = await store(accountId, 5);
		const newestFirst = [...ids].reverse();

		const first = await listFiles(key, "?limit=2");
		expect(first.data.map((f) => f.id)).toEqual(newestFirst.slice(0, 2));
		expect(first.has_more).toBe(true);
		const second = await listFiles(key, `?limit=2&cursor=${first.next_cursor}`);
		expect(second.data.map((f) => f.id)).toEqual(newestFirst.slice(2, 4));
		const last = await listFiles(key, `?limit=2&cursor=${second.next_cursor}`);
		expect(last).toEqual({ data: [expect.objectContaining({ id: newestFirst[4], filename: "f0.pdf", bytes: PDF.byteLength, request_id: "req_0" })], has_more: false, next_cursor: null });

		const bad = await call("/v1/files?cursor=nope", { headers: { "X-API-Key": key } });
		expect(bad.status).toBe(400);
		expect((await errorOf(bad)).details).toEqual({ fields: [{ path: "cursor", message: expect.stringContaining("malformed cursor") }] });
	});

	it("hides expired files and other accounts' files", async () => {
		const mine = await signUp();
		const other = await signUp();
		const made = await generateUrl(mine.key, { html: "<p>soon expired</p>", expires_in_hours: 1 });
		const [othersFile] = await store(other.accountId, 1);
		// Positive control: both are listed, each to its own account.
		const [file] = (await listFiles(mine.key)).data;
		expect(file).toMatchObject({ url: made.url });
		expect((await listFiles(other.key)).data.map((f) => f.id)).toEqual([othersFile]);

		// An hour later (the row and the object say so), the file is gone from the list and the URL.
		const past = new Date(Date.now() - 1000).toISOString();
		await env.DB.prepare("UPDATE files SET expires_at = ? WHERE id = ?").bind(past, file!.id).run();
		const key = new URL(made.url).pathname.replace("/upload/", "");
		const object = await env.PDFS.get(key);
		await env.PDFS.put(key, await object!.arrayBuffer(), { customMetadata: { expires_at: past } });
		expect((await listFiles(mine.key)).data).toEqual([]);
		expect((await call(new URL(made.url).pathname)).status).toBe(404);
		expect((await listFiles(other.key)).data.map((f) => f.id)).toEqual([othersFile]);
	});

	it("names the template that made each file (sync and async), null for inline HTML", async () => {
		const { key } = await signUp();
		const sync = await generateUrl(key, { template_id: "invoices/invoice", data: { client: "Listed", total: "1" } });
		const inline = await generateUrl(key, { html: "<p>inline</p>" });
		const task = await waitForTask(key, (await submitAsync(key, { template_id: "invoices/invoice", data: { client: "Async", total: "2" } })).task_id);
		// The sync generation log is written just after the response: wait for it.
		const deadline = Date.now() + 10_000;
		let files = (await listFiles(key)).data;
		while (files.some((f) => f.url === sync.url && f.template_id === null) && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 100));
			files = (await listFiles(key)).data;
		}
		const byUrl = Object.fromEntries(files.map((f) => [f.url, f.template_id]));
		expect(byUrl).toEqual({ [sync.url]: "invoices/invoice", [inline.url]: null, [task.url!]: "invoices/invoice" });
	});

	it("needs an API key", async () => {
		const res = await call("/v1/files");
		expect(res.status).toBe(401);
		expect((await errorOf(res)).code).toBe("UNAUTHORIZED");
	});
});
