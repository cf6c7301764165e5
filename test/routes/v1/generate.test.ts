import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { extractText, getDocumentProxy } from "unpdf";
import { TEST_DAILY_CAP } from "../../../src/credits/credits";
import { call, creditsLeft, errorOf, postJson, readPdf, readPdfPages, signUp } from "../../helpers";
import { submitAsync, waitForTask } from "../../helpers-async";

/**
 * DokJet's quick-start request, byte for byte as each of its documented clients sends it:
 * only the base URL and the key differ.
 */
const QUICK_START = {
	curl: (key: string) => ({
		headers: { "User-Agent": "curl/8.5.0", Accept: "*/*", "X-API-Key": key, "Content-Type": "application/json" },
		body: `{ "template_id": "invoices/invoice", "data": { "client": "Acme Corp", "total": "$564" }, "return_type": "url" }`,
	}),
	fetch: (key: string) => ({
		headers: { "X-API-Key": key, "Content-Type": "application/json" },
		body: JSON.stringify({ template_id: "invoices/invoice", data: { client: "Acme Corp", total: "$564" }, return_type: "url" }),
	}),
	python: (key: string) => ({
		headers: {
			"User-Agent": "python-requests/2.32.3",
			"Accept-Encoding": "gzip, deflate",
			Accept: "*/*",
			Connection: "keep-alive",
			"X-API-Key": key,
			"Content-Type": "application/json",
		},
		body: `{"template_id": "invoices/invoice", "data": {"client": "Acme Corp", "total": "$564"}, "return_type": "url"}`,
	}),
	php: (key: string) => ({
		headers: { Accept: "*/*", "X-API-Key": key, "Content-Type": "application/json" },
		body: `{"template_id":"invoices\\/invoice","data":{"client":"Acme Corp","total":"$564"},"return_type":"url"}`,
	}),
};

describe("POST /v1/generate: DokJet's quick start", () => {
	for (const [client, request] of Object.entries(QUICK_START)) {
		it(`answers the ${client} example with {url, credits_left, response_time_ms} and the url serves the PDF`, async () => {
			const { key } = await signUp();
			const res = await call("/v1/generate", { method: "POST", ...request(key) });
			expect(res.status).toBe(200);
			expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
			const body = (await res.json()) as { url: string; credits_left: number; response_time_ms: number; expires_at: string };
			expect(body.credits_left).toBe(49);
			expect(body.response_time_ms).toBeGreaterThan(0);
			expect(body.url).toMatch(/^http:\/\/quire\.test\/upload\/acc_[0-9A-Za-z]{16}\/[0-9A-Za-z]{22}\.pdf$/);
			expect(Date.parse(body.expires_at)).toBeGreaterThan(Date.now() + 23 * 3600_000);

			const file = await call(new URL(body.url).pathname);
			expect(file.status).toBe(200);
			expect(file.headers.get("Content-Type")).toBe("application/pdf");
			const pdf = await readPdf(await file.arrayBuffer());
			expect(pdf.pages).toBe(1);
			expect(pdf.text).toContain("Acme Corp");
			expect(pdf.text).toContain("$564");
			expect(pdf.text).toContain("INVOICE");
		});
	}

	it("answers with the PDF bytes by default (sync, binary), with the contract's headers", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { template_id: "invoices/invoice", data: { client: "Acme Corp", total: "$564" } }, { "X-API-Key": key });
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toBe("application/pdf");
		expect(res.headers.get("X-Credits-Left")).toBe("49");
		expect(Number(res.headers.get("X-Response-Time-Ms"))).toBeGreaterThan(0);
		expect(res.headers.get("Content-Disposition")).toMatch(/filename="invoice\.pdf"/);
		expect(res.headers.get("X-Request-Id")).toMatch(/^req_/);
		// Where the time went (and which renderer printed it); no R2 write for a binary response, so no `store`.
		const timing = Object.fromEntries((res.headers.get("Server-Timing") ?? "").split(",").map((m) => [m.split(";")[0]!.trim(), Number(/dur=([\d.]+)/.exec(m)?.[1])]));
		expect(Object.keys(timing).sort()).toEqual(["auth", "credits", "render", "renderer", "total"]);
		expect(res.headers.get("Server-Timing")).toMatch(/renderer;desc="enam-\d+"/);
		expect(timing.render).toBeGreaterThan(0);
		expect(timing.total).toBeGreaterThanOrEqual(timing.render!);
		const pdf = await readPdf(await res.arrayBuffer());
		expect(pdf).toMatchObject({ pages: 1 });
		expect(pdf.text).toContain("Acme Corp");
		expect(await creditsLeft(key)).toBe(49);
	});

	it("accepts Authorization: Bearer as well as X-API-Key", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { html: "<p>{{who}}</p>", data: { who: "bearer" } }, { Authorization: `Bearer ${key}` });
		expect(res.status).toBe(200);
		expect((await readPdf(await res.arrayBuffer())).text).toContain("bearer");
	});

	it("returns base64 JSON for return_type base64", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { html: "<h1>Hello {{name}}</h1>", data: { name: "Ada" }, return_type: "base64" }, { "X-API-Key": key });
		expect(res.status).toBe(200);
		const body = (await res.json()) as { pdf_base64: string; credits_left: number };
		expect(body.credits_left).toBe(49);
		const bytes = Uint8Array.from(atob(body.pdf_base64), (c) => c.charCodeAt(0));
		expect((await readPdf(bytes)).text).toContain("Hello Ada");
	});
});

