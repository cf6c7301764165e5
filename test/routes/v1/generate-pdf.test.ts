import { env } from "cloudflare:workers";
import { getDocumentProxy } from "unpdf";
import { describe, expect, inject, it } from "vitest";
import { createDb } from "../../../src/db";
import { prepare } from "../../../src/generation/prepare";
import { jobInputKey, type JobInput } from "../../../src/jobs/consumer";
import type { PdfSpec } from "../../../src/pdf/spec";
import { call, creditsLeft, errorOf, expectStatus, postJson, signUp } from "../../helpers";
import { submitAsync, waitForTask } from "../../helpers-async";


const json = (method: string, key: string, body: unknown): RequestInit => ({ method, headers: { "X-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify(body) });

async function createTemplate(key: string, body: Record<string, unknown>) {
	const res = await call("/v1/templates", json("POST", key, body));
	await expectStatus(res, 201);
	return ((await res.json()) as { data: { pdf: PdfSpec | null } }).data;
}

/** The PDF's document information and outline titles, as pdf.js reads them. */
async function pdfFacts(bytes: ArrayBuffer) {
	const pdf = await getDocumentProxy(new Uint8Array(bytes));
	const info = (await pdf.getMetadata()).info as Record<string, unknown>;
	// Every entry, depth first: Chromium nests a heading's entry under the one above it (h2 under h1).
	type Entry = { title: string; items: Entry[] };
	const titles = (entries: Entry[]): string[] => entries.flatMap((entry) => [entry.title, ...titles(entry.items)]);
	const outline = titles(((await pdf.getOutline()) ?? []) as Entry[]);
	return { title: info.Title, author: info.Author, outline };
}

const withHeadings = "<h1>Chapter one</h1><p>a</p><h2>Section one</h2><p>b</p>";

describe("POST /v1/generate: the pdf object", () => {
	it("a bad pdf is a 400 naming each field, before anything is charged or queued; the same request with a good one is made", async () => {
		const { key, accountId } = await signUp();
		for (const async_mode of [false, true]) {
			const res = await postJson("/v1/generate", { html: "<p>x</p>", async_mode, pdf: { outline: "yes", info: { title: 5 } } }, { "X-API-Key": key });
			expect(res.status).toBe(400);
			const error = await errorOf(res);
			expect(error.code).toBe("VALIDATION_ERROR");
			const paths = (error.details!.fields as Array<{ path: string }>).map((f) => f.path).sort();
			expect(paths).toEqual(["pdf.info.title", "pdf.outline"]);
		}
		expect(await creditsLeft(key)).toBe(50);
		const tasks = await env.DB.prepare("SELECT COUNT(*) AS n FROM tasks WHERE account_id = ?").bind(accountId).first<{ n: number }>();
		expect(tasks!.n).toBe(0);

		// Positive control: a well-formed pdf object is made and charged.
		const good = await postJson("/v1/generate", { html: "<p>x</p>", pdf: { outline: false, info: { title: "Fine" } } }, { "X-API-Key": key });
		await expectStatus(good, 200);
		expect(await creditsLeft(key)).toBe(49);
	});

	it("no pdf object: the same kind of document as before (tagged, no outline), and the template's default comes through prepare", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { html: withHeadings }, { "X-API-Key": key });
		await expectStatus(res, 200);
		const bytes = await res.arrayBuffer();
		const text = new TextDecoder("latin1").decode(bytes);
		expect(text).toContain("/StructTreeRoot"); // tagged, Chromium's default here
		expect((await pdfFacts(bytes)).outline).toEqual([]);
	});

	it("a template's default pdf applies, the request's parts replace its parts, and prepare hands the merged spec on", async () => {
		const { key, accountId } = await signUp();
		const template = await createTemplate(key, { id: "reports/annual", name: "Annual report", html: withHeadings, pdf: { info: { title: "Template title", author: "Template author" }, outline: true } });
		expect(template.pdf).toEqual({ info: { title: "Template title", author: "Template author" }, outline: true });

		const db = createDb(env.DB);
		const base = { template_id: "reports/annual", data: {}, options: {} };
		// No request pdf: the template's whole.
		expect((await prepare(db, accountId, base)).document.pdf).toEqual({ info: { title: "Template title", author: "Template author" }, outline: true });
		// The request's `info` replaces the template's `info` (a part is replaced whole); `outline` stays the template's.
		expect((await prepare(db, accountId, { ...base, pdf: { info: { title: "Request title" } } })).document.pdf).toEqual({ info: { title: "Request title" }, outline: true });
		// Inline HTML has no template: the request's alone, and nothing at all without one.
		expect((await prepare(db, accountId, { html: "<p>x</p>", data: {}, options: {}, pdf: { tagged: false } })).document.pdf).toEqual({ tagged: false });
		expect((await prepare(db, accountId, { html: "<p>x</p>", data: {}, options: {} })).document).not.toHaveProperty("pdf");
	});

	it("an async job carries the merged spec in its R2 input, and its task completes", async () => {
		const receiver = inject("webhookReceiver");
		const { key } = await signUp();
		// A slow image keeps the job rendering for 2 s, so its input is still in R2 when read here.
		await createTemplate(key, { id: "reports/slow", name: "Slow report", html: `${withHeadings}<img src="${receiver}/slow/2000/image.png">`, pdf: { info: { author: "Template author" }, outline: true } });
		const { task_id } = await submitAsync(key, { template_id: "reports/slow", pdf: { outline: false, tagged: true } });
		const input = await (await env.PDFS.get(jobInputKey(task_id)))!.json<JobInput>();
		expect(input.pdf).toEqual({ info: { author: "Template author" }, outline: false, tagged: true });
		const task = await waitForTask(key, task_id);
		expect(task.status).toBe("completed");
	});

	it("finishing: the merged spec reaches the PDF (title and author in its information, outline from the headings), sync and async", async () => {
		const { key } = await signUp();
		await createTemplate(key, { id: "reports/finished", name: "Finished report", html: withHeadings, pdf: { info: { title: "Template title", author: "Template author" }, outline: true } });
		const request = { template_id: "reports/finished", pdf: { info: { title: "Request title", author: "Request author" } } };
		const res = await postJson("/v1/generate", request, { "X-API-Key": key });
		await expectStatus(res, 200);
		expect(await pdfFacts(await res.arrayBuffer())).toEqual({ title: "Request title", author: "Request author", outline: ["Chapter one", "Section one"] });

		const { task_id } = await submitAsync(key, request);
		const task = await waitForTask(key, task_id);
		expect(task.status).toBe("completed");
		const stored = await call(new URL(task.url!).pathname);
		expect(await pdfFacts(await stored.arrayBuffer())).toEqual({ title: "Request title", author: "Request author", outline: ["Chapter one", "Section one"] });
	});

	it("finishing: a pdf only checkPdfSpec refuses (malformed Factur-X XML) is a 400 before any credit, also from a template's default", async () => {
		const { key } = await signUp();
		const facturX = { factur_x: { xml: "<rsm:CrossIndustryInvoice", profile: "MINIMUM" } };
		const res = await postJson("/v1/generate", { html: "<p>x</p>", pdf: facturX }, { "X-API-Key": key });
		expect(res.status).toBe(400);
		expect((await errorOf(res)).details!.fields).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringMatching(/^pdf\.factur_x/) })]));
		const template = await call("/v1/templates", json("POST", key, { id: "bad/facturx", name: "Bad", html: "<p>x</p>", pdf: facturX }));
		expect(template.status).toBe(400);
		expect(await creditsLeft(key)).toBe(50);
	});
});

