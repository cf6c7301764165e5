import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { call, creditsLeft, errorOf, expectStatus, postJson, readPdf, readPdfPages, setPlan, signUp } from "../../helpers";
import { unzip } from "../../helpers-zip";

interface BatchBody {
	batch_id: string;
	status: "queued" | "processing" | "completed";
	total: number;
	succeeded: number;
	failed: number;
	output?: string;
	output_url?: string;
	output_expires_at?: string;
	output_error?: { code: string; message: string };
	metadata?: Record<string, unknown>;
	created_at: string;
	completed_at?: string;
	documents: Array<{ index: number; task_id: string; status: string; url?: string; pages?: number; error?: { code: string; message: string }; metadata?: Record<string, unknown> }>;
	webhook?: { url: string; attempts: Array<{ at: string; status?: number; error?: string }> };
}

async function submitBatch(key: string, body: Record<string, unknown>): Promise<{ batch_id: string; status: string; total: number; check_status_url: string; documents: Array<{ index: number; task_id: string }> }> {
	const res = await postJson("/v1/batch", body, { "X-API-Key": key });
	await expectStatus(res, 202);
	return res.json();
}

async function getBatch(key: string, id: string): Promise<BatchBody> {
	const res = await call(`/v1/batches/${id}`, { headers: { "X-API-Key": key } });
	await expectStatus(res, 200);
	return res.json();
}

/** Polls the batch until `until` holds (by default: completed), for up to `ms`. */
async function waitForBatch(key: string, id: string, until: (b: BatchBody) => boolean = (b) => b.status === "completed", ms = 60_000): Promise<BatchBody> {
	const deadline = Date.now() + ms;
	for (;;) {
		const batch = await getBatch(key, id);
		if (until(batch)) return batch;
		if (Date.now() > deadline) throw new Error(`batch ${id} still ${batch.status} (${batch.succeeded} succeeded, ${batch.failed} failed of ${batch.total})`);
		await new Promise((r) => setTimeout(r, 250));
	}
}