describe("POST /v1/generate: inline HTML and page options", () => {
	it("escapes data, so markup in values shows as text", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { html: "<p>{{note}}</p>", data: { note: "<b>5 < 6</b>" } }, { "X-API-Key": key });
		expect((await readPdf(await res.arrayBuffer())).text).toContain("<b>5 < 6</b>");
	});

	it("applies format, landscape and page_ranges, and uses the filename", async () => {
		const { key } = await signUp();
		const threePages = `<style>div{page-break-after:always}</style><div>one</div><div>two</div><div>three</div>`;
		const res = await postJson(
			"/v1/generate",
			{ html: threePages, options: { format: "Letter", landscape: true, page_ranges: "2-3", margin: { top: "10mm" } }, filename: "report.pdf" },
			{ "X-API-Key": key },
		);
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Disposition")).toMatch(/filename="report\.pdf"/);
		const bytes = new Uint8Array(await res.arrayBuffer());
		const pdf = await readPdf(bytes.slice());
		expect(pdf.pages).toBe(2);
		expect(pdf.text).toContain("two");
		expect(pdf.text).not.toContain("one");
		const [, , width, height] = (await (await getDocumentProxy(bytes)).getPage(1)).view;
		// US Letter landscape: 11 × 8.5 in = 792 × 612 pt.
		expect(Math.round(width!)).toBe(792);
		expect(Math.round(height!)).toBe(612);
	});
});