describe("templates: the pdf default", () => {
	it("is stored with a version, carried over by an update that leaves it out, removed by null, and refused when malformed", async () => {
		const { key } = await signUp();
		await createTemplate(key, { id: "letters/cover", name: "Cover", html: "<p>x</p>", pdf: { outline: true } });
		const kept = await call("/v1/templates/letters/cover", json("PUT", key, { html: "<p>y</p>" }));
		await expectStatus(kept, 200);
		expect(((await kept.json()) as { data: { version: number; pdf: unknown } }).data).toMatchObject({ version: 2, pdf: { outline: true } });
		const removed = await call("/v1/templates/letters/cover", json("PUT", key, { pdf: null }));
		await expectStatus(removed, 200);
		expect(((await removed.json()) as { data: { pdf: unknown } }).data.pdf).toBeNull();
		// Version 1 keeps its default.
		const first = await call("/v1/templates/letters/cover?version=1", { headers: { "X-API-Key": key } });
		expect(((await first.json()) as { data: { pdf: unknown } }).data.pdf).toEqual({ outline: true });

		const bad = await call("/v1/templates", json("POST", key, { id: "letters/bad", name: "Bad", html: "<p>x</p>", pdf: { outline: "yes" } }));
		expect(bad.status).toBe(400);
		expect((await errorOf(bad)).details!.fields).toEqual([expect.objectContaining({ path: "pdf.outline" })]);
	});
});
