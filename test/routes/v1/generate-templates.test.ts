import { describe, expect, it } from "vitest";
import { BUILT_IN_TEMPLATES } from "../../../src/rendering/templates";
import { call, creditsLeft, errorOf, expectStatus, postJson, readPdf, readPdfPages, signUp } from "../../helpers";

/**
 * Sample values that shape the document rather than being printed as text: styles, the currency
 * and locale amounts are formatted in (its symbol shows, not its code), and what is drawn as a code
 * (a QR code's text is decoded back in test/templates/helpers-decode.test.ts).
 */
const NOT_TEXT = new Set(["accent_color", "barcode", "trend", "tone", "align", "currency", "locale", "payment_qr"]);

/** Every string (and number) in sample data that the document should show, with where it sits. */
function shownValues(data: unknown, path = ""): Array<{ path: string; value: string }> {
	if (typeof data === "string" || typeof data === "number") return [{ path, value: String(data) }];
	if (Array.isArray(data)) return data.flatMap((item, i) => shownValues(item, `${path}.${i}`));
	if (data && typeof data === "object") {
		return Object.entries(data).flatMap(([key, value]) => (NOT_TEXT.has(key) ? [] : shownValues(value, path ? `${path}.${key}` : key)));
	}
	return [];
}

/** Text as compared: case and spacing aside (templates uppercase some labels; PDF text loses line breaks). */
const normalized = (text: string) => text.toLowerCase().replace(/\s+/g, "");

describe("built-in templates", () => {
	for (const template of BUILT_IN_TEMPLATES.values()) {
		it(`${template.id} renders its sample data into a PDF that shows every value`, async () => {
			const { key } = await signUp();
			const res = await postJson("/v1/generate", { template_id: template.id, data: template.sampleData }, { "X-API-Key": key });
			await expectStatus(res, 200);
			const pdf = await readPdf(await res.arrayBuffer());
			const text = normalized(pdf.text);
			const missing = shownValues(template.sampleData).filter(({ value }) => !value.split("\n").every((line) => text.includes(normalized(line))));
			expect(missing).toEqual([]);
		});
	}

	// Finding 5 of issue 12: `{{accent_color}}` sits inside every built-in's <style>.
	const CSS_BREAKING = ["red} .totals{display:none} .x{color:red", "url(http:\\2f \\2f 127.0.0.1:9/x)"];

	for (const template of BUILT_IN_TEMPLATES.values()) {
		it(`${template.id} refuses a colour that breaks out of its CSS (400 naming data.accent_color), and prints a valid one`, async () => {
			const { key } = await signUp();
			for (const accent_color of CSS_BREAKING) {
				const res = await postJson("/v1/generate", { template_id: template.id, data: { ...template.sampleData, accent_color } }, { "X-API-Key": key });
				expect(res.status, accent_color).toBe(400);
				const error = await errorOf(res);
				expect(error.code).toBe("VALIDATION_ERROR");
				expect(error.details?.fields).toEqual([expect.objectContaining({ path: "data.accent_color" })]);
			}
			expect(await creditsLeft(key)).toBe(50);
			const valid = await postJson("/v1/generate", { template_id: template.id, data: { ...template.sampleData, accent_color: "rgb(15, 118, 110)" } }, { "X-API-Key": key });
			await expectStatus(valid, 200);
			const pdf = await readPdf(await valid.arrayBuffer());
			expect(pdf.pages).toBeGreaterThanOrEqual(1);
			expect(pdf.text.length).toBeGreaterThan(0);
			expect(await creditsLeft(key)).toBe(49);
		});
	}

	it("print the label on a 4 × 6 in page and the certificate on landscape A4, by default", async () => {
		const { key } = await signUp();
		const sizes: Record<string, [number, number]> = { "shipping/label": [288, 432], "certificates/certificate": [842, 595], "invoices/invoice": [595, 842] };
		for (const [id, [width, height]] of Object.entries(sizes)) {
			const res = await postJson("/v1/generate", { template_id: id, data: BUILT_IN_TEMPLATES.get(id)!.sampleData }, { "X-API-Key": key });
			const pages = await readPdfPages(await res.arrayBuffer());
			expect(pages.length, id).toBe(1);
			// Chromium rounds paper sizes up by less than a point (A4 is 595.92 × 842.88).
			expect(Math.abs(pages[0]!.width - width), `${id} width ${pages[0]!.width}`).toBeLessThan(1);
			expect(Math.abs(pages[0]!.height - height), `${id} height ${pages[0]!.height}`).toBeLessThan(1);
		}
	});

	it("a multi-page report repeats its table's header row on every page and never splits a row", async () => {
		const { key } = await signUp();
		const report = BUILT_IN_TEMPLATES.get("reports/report")!;
		const sample = report.sampleData as { table: { columns: Array<{ label: string }>; rows: string[][] } };
		// Three times the sample's rows, each with a unique order number: enough for several pages.
		const rows = [...sample.table.rows, ...sample.table.rows, ...sample.table.rows].map((cells, i) => [cells[0]!, `ORD-${String(i + 1).padStart(3, "0")}`, ...cells.slice(2)]);
		const res = await postJson("/v1/generate", { template_id: "reports/report", data: { ...sample, table: { ...sample.table, rows } } }, { "X-API-Key": key });
		expect(res.status).toBe(200);
		const pages = await readPdfPages(await res.arrayBuffer());
		expect(pages.length).toBeGreaterThanOrEqual(3);
		const tablePages = pages.filter((page) => /ORD-\d{3}/.test(page.text));
		expect(tablePages.length).toBeGreaterThanOrEqual(2);
		const header = normalized(sample.table.columns.map((c) => c.label).join(""));
		for (const page of tablePages) expect(normalized(page.text)).toContain(header);
		for (const cells of rows) {
			// A row's first and last cells are on the page that holds its order number.
			const holding = pages.filter((page) => page.text.includes(cells[1]!));
			expect(holding.length, cells[1]).toBe(1);
			const text = normalized(holding[0]!.text);
			expect(text, cells[1]).toContain(normalized(`${cells[0]}${cells[1]}${cells[2]}`));
			expect(text, cells[1]).toContain(normalized(`${cells[1]}${cells.slice(2).join("")}`));
		}
		pages.forEach((page, i) => expect(page.text).toContain(`Page ${i + 1} of ${pages.length}`));
	});
});