describe("POST /v1/generate: errors charge nothing and are never a 500", () => {
	const invoice = { template_id: "invoices/invoice", data: { client: "Acme Corp", total: "$564" } };

	it("401 without a key, with an unknown key, with a malformed key", async () => {
		const { key } = await signUp();
		const unknown = key.slice(0, 8) + "A".repeat(28);
		for (const headers of [{}, { "X-API-Key": "qk_live_notakey" }, { "X-API-Key": unknown }, { Authorization: "Bearer " }, { Authorization: `Basic ${key}` }]) {
			const res = await postJson("/v1/generate", invoice, headers as Record<string, string>);
			expect(res.status).toBe(401);
			expect(await errorOf(res)).toMatchObject({ code: "UNAUTHORIZED", request_id: expect.stringMatching(/^req_/) });
		}
		expect(await creditsLeft(key)).toBe(50);
	});

	it("400 for malformed JSON, a wrong content type, an unknown return_type, bad options, or template_id and html together", async () => {
		const { key } = await signUp();
		const cases: Array<[RequestInit, string]> = [
			[{ body: "{ not json", headers: { "Content-Type": "application/json" } }, ""],
			[{ body: JSON.stringify(invoice), headers: { "Content-Type": "text/plain" } }, ""],
			[{ body: JSON.stringify({ ...invoice, return_type: "pdf" }) }, "return_type"],
			[{ body: JSON.stringify({ ...invoice, data: [1, 2] }) }, "data"],
			[{ body: JSON.stringify({ ...invoice, options: { format: "B9" } }) }, "options.format"],
			[{ body: JSON.stringify({ ...invoice, options: { margin: { top: "1 furlong" } } }) }, "options.margin.top"],
			[{ body: JSON.stringify({ ...invoice, options: { page_ranges: "all" } }) }, "options.page_ranges"],
			[{ body: JSON.stringify({ ...invoice, options: { colour: "red" } }) }, "options"],
			[{ body: JSON.stringify({ ...invoice, html: "<p>x</p>" }) }, "template_id"],
			[{ body: JSON.stringify({ data: {} }) }, "template_id"],
			[{ body: "" }, ""],
		];
		for (const [init, field] of cases) {
			const res = await call("/v1/generate", { method: "POST", ...init, headers: { "Content-Type": "application/json", ...(init.headers as object), "X-API-Key": key } });
			expect(res.status, String(init.body)).toBe(400);
			const error = await errorOf(res);
			expect(error.code).toBe("VALIDATION_ERROR");
			if (field) expect(JSON.stringify(error.details), String(init.body)).toContain(`"path":"${field}`);
		}
		expect(await creditsLeft(key)).toBe(50);
	});

	it("404 TEMPLATE_NOT_FOUND for an unknown template, 422 TEMPLATE_ERROR naming the line for one that does not parse", async () => {
		const { key } = await signUp();
		const missing = await postJson("/v1/generate", { template_id: "invoices/nope", data: {} }, { "X-API-Key": key });
		expect(missing.status).toBe(404);
		expect(await errorOf(missing)).toMatchObject({ code: "TEMPLATE_NOT_FOUND" });
		const broken = await postJson("/v1/generate", { html: "<p>\n{{#items}}\n<b>{{name}}</b>" }, { "X-API-Key": key });
		expect(broken.status).toBe(422);
		const error = await errorOf(broken);
		expect(error).toMatchObject({ code: "TEMPLATE_ERROR", details: { line: 3 } });
		expect(error.message).toMatch(/line 3.*Unclosed section "items"/);
		expect(await creditsLeft(key)).toBe(50);
	});

	it("refunds a render that fails after the credit was reserved (page range past the last page)", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { html: "<p>one page</p>", options: { page_ranges: "5-6" } }, { "X-API-Key": key });
		expect(res.status).toBe(400);
		expect(await errorOf(res)).toMatchObject({ code: "VALIDATION_ERROR", details: { fields: [{ path: "options.page_ranges" }] } });
		expect(await creditsLeft(key)).toBe(50);
	});

	it("402 INSUFFICIENT_CREDITS once the balance is spent, and nothing is rendered", async () => {
		const { key, accountId } = await signUp();
		const { env } = await import("cloudflare:workers");
		await env.CREDITS.get(env.CREDITS.idFromName(accountId)).reserve("spend-all", "free", { amount: 50 });
		const res = await postJson("/v1/generate", invoice, { "X-API-Key": key });
		expect(res.status).toBe(402);
		expect(await errorOf(res)).toMatchObject({ code: "INSUFFICIENT_CREDITS", details: { credits_left: 0 } });
	});
});

