import { env } from "cloudflare:workers";
import { getDocumentProxy } from "unpdf";
import { describe, expect, it } from "vitest";
import { call, creditsLeft, errorOf, expectStatus, postJson, readPdfPages, signUp } from "../../helpers";
import { waitForTask } from "../../helpers-async";

/** Renders `html` and stores it (`return_type: "url"`): one credit; returns its url. */
async function storedPdf(key: string, html: string): Promise<string> {
	const res = await postJson("/v1/generate", { html, return_type: "url" }, { "X-API-Key": key });
	await expectStatus(res, 200);
	return ((await res.json()) as { url: string }).url;
}

function merge(key: string, body: Record<string, unknown>): Promise<Response> {
	return postJson("/v1/merge", body, { "X-API-Key": key });
}

const twoPages = `<p>Part one, page one</p><p style="break-before: page">Part one, page two</p>`;

describe("POST /v1/merge", () => {
	it("merges rendered documents and a stored PDF into one, in order, charging one credit per rendered document", async () => {
		const { key } = await signUp();
		const stored = await storedPdf(key, "<p>Stored part</p>");
		expect(await creditsLeft(key)).toBe(49);

		const res = await merge(key, {
			documents: [{ html: twoPages }, { url: stored }, { html: "<p>Part {{n}}, landscape</p>", data: { n: "three" }, options: { format: "Letter", landscape: true } }],
		});
		await expectStatus(res, 200);
		expect(res.headers.get("Content-Type")).toBe("application/pdf");
		expect(res.headers.get("X-Pages")).toBe("4");
		expect(res.headers.get("X-Credits-Left")).toBe("47");
		expect(res.headers.get("Content-Disposition")).toContain('filename="merged.pdf"');
		const pages = await readPdfPages(await res.arrayBuffer());
		expect(pages.map((p) => p.text)).toEqual(["Part one, page one", "Part one, page two", "Stored part", "Part three, landscape"]);
		expect([pages[3]!.width, pages[3]!.height]).toEqual([792, 612]); // each page keeps its own size
		expect(pages[0]!.height).toBeGreaterThan(pages[0]!.width);
		expect(await creditsLeft(key)).toBe(47); // two rendered documents; the stored one was free
	});

	it("merges stored PDFs alone for free, and answers url and base64 like generate", async () => {
		const { key } = await signUp();
		const first = await storedPdf(key, "<p>Alpha</p>");
		const second = await storedPdf(key, "<p>Beta</p>");
		expect(await creditsLeft(key)).toBe(48);

		const asUrl = await merge(key, { documents: [{ url: second }, { url: first }, { url: second }], return_type: "url", filename: "three.pdf", expires_in_hours: 2 });
		await expectStatus(asUrl, 200);
		const answer = (await asUrl.json()) as { url: string; expires_at: string; pages: number; credits_left: number; credits_charged: number };
		expect(answer).toMatchObject({ pages: 3, credits_left: 48, credits_charged: 0 });
		expect(Math.abs(Date.parse(answer.expires_at) - (Date.now() + 2 * 3600_000))).toBeLessThan(60_000);
		const file = await call(new URL(answer.url).pathname);
		expect(file.headers.get("Content-Disposition")).toContain('filename="three.pdf"');
		expect((await readPdfPages(await file.arrayBuffer())).map((p) => p.text)).toEqual(["Beta", "Alpha", "Beta"]);

		const asBase64 = await merge(key, { documents: [{ url: first }], return_type: "base64" });
		await expectStatus(asBase64, 200);
		const { pdf_base64 } = (await asBase64.json()) as { pdf_base64: string };
		expect((await readPdfPages(Uint8Array.from(atob(pdf_base64), (ch) => ch.charCodeAt(0)))).map((p) => p.text)).toEqual(["Alpha"]);
		expect(await creditsLeft(key)).toBe(48);
	});

	it("fails whole when one part fails after the reservation, refunding every credit", async () => {
		const { key } = await signUp();
		// A page range past the end is found by Chromium, after the credits were reserved.
		const badRange = await merge(key, { documents: [{ html: "<p>fine</p>" }, { html: "<p>fine too</p>" }, { html: "<p>one page</p>", options: { page_ranges: "4-5" } }] });
		expect(badRange.status).toBe(400);
		const error = await errorOf(badRange);
		expect(error.message).toMatch(/^documents\.2: /);
		expect(error.details).toMatchObject({ document: 2, fields: [{ path: "documents.2.options.page_ranges" }] });
		expect(await creditsLeft(key)).toBe(50);

		// A selector that never appears: 504, still nothing charged.
		const neverThere = await merge(key, { documents: [{ html: "<p>fine</p>" }, { html: "<p>waiting</p>", options: { wait_for_selector: "#never", wait_timeout_ms: 500 } }] });
		expect(neverThere.status).toBe(504);
		expect(await errorOf(neverThere)).toMatchObject({ code: "RENDER_TIMEOUT", details: { document: 1 } });
		expect(await creditsLeft(key)).toBe(50);

		// Positive control: the same documents without the failing part are charged.
		await expectStatus(await merge(key, { documents: [{ html: "<p>fine</p>" }, { html: "<p>fine too</p>" }] }), 200);
		expect(await creditsLeft(key)).toBe(48);
	});

	it("refuses another account's PDF, an unknown one and a URL that is not a stored PDF, naming each index, charging nothing", async () => {
		const mine = await signUp();
		const theirs = await signUp();
		const theirPdf = await storedPdf(theirs.key, "<p>Theirs</p>");
		const myPdf = await storedPdf(mine.key, "<p>Mine</p>");
		const unknown = myPdf.replace(/[0-9A-Za-z]{22}\.pdf$/, "A".repeat(22) + ".pdf");
		const res = await merge(mine.key, { documents: [{ url: myPdf }, { url: theirPdf }, { html: "<p>x</p>" }, { url: unknown }, { url: "https://example.com/file.pdf" }] });
		expect(res.status).toBe(400);
		const error = await errorOf(res);
		expect(error.code).toBe("VALIDATION_ERROR");
		const fields = (error.details as { fields: Array<{ path: string; message: string }> }).fields;
		expect(fields.map((f) => f.path)).toEqual(["documents.1.url", "documents.3.url", "documents.4.url"]);
		// Another account's file is answered exactly like a missing one.
		expect(fields[0]!.message).toBe(fields[1]!.message);
		expect(await creditsLeft(mine.key)).toBe(49);
	});

	it("validates the request: 1 to 20 documents, exactly one source each, a template that exists", async () => {
		const { key } = await signUp();
		const cases: Array<[Record<string, unknown>, string]> = [
			[{ documents: [] }, "documents"],
			[{ documents: Array.from({ length: 21 }, () => ({ html: "<p/>" })) }, "documents"],
			[{ documents: [{ html: "<p/>" }, { html: "<p/>", url: "https://quire.test/upload/x.pdf" }] }, "documents.1.template_id"],
			[{ documents: [{ html: "<p/>" }, { url: "https://quire.test/upload/x.pdf", data: { a: 1 } }] }, "documents.1.url"],
			[{ documents: [{ html: "<p/>" }], webhook_url: "https://hooks.example.com/x" }, "webhook_url"],
		];
		for (const [body, path] of cases) {
			const res = await merge(key, body);
			expect(res.status, path).toBe(400);
			expect(((await errorOf(res)).details as { fields: Array<{ path: string }> }).fields.map((f) => f.path)).toContain(path);
		}
		// pdf-lib copies no encrypted page: a part's own encryption is refused, the merged result's is the way.
		const encrypted = await merge(key, { documents: [{ html: "<p/>" }, { html: "<p/>", pdf: { encryption: { user_password: "secret" } } }] });
		expect(encrypted.status).toBe(400);
		expect(((await errorOf(encrypted)).details as { fields: Array<{ path: string }> }).fields.map((f) => f.path)).toEqual(["documents.1.pdf.encryption"]);
		const missing = await merge(key, { documents: [{ html: "<p/>" }, { template_id: "nope/nope" }] });
		expect(missing.status).toBe(404);
		expect(await errorOf(missing)).toMatchObject({ code: "TEMPLATE_NOT_FOUND", details: { document: 1 } });
		expect(await creditsLeft(key)).toBe(50);
	});

	it("402 when the balance can't cover every rendered document, and nothing is taken", async () => {
		const { key, accountId } = await signUp();
		const credits = env.CREDITS.get(env.CREDITS.idFromName(accountId));
		await credits.reserve("spent-elsewhere", "free", { amount: 48 });
		await credits.commit("spent-elsewhere");
		expect(await creditsLeft(key)).toBe(2);
		const short = await merge(key, { documents: [{ html: "<p>1</p>" }, { html: "<p>2</p>" }, { html: "<p>3</p>" }] });
		expect(short.status).toBe(402);
		expect(await errorOf(short)).toMatchObject({ code: "INSUFFICIENT_CREDITS", details: { credits_left: 2 } });
		expect(await creditsLeft(key)).toBe(2);
		// Positive control: two fit.
		await expectStatus(await merge(key, { documents: [{ html: "<p>1</p>" }, { html: "<p>2</p>" }] }), 200);
		expect(await creditsLeft(key)).toBe(0);
	});

	it("test mode: TEST on the rendered pages, no credit spent", async () => {
		const { key } = await signUp();
		const stored = await storedPdf(key, "<p>Live stored</p>");
		const res = await merge(key, { documents: [{ html: "<p>Rendered in test mode</p>" }, { url: stored }], test: true });
		await expectStatus(res, 200);
		const pages = await readPdfPages(await res.arrayBuffer());
		expect(pages[0]!.text).toContain("TEST");
		expect(pages[1]!.text).toBe("Live stored");
		expect(await creditsLeft(key)).toBe(49);
	});

	it("finishes the merged result with the top-level pdf: its title, and a watermark on the chosen pages of the whole", async () => {
		const { key } = await signUp();
		const res = await merge(key, {
			documents: [{ html: "<p>Cover</p>", pdf: { info: { title: "Cover's own title" } } }, { html: twoPages }],
			pdf: { info: { title: "The merged packet" }, watermark: { text: "COPY", pages: "2-3" } },
		});
		await expectStatus(res, 200);
		const bytes = new Uint8Array(await res.arrayBuffer());
		const { info } = (await (await getDocumentProxy(bytes.slice())).getMetadata()) as { info: { Title?: string } };
		expect(info.Title).toBe("The merged packet");
		const pages = await readPdfPages(bytes);
		expect(pages.map((p) => p.text.includes("COPY"))).toEqual([false, true, true]);
		expect(pages[0]!.text).toBe("Cover");
	});

	it("an Idempotency-Key retry replays the merge and charges nothing more", async () => {
		const { key } = await signUp();
		const body = { documents: [{ html: "<p>Once</p>" }, { html: "<p>Twice</p>" }] };
		const headers = { "X-API-Key": key, "Idempotency-Key": crypto.randomUUID() };
		const first = await postJson("/v1/merge", body, headers);
		await expectStatus(first, 200);
		const firstBytes = new Uint8Array(await first.arrayBuffer());
		const again = await postJson("/v1/merge", body, headers);
		await expectStatus(again, 200);
		expect(again.headers.get("Idempotent-Replayed")).toBe("true");
		expect(again.headers.get("X-Pages")).toBe("2");
		expect(new Uint8Array(await again.arrayBuffer())).toEqual(firstBytes);
		expect(await creditsLeft(key)).toBe(48);
	});

	it("async_mode: a task that completes with the merged PDF, charged like the sync merge; a failing part fails the task, refunded", async () => {
		const { key } = await signUp();
		const stored = await storedPdf(key, "<p>Stored for later</p>");
		const queued = await merge(key, { documents: [{ html: "<p>Async first</p>" }, { url: stored }], async_mode: true, metadata: { ref: "m-1" } });
		await expectStatus(queued, 202);
		const { task_id, check_status_url } = (await queued.json()) as { task_id: string; check_status_url: string };
		expect(check_status_url).toBe(`http://quire.test/v1/tasks/${task_id}`);
		expect(await creditsLeft(key)).toBe(48); // reserved at once: one rendered document
		const task = await waitForTask(key, task_id);
		expect(task).toMatchObject({ status: "completed", pages: 2, metadata: { ref: "m-1" } });
		expect((await readPdfPages(await (await call(new URL(task.url!).pathname)).arrayBuffer())).map((p) => p.text)).toEqual(["Async first", "Stored for later"]);
		expect(await creditsLeft(key)).toBe(48);

		const failing = await merge(key, { documents: [{ html: "<p>ok</p>" }, { html: "<p>x</p>", options: { page_ranges: "3" } }], async_mode: true });
		await expectStatus(failing, 202);
		expect(await creditsLeft(key)).toBe(46);
		const failed = await waitForTask(key, ((await failing.json()) as { task_id: string }).task_id);
		expect(failed).toMatchObject({ status: "failed", error: { code: "VALIDATION_ERROR" } });
		expect(failed.error!.message).toMatch(/^documents\.1: /);
		expect(await creditsLeft(key)).toBe(48);
	});
});