const json = (method: string, key: string, body?: unknown): RequestInit => ({
	method,
	headers: { "X-API-Key": key, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
	...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

async function generateText(key: string, body: Record<string, unknown>): Promise<string> {
	const res = await postJson("/v1/generate", body, { "X-API-Key": key });
	await expectStatus(res, 200);
	return (await readPdf(await res.arrayBuffer())).text;
}

describe("account templates in generation", () => {
	it("create → generate → update → generate (new text) → generate with template_version 1 (old text); another account gets 404", async () => {
		const { key } = await signUp();
		const created = await call("/v1/templates", json("POST", key, { id: "letters/thank-you", name: "Thank you", html: "<h1>Thank you, {{name}}!</h1>" }));
		expect(created.status).toBe(201);
		expect(await generateText(key, { template_id: "letters/thank-you", data: { name: "Ada" } })).toContain("Thank you, Ada!");

		const updated = await call("/v1/templates/letters/thank-you", json("PUT", key, { html: "<h1>Many thanks, {{name}}.</h1>" }));
		expect(updated.status).toBe(200);
		const latest = await generateText(key, { template_id: "letters/thank-you", data: { name: "Ada" } });
		expect(latest).toContain("Many thanks, Ada.");
		expect(latest).not.toContain("Thank you");
		expect(await generateText(key, { template_id: "letters/thank-you", template_version: 2, data: { name: "Ada" } })).toContain("Many thanks, Ada.");
		const pinned = await generateText(key, { template_id: "letters/thank-you", template_version: 1, data: { name: "Ada" } });
		expect(pinned).toContain("Thank you, Ada!");
		expect(await creditsLeft(key)).toBe(46);

		const other = await signUp();
		for (const body of [{ template_id: "letters/thank-you" }, { template_id: "letters/thank-you", template_version: 1 }]) {
			const res = await postJson("/v1/generate", { ...body, data: { name: "Eve" } }, { "X-API-Key": other.key });
			expect(res.status).toBe(404);
			expect(await errorOf(res)).toMatchObject({ code: "TEMPLATE_NOT_FOUND" });
		}
		expect(await creditsLeft(other.key)).toBe(50);
	});

	it("escapes data in {{ }} and prints markup from {{{ }}} as markup", async () => {
		const { key } = await signUp();
		await call("/v1/templates", json("POST", key, { id: "notes", name: "Notes", html: "<p>{{note}}</p><div>{{{trusted}}}</div>" }));
		const text = await generateText(key, { template_id: "notes", data: { note: "<b>5 < 6</b> & <script>x</script>", trusted: "<i>italic</i>" } });
		expect(text).toContain("<b>5 < 6</b> & <script>x</script>");
		expect(text).toContain("italic");
		expect(text).not.toContain("<i>");
	});

	it("uses the template's default options, each replaced by the request's", async () => {
		const { key } = await signUp();
		const options = { format: "A5", footer_template: "<div>{{company}} · {{page}}/{{pages}}</div>" };
		await call("/v1/templates", json("POST", key, { id: "small", name: "Small", html: "<p>Body</p>", options }));
		const res = await postJson("/v1/generate", { template_id: "small", data: { company: "Northwind" } }, { "X-API-Key": key });
		const [page] = await readPdfPages(await res.arrayBuffer());
		expect(Math.abs(page!.width - 420)).toBeLessThan(1); // A5: 148 × 210 mm
		expect(page!.text).toContain("Northwind · 1/1");
		const letter = await postJson("/v1/generate", { template_id: "small", data: { company: "Northwind" }, options: { format: "Letter" } }, { "X-API-Key": key });
		const [replaced] = await readPdfPages(await letter.arrayBuffer());
		expect(Math.round(replaced!.width)).toBe(612);
		expect(replaced!.text).toContain("Northwind · 1/1");
	});

	it("a built-in has only version 1", async () => {
		const { key } = await signUp();
		expect(await generateText(key, { template_id: "invoices/invoice", template_version: 1, data: { client: "Acme Corp", total: "$1" } })).toContain("Acme Corp");
		const res = await postJson("/v1/generate", { template_id: "invoices/invoice", template_version: 2, data: { client: "Acme Corp", total: "$1" } }, { "X-API-Key": key });
		expect(res.status).toBe(404);
		expect(await errorOf(res)).toMatchObject({ code: "TEMPLATE_NOT_FOUND", message: expect.stringMatching(/only version 1/) });
		const inline = await postJson("/v1/generate", { html: "<p/>", template_version: 1 }, { "X-API-Key": key });
		expect(inline.status).toBe(400);
		expect(JSON.stringify((await errorOf(inline)).details)).toContain('"path":"template_version"');
	});
});

describe("schema validation and dry runs", () => {
	it("refuses data that does not match the template's schema with 400 naming each field, sync or async, and charges nothing", async () => {
		const { key } = await signUp();
		const data = { client: 42, items: [{ description: "Work" }], company: { name: ["x"] } };
		for (const extra of [{}, { async_mode: true }, { dry_run: true }]) {
			const res = await postJson("/v1/generate", { template_id: "invoices/invoice", data, ...extra }, { "X-API-Key": key });
			expect(res.status, JSON.stringify(extra)).toBe(400);
			const error = await errorOf(res);
			expect(error.code).toBe("VALIDATION_ERROR");
			expect(error.details).toEqual({
				fields: [
					{ path: "data.total", message: "is required" },
					{ path: "data.company.name", message: "must be string, not array" },
					{ path: "data.client", message: "must be string, not number" },
					{ path: "data.items.0.amount", message: "is required" },
				],
			});
			expect(error.message).toMatch(/data\.total: is required/);
		}
		expect(await creditsLeft(key)).toBe(50);
	});

	it("applies an account template's own schema", async () => {
		const { key } = await signUp();
		const schema = { type: "object", required: ["email"], properties: { email: { type: "string", format: "email" } } };
		await call("/v1/templates", json("POST", key, { id: "welcome", name: "Welcome", html: "<p>{{email}}</p>", schema }));
		const res = await postJson("/v1/generate", { template_id: "welcome", data: { email: "not-an-email" } }, { "X-API-Key": key });
		expect(res.status).toBe(400);
		expect((await errorOf(res)).details).toMatchObject({ fields: [{ path: "data.email", message: expect.stringMatching(/email/) }] });
		expect(await generateText(key, { template_id: "welcome", data: { email: "ada@example.com" } })).toContain("ada@example.com");
		expect(await creditsLeft(key)).toBe(49);
	});

	it("dry_run checks everything, answers what would be charged, and neither renders nor charges", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { template_id: "invoices/invoice", data: { client: "Acme Corp", total: "$564" }, dry_run: true }, { "X-API-Key": key });
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ dry_run: true, valid: true, credits_required: 1, credits_left: 50 });
		expect(await creditsLeft(key)).toBe(50);

		const broken = await postJson("/v1/generate", { html: "<p>{{#open}}</p>", dry_run: true }, { "X-API-Key": key });
		expect(broken.status).toBe(422);
		const missing = await postJson("/v1/generate", { template_id: "nope/nope", dry_run: true }, { "X-API-Key": key });
		expect(missing.status).toBe(404);
		const badWebhook = await postJson("/v1/generate", { html: "<p/>", async_mode: true, webhook_url: "http://10.0.0.1/hook", dry_run: true }, { "X-API-Key": key });
		expect(badWebhook.status).toBe(400);

		const created = (await (await postJson("/v1/keys", { name: "test", mode: "test" }, { "X-API-Key": key })).json()) as { data: { key: string } };
		const test = await postJson("/v1/generate", { html: "<p/>", dry_run: true }, { "X-API-Key": created.data.key });
		expect(await test.json()).toEqual({ dry_run: true, valid: true, credits_required: 0, credits_left: 50, test_documents_left: 100 });
	});
});