describe("POST /v1/generate: test: true (DocRaptor's), one request in test mode", () => {
	const credits = async (key: string) => (await (await call("/v1/credits", { headers: { "X-API-Key": key } })).json()) as Record<string, unknown>;
	const pagesText = async (bytes: ArrayBuffer) => (await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: false })).text;
	const twoPages = `<html><body><style>p{page-break-after:always}</style><p>first</p><p>second</p></body></html>`;

	it("with a live key: a TEST watermark on every page, no credit spent, one test document counted", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { html: twoPages, test: true }, { "X-API-Key": key });
		expect(res.status).toBe(200);
		expect(res.headers.get("X-Credits-Left")).toBe("50");
		const text = await pagesText(await res.arrayBuffer());
		expect(text).toHaveLength(2);
		for (const page of text) expect(page).toContain("TEST");
		expect(await credits(key)).toMatchObject({ credits_left: 50, used_this_period: 0, test_used_today: 1, mode: "live" });

		// The next request without it is live again: charged, no watermark.
		const live = await postJson("/v1/generate", { html: "<p>live</p>" }, { "X-API-Key": key });
		expect((await readPdf(await live.arrayBuffer())).text).not.toContain("TEST");
		expect(await credits(key)).toMatchObject({ credits_left: 49, test_used_today: 1 });
	});

	it("dry run and async mode follow it too", async () => {
		const { key } = await signUp();
		const dry = await postJson("/v1/generate", { html: "<p>x</p>", test: true, dry_run: true }, { "X-API-Key": key });
		expect(await dry.json()).toEqual({ dry_run: true, valid: true, credits_required: 0, credits_left: 50, test_documents_left: TEST_DAILY_CAP });

		const queued = await submitAsync(key, { html: "<p>async preview</p>", test: true });
		const task = await waitForTask(key, queued.task_id);
		expect(task.status).toBe("completed");
		const pdf = await readPdf(await (await call(new URL(task.url!).pathname)).arrayBuffer());
		expect(pdf.text).toContain("TEST");
		expect(pdf.text).toContain("async preview");
		expect(await credits(key)).toMatchObject({ credits_left: 50, used_this_period: 0, test_used_today: 1 });
	});

	it("counts against the test daily cap: past it, 429 and nothing charged", async () => {
		const { key, accountId } = await signUp();
		await runInDurableObject(env.CREDITS.get(env.CREDITS.idFromName(accountId)), (instance: { balance(plan: string): unknown }, state) => {
			instance.balance("free"); // creates the state row
			state.storage.sql.exec("UPDATE state SET test_used = ?", TEST_DAILY_CAP);
		});
		const res = await postJson("/v1/generate", { html: "<p>x</p>", test: true }, { "X-API-Key": key });
		expect(res.status).toBe(429);
		expect(await errorOf(res)).toMatchObject({ code: "RATE_LIMITED" });
		expect(await creditsLeft(key)).toBe(50);
	});

	it("test: false with a test-mode key stays test mode: a test key never spends credits", async () => {
		const { key } = await signUp();
		const created = await postJson("/v1/keys", { name: "Sandbox", mode: "test" }, { "X-API-Key": key });
		const testKey = ((await created.json()) as { data: { key: string } }).data.key;
		const res = await postJson("/v1/generate", { html: "<p>still a test</p>", test: false }, { "X-API-Key": testKey });
		expect(res.status).toBe(200);
		expect((await readPdf(await res.arrayBuffer())).text).toContain("TEST");
		expect(await credits(key)).toMatchObject({ credits_left: 50, used_this_period: 0, test_used_today: 1 });
	});

	it("400 for a test that is not a boolean", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { html: "<p>x</p>", test: "yes" }, { "X-API-Key": key });
		expect(res.status).toBe(400);
		expect(await errorOf(res)).toMatchObject({ code: "VALIDATION_ERROR", details: { fields: [{ path: "test" }] } });
		expect(await creditsLeft(key)).toBe(50);
	});
});

/**
 * Issue 12, finding 2: the TEST stamp was an element of the page, which the page could hide or
 * remove and get a clean PDF for free. Each attack below gets a two-page PDF that must still
 * carry TEST on both pages; a live key's PDF of the same HTML is the positive control (no TEST,
 * and the page's own text is there, so the attack HTML does render).
 */
