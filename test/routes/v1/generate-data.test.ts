import { describe, expect, it } from "vitest";
import { getDocumentProxy } from "unpdf";
import { BUILT_IN_TEMPLATES } from "../../../src/rendering/templates";
import { creditsLeft, errorOf, expectStatus, postJson, readPdf, signUp } from "../../helpers";
import { getTask, submitAsync } from "../../helpers-async";

const TEMPLATE = "<h1>{{client.name}}</h1><p>{{client.address.city}}</p>{{#items}}<p>{{sku}} {{qty}}</p>{{/items}}<p>{{note}}</p>";
const DATA = { client: { name: "Acme", address: {} }, items: [{ sku: "A-1", qty: 2 }, { qty: 1 }], note: null };
const MISSING = ["client.address.city", "items[].sku"];

/** The PDF's Info dictionary /Title, as pdf.js reads it. */
async function pdfTitle(bytes: ArrayBuffer): Promise<unknown> {
	const pdf = await getDocumentProxy(new Uint8Array(bytes));
	const { info } = (await pdf.getMetadata()) as { info: { Title?: string } };
	return info.Title;
}

describe("missing template variables", () => {
	it("are listed in url and base64 answers and counted in X-Missing-Variables, binary answers included", async () => {
		const { key } = await signUp();
		const url = await postJson("/v1/generate", { html: TEMPLATE, data: DATA, return_type: "url" }, { "X-API-Key": key });
		expect(url.status).toBe(200);
		expect(url.headers.get("X-Missing-Variables")).toBe("2");
		expect(((await url.json()) as { missing_variables: string[] }).missing_variables).toEqual(MISSING);

		const base64 = await postJson("/v1/generate", { html: TEMPLATE, data: DATA, return_type: "base64" }, { "X-API-Key": key });
		expect(((await base64.json()) as { missing_variables: string[] }).missing_variables).toEqual(MISSING);

		const binary = await postJson("/v1/generate", { html: TEMPLATE, data: DATA }, { "X-API-Key": key });
		expect(binary.headers.get("Content-Type")).toBe("application/pdf");
		expect(binary.headers.get("X-Missing-Variables")).toBe("2");
		await binary.arrayBuffer();

		// Complete data: no header, no field (the positive control is above).
		const complete = await postJson("/v1/generate", { html: TEMPLATE, data: { ...DATA, client: { name: "A", address: { city: "B" } }, items: [] }, return_type: "base64" }, { "X-API-Key": key });
		expect(complete.headers.get("X-Missing-Variables")).toBeNull();
		expect(await complete.json()).not.toHaveProperty("missing_variables");
	});

	it("are listed in dry runs and on async tasks, and replayed with an Idempotency-Key", async () => {
		const { key } = await signUp();
		const dry = await postJson("/v1/generate", { html: TEMPLATE, data: DATA, dry_run: true }, { "X-API-Key": key });
		expect(dry.headers.get("X-Missing-Variables")).toBe("2");
		expect(await dry.json()).toMatchObject({ dry_run: true, missing_variables: MISSING });

		const { task_id } = await submitAsync(key, { html: TEMPLATE, data: DATA });
		expect(((await getTask(key, task_id)) as { missing_variables?: string[] }).missing_variables).toEqual(MISSING);
		const { task_id: complete } = await submitAsync(key, { html: "<p>{{a}}</p>", data: { a: 1 } });
		expect(await getTask(key, complete)).not.toHaveProperty("missing_variables");

		const headers = { "X-API-Key": key, "Idempotency-Key": crypto.randomUUID() };
		const first = await postJson("/v1/generate", { html: TEMPLATE, data: DATA }, headers);
		await first.arrayBuffer();
		const replay = await postJson("/v1/generate", { html: TEMPLATE, data: DATA }, headers);
		expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
		expect(replay.headers.get("X-Missing-Variables")).toBe("2");
		await replay.arrayBuffer();
	});

	it("strict: true makes them a 400 listing each path, with nothing charged; complete data passes", async () => {
		const { key } = await signUp();
		const before = await creditsLeft(key);
		const res = await postJson("/v1/generate", { html: TEMPLATE, data: DATA, strict: true, options: { footer_template: "{{company}}" } }, { "X-API-Key": key });
		expect(res.status).toBe(400);
		const error = await errorOf(res);
		expect(error.code).toBe("VALIDATION_ERROR");
		expect((error.details!.fields as Array<{ path: string }>).map((f) => f.path)).toEqual(["data.client.address.city", "data.items[].sku", "data.company"]);
		expect(await creditsLeft(key)).toBe(before);

		const ok = await postJson("/v1/generate", { html: "<p>{{a}} {{b}}</p>", data: { a: "x", b: false }, strict: true }, { "X-API-Key": key });
		expect(ok.status).toBe(200);
		await ok.arrayBuffer();
	});

	it("leave out a built-in template's optional fields, which its schema declares", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { template_id: "invoices/invoice", data: { client: "Acme Corp", total: "$564" }, strict: true, dry_run: true }, { "X-API-Key": key });
		expect(res.status).toBe(200);
		expect(await res.json()).not.toHaveProperty("missing_variables");
	});

	it("are counted by POST /v1/templates/preview", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/templates/preview", { html: TEMPLATE, data: DATA }, { "X-API-Key": key });
		expect(res.status).toBe(200);
		expect(res.headers.get("X-Missing-Variables")).toBe("2");
		await res.text();
	});
});

describe("the PDF's title", () => {
	it("is the template's name, else the file name, else Document, for HTML without a <title>; the document's own <title> when it has one", async () => {
		const { key } = await signUp();
		const title = async (body: Record<string, unknown>) => {
			const res = await postJson("/v1/generate", body, { "X-API-Key": key });
			await expectStatus(res, 200);
			return pdfTitle(await res.arrayBuffer());
		};
		expect(await title({ html: "<!doctype html><p>x</p>", filename: "Q3 <report> & co.pdf" })).toBe("Q3 <report> & co");
		expect(await title({ html: "<p>x</p>" })).toBe("Document");
		const created = await postJson("/v1/templates", { id: "notes/untitled", name: "Meeting <notes>", html: "<p>{{x}}</p>" }, { "X-API-Key": key });
		await expectStatus(created, 201);
		expect(await title({ template_id: "notes/untitled", filename: "n.pdf" })).toBe("Meeting <notes>");
		// Built-ins have a <title> of their own, kept.
		expect(await title({ template_id: "letters/letter", data: BUILT_IN_TEMPLATES.get("letters/letter")!.sampleData })).toBe(BUILT_IN_TEMPLATES.get("letters/letter")!.sampleData.subject);
		expect(await title({ html: "<!-- c --><!DOCTYPE html><html><head><title>Own &amp; title</title></head><body><svg><title>chart</title></svg>x</body></html>", filename: "f.pdf" })).toBe("Own & title");
		// A <title> inside an SVG is not the page's.
		expect(await title({ html: "<svg><title>chart</title></svg><p>x</p>", filename: "svg.pdf" })).toBe("svg");
	});

	it("is put after the doctype, keeping a standards-mode document in standards mode", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { html: "<!-- lead --><!DOCTYPE html><script>document.write(document.compatMode)</script>" }, { "X-API-Key": key });
		expect((await readPdf(await res.arrayBuffer())).text).toContain("CSS1Compat");
		// Positive control: the same page without a doctype is in quirks mode.
		const quirks = await postJson("/v1/generate", { html: "<script>document.write(document.compatMode)</script>" }, { "X-API-Key": key });
		expect((await readPdf(await quirks.arrayBuffer())).text).toContain("BackCompat");
	});
});