async function hmacHex(secret: string, message: string): Promise<string> {
	const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
	const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
	return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("POST /v1/batch", () => {
	const receiver = inject("webhookReceiver");

	it(
		"100 documents, 3 failing after their reservation: 97 charged, 3 refunded, one signed webhook, the counts right",
		async () => {
			const { key, accountId } = await signUp();
			// Pro: 1 000 credits a month, and two render slots, so 100 documents take half as long.
			await expectStatus(await setPlan(accountId, "pro"), 200);
			const secret = ((await (await call("/v1/webhook-secret", { method: "POST", headers: { "X-API-Key": key } })).json()) as { data: { secret: string } }).data.secret;
			const before = await creditsLeft(key);
			const failing = new Set([7, 42, 99]);
			// A page range past the end fails in Chromium, after the credit was reserved.
			const documents = Array.from({ length: 100 }, (_, i) => (failing.has(i) ? { html: "<p>one page</p>", options: { page_ranges: "5-6" } } : { html: "<p>Document {{n}}</p>", data: { n: i } }));
			const hookId = crypto.randomUUID();
			const started = Date.now();
			const queued = await submitBatch(key, { documents, webhook_url: `${receiver}/200/${hookId}`, metadata: { run: "nightly" } });
			expect(queued).toMatchObject({ batch_id: expect.stringMatching(/^batch_/), status: "queued", total: 100, check_status_url: `http://quire.test/v1/batches/${queued.batch_id}` });
			expect(queued.documents.map((d) => d.index)).toEqual([...Array(100).keys()]);
			expect(await creditsLeft(key)).toBe(before - 100); // all reserved up front

			const batch = await waitForBatch(key, queued.batch_id, (b) => b.status === "completed" && (b.webhook?.attempts.length ?? 0) > 0, 240_000);
			console.log(`100-document batch: ${Date.now() - started} ms`);
			expect(batch).toMatchObject({ status: "completed", total: 100, succeeded: 97, failed: 3, metadata: { run: "nightly" } });
			expect(batch.documents.filter((d) => d.status === "failed").map((d) => d.index)).toEqual([7, 42, 99]);
			expect(batch.documents[42]!.error).toMatchObject({ code: "VALIDATION_ERROR" });
			expect(batch.documents[3]).toMatchObject({ index: 3, status: "completed", pages: 1, url: expect.stringMatching(/\/upload\//) });
			expect((await readPdf(await (await call(new URL(batch.documents[3]!.url!).pathname)).arrayBuffer())).text).toContain("Document 3");
			expect(await creditsLeft(key)).toBe(before - 97);

			// Exactly one webhook, signed like a task's, whose body is the batch without its delivery log.
			await new Promise((r) => setTimeout(r, 1000)); // a second delivery, if there were one, would have come by now
			const deliveries = (await (await fetch(`${receiver}/received/${hookId}`)).json()) as Array<{ headers: Record<string, string>; body: string }>;
			expect(deliveries).toHaveLength(1);
			const [{ headers, body }] = deliveries as [{ headers: Record<string, string>; body: string }];
			const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(headers["quire-signature"]!)!;
			expect(v1).toBe(await hmacHex(secret, `${t}.${body}`));
			const { webhook: _, ...withoutDeliveries } = batch;
			expect(JSON.parse(body)).toEqual(withoutDeliveries);
			expect(batch.webhook!.attempts).toEqual([{ at: expect.any(String), status: 200 }]);

			// Each document is an ordinary task of the account.
			const task = (await (await call(`/v1/tasks/${queued.documents[7]!.task_id}`, { headers: { "X-API-Key": key } })).json()) as { status: string };
			expect(task.status).toBe("failed");
		},
		300_000,
	);

	it("refuses a batch the balance can't cover whole with 402, charging and queueing nothing", async () => {
		const { key, accountId } = await signUp();
		const res = await postJson("/v1/batch", { documents: Array.from({ length: 51 }, () => ({ html: "<p>x</p>" })) }, { "X-API-Key": key });
		expect(res.status).toBe(402);
		expect(await errorOf(res)).toMatchObject({ code: "INSUFFICIENT_CREDITS", details: { credits_left: 50 } });
		expect(await creditsLeft(key)).toBe(50);
		const rows = await env.DB.prepare("SELECT (SELECT COUNT(*) FROM tasks WHERE account_id = ?1) AS tasks, (SELECT COUNT(*) FROM batches WHERE account_id = ?1) AS batches").bind(accountId).first();
		expect(rows).toEqual({ tasks: 0, batches: 0 });
		// Positive control: a batch that fits is taken, and charged.
		const fits = await submitBatch(key, { documents: [{ html: "<p>a</p>" }, { html: "<p>b</p>" }] });
		expect(await creditsLeft(key)).toBe(48);
		expect(await waitForBatch(key, fits.batch_id)).toMatchObject({ succeeded: 2, failed: 0 });
		expect(await creditsLeft(key)).toBe(48);
	});

	it("refuses an invalid document before anything is reserved, naming it by index", async () => {
		const { key } = await signUp();
		const cases: Array<[Record<string, unknown>, number, string]> = [
			[{ documents: [] }, 400, "documents"],
			[{ documents: Array.from({ length: 101 }, () => ({ html: "<p/>" })) }, 400, "documents"],
			[{ documents: [{ html: "<p/>" }, { html: "<p/>", template_id: "invoices/invoice" }] }, 400, "documents.1.template_id"],
			[{ documents: [{ html: "<p/>" }], output: "tar" }, 400, "output"],
		];
		for (const [body, status, path] of cases) {
			const res = await postJson("/v1/batch", body, { "X-API-Key": key });
			expect(res.status, path).toBe(status);
			expect(((await errorOf(res)).details as { fields: Array<{ path: string }> }).fields.map((f) => f.path)).toContain(path);
		}
		const unknownTemplate = await postJson("/v1/batch", { documents: [{ html: "<p/>" }, { html: "<p/>" }, { template_id: "nope/nope" }] }, { "X-API-Key": key });
		expect(unknownTemplate.status).toBe(404);
		expect(await errorOf(unknownTemplate)).toMatchObject({ code: "TEMPLATE_NOT_FOUND", details: { document: 2 } });
		expect(await creditsLeft(key)).toBe(50);
	});

	it('output "zip": one zip of the succeeded documents only, in order, each a readable PDF', async () => {
		const { key } = await signUp();
		const queued = await submitBatch(key, {
			test: true,
			output: "zip",
			output_filename: "run.zip",
			documents: [
				{ html: "<p>First {{who}}</p>", data: { who: "Ada" }, filename: "ada.pdf" },
				{ html: "<p>fails</p>", options: { page_ranges: "9" } },
				{ html: "<p>Third</p><p style='break-before: page'>Third, page two</p>", filename: "third" },
			],
		});
		const batch = await waitForBatch(key, queued.batch_id);
		expect(batch).toMatchObject({ status: "completed", succeeded: 2, failed: 1, output: "zip", output_url: expect.stringMatching(/\/upload\/acc_\w+\/\w{22}\.zip$/) });
		const res = await call(new URL(batch.output_url!).pathname);
		expect(res.headers.get("Content-Type")).toBe("application/zip");
		expect(res.headers.get("Content-Disposition")).toContain('filename="run.zip"');
		const entries = await unzip(new Uint8Array(await res.arrayBuffer()));
		expect(entries.map((e) => e.name)).toEqual(["001-ada.pdf", "002-third.pdf"]);
		const [first, third] = await Promise.all(entries.map((e) => readPdfPages(e.data)));
		expect(first!.map((p) => p.text.replace(/\s*TEST\s*/, ""))).toEqual(["First Ada"]);
		expect(third!.map((p) => p.text.replace(/\s*TEST\s*/, ""))).toEqual(["Third", "Third, page two"]);
		expect(await creditsLeft(key)).toBe(50); // test mode
	});

	it('output "merged": one PDF of the succeeded documents, in order', async () => {
		const { key } = await signUp();
		const queued = await submitBatch(key, { output: "merged", expires_in_hours: 3, documents: [{ html: "<p>One</p>" }, { html: "<p>Two</p>" }, { html: "<p>Three</p>" }] });
		const batch = await waitForBatch(key, queued.batch_id);
		expect(batch).toMatchObject({ succeeded: 3, failed: 0, output: "merged" });
		expect(Math.abs(Date.parse(batch.output_expires_at!) - (Date.now() + 3 * 3600_000))).toBeLessThan(60_000);
		const merged = await readPdfPages(await (await call(new URL(batch.output_url!).pathname)).arrayBuffer());
		expect(merged.map((p) => p.text)).toEqual(["One", "Two", "Three"]);
		expect(await creditsLeft(key)).toBe(47);
	});

	it("another account's batch is 404, like an unknown one", async () => {
		const a = await signUp();
		const b = await signUp();
		const queued = await submitBatch(a.key, { test: true, documents: [{ html: "<p>mine</p>" }] });
		for (const [key, id] of [[b.key, queued.batch_id], [a.key, "batch_unknown"]] as const) {
			const res = await call(`/v1/batches/${id}`, { headers: { "X-API-Key": key } });
			expect(res.status).toBe(404);
			expect(await errorOf(res)).toMatchObject({ code: "NOT_FOUND", message: "Batch not found" });
		}
		await waitForBatch(a.key, queued.batch_id);
	});
});