describe("POST /v1/generate security: the page can't remove the test-mode watermark", () => {
	const twoPages = `<p style="page-break-after:always">first page</p><p>second page</p>`;
	const ATTACKS: Record<string, string> = {
		"a style hiding aria-hidden elements": `<html><head><style>div[aria-hidden]{display:none!important}</style></head><body>${twoPages}</body></html>`,
		"a script removing the stamp element": `<html><body>${twoPages}<script>document.querySelectorAll("body > div").forEach((d) => d.getAttribute("aria-hidden") && d.remove())</script></body></html>`,
		"a style hiding the body's first child": `<html><head><style>body>*:first-child{display:none!important}</style></head><body>${twoPages}</body></html>`,
		"a style hiding everything fixed": `<html><head><style>[style*="fixed"]{visibility:hidden!important}</style></head><body>${twoPages}</body></html>`,
		"a style hiding everything": `<html><head><style>*{display:none!important}</style></head><body>${twoPages}</body></html>`,
	};
	const testKeyOf = async (key: string) => ((await (await postJson("/v1/keys", { name: "Sandbox", mode: "test" }, { "X-API-Key": key })).json()) as { data: { key: string } }).data.key;
	const expectTestOnEveryPage = async (pdf: ArrayBuffer | Uint8Array, what: string) => {
		const pages = await readPdfPages(pdf);
		expect(pages.length, what).toBeGreaterThan(0);
		for (const [n, page] of pages.entries()) expect(page.text, `${what}, page ${n + 1}`).toContain("TEST");
		return pages;
	};
	const download = async (url: string) => (await call(new URL(url).pathname)).arrayBuffer();

	it("sync, binary: every attack still gives TEST on every page; a live key's PDF of the same HTML has none", async () => {
		const { key } = await signUp();
		const testKey = await testKeyOf(key);
		for (const [attack, html] of Object.entries(ATTACKS)) {
			const [test, live] = await Promise.all([postJson("/v1/generate", { html }, { "X-API-Key": testKey }), postJson("/v1/generate", { html }, { "X-API-Key": key })]);
			expect(test.status, attack).toBe(200);
			const stamped = await expectTestOnEveryPage(await test.arrayBuffer(), attack);
			// The same pages as a live document of the same HTML, plus TEST: the page's own content is untouched.
			const control = await readPdfPages(await live.arrayBuffer());
			for (const page of control) expect(page.text, attack).not.toContain("TEST");
			expect(stamped.map((p) => p.text.replace("TEST", "").trim()), attack).toEqual(control.map((p) => p.text));
		}
	});

	it("sync, url and base64, and test: true with a live key: TEST on every page", async () => {
		const { key } = await signUp();
		const testKey = await testKeyOf(key);
		const html = ATTACKS["a style hiding aria-hidden elements"];
		const url = (await (await postJson("/v1/generate", { html, return_type: "url" }, { "X-API-Key": testKey })).json()) as { url: string };
		await expectTestOnEveryPage(await download(url.url), "url");
		const base64 = (await (await postJson("/v1/generate", { html, return_type: "base64" }, { "X-API-Key": testKey })).json()) as { pdf_base64: string };
		await expectTestOnEveryPage(Uint8Array.from(atob(base64.pdf_base64), (c) => c.charCodeAt(0)), "base64");
		const flagged = await postJson("/v1/generate", { html, test: true }, { "X-API-Key": key });
		await expectTestOnEveryPage(await flagged.arrayBuffer(), "test: true");
	});

	it("async: every attack still gives TEST on every page of the task's PDF; a live task's PDF has none", async () => {
		const { key } = await signUp();
		const testKey = await testKeyOf(key);
		const attacks = Object.entries(ATTACKS);
		const queued = await Promise.all(attacks.map(([, html]) => submitAsync(testKey, { html })));
		const live = await submitAsync(key, { html: ATTACKS["a style hiding aria-hidden elements"] });
		for (const [i, [attack]] of attacks.entries()) {
			const task = await waitForTask(testKey, queued[i]!.task_id);
			expect(task.status, attack).toBe("completed");
			await expectTestOnEveryPage(await download(task.url!), `async, ${attack}`);
		}
		const control = await readPdfPages(await download((await waitForTask(key, live.task_id)).url!));
		expect(control.map((p) => p.text)).toEqual(["first page", "second page"]);
	});
});
