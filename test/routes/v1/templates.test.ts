import { describe, expect, it } from "vitest";
import { call, creditsLeft, errorOf, expectStatus, postJson, signUp } from "../../helpers";

interface TemplateBody {
	id: string;
	name: string;
	source: "built-in" | "account";
	version: number;
	latest_version: number;
	html: string;
	sample_data: Record<string, unknown> | null;
	schema: Record<string, unknown> | null;
	options: Record<string, unknown>;
	versions: Array<{ version: number; created_at: string | null }>;
	created_at: string | null;
	updated_at: string | null;
}

const json = (method: string, key: string, body?: unknown): RequestInit => ({
	method,
	headers: { "X-API-Key": key, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
	...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

async function createTemplate(key: string, body: Record<string, unknown>): Promise<TemplateBody> {
	const res = await call("/v1/templates", json("POST", key, body));
	await expectStatus(res, 201);
	return ((await res.json()) as { data: TemplateBody }).data;
}

const receipt = {
	id: "billing/monthly-receipt",
	name: "Monthly receipt",
	html: "<h1>Receipt for {{customer}}</h1><p>{{amount}}</p>",
	sample_data: { customer: "Acme Corp", amount: "$10.00" },
	schema: { type: "object", required: ["customer", "amount"], properties: { customer: { type: "string" }, amount: { type: "string" } } },
	options: { format: "Letter", footer_template: "Page {{page}} of {{pages}}" },
};

describe("GET /v1/templates", () => {
	it("lists the built-in gallery first, then the account's own by id, each with its source", async () => {
		const { key } = await signUp();
		await createTemplate(key, { id: "zeta/last", name: "Last", html: "<p>z</p>" });
		await createTemplate(key, { id: "alpha", name: "First", html: "<p>a</p>" });
		const res = await call("/v1/templates", json("GET", key));
		expect(res.status).toBe(200);
		const { data } = (await res.json()) as { data: Array<{ id: string; name: string; source: string; latest_version: number }> };
		expect(data.filter((t) => t.source === "built-in").map((t) => t.id)).toEqual([
			"invoices/invoice",
			"invoices/receipt",
			"quotes/quote",
			"letters/letter",
			"certificates/certificate",
			"shipping/label",
			"reports/report",
			"shipping/packing-slip",
		]);
		expect(data.slice(8)).toMatchObject([
			{ id: "alpha", name: "First", source: "account", latest_version: 1 },
			{ id: "zeta/last", name: "Last", source: "account", latest_version: 1 },
		]);
		expect(data[0]).toMatchObject({ id: "invoices/invoice", name: "Invoice", source: "built-in", latest_version: 1 });
	});

	it("shows another account none of them", async () => {
		const a = await signUp();
		const b = await signUp();
		await createTemplate(a.key, { id: "private/one", name: "Mine", html: "<p>mine</p>" });
		const { data } = (await (await call("/v1/templates", json("GET", b.key))).json()) as { data: Array<{ source: string }> };
		expect(data.every((t) => t.source === "built-in")).toBe(true);
	});
});

describe("GET /v1/templates/<id>", () => {
	it("reads a built-in by its path-like id, with body, sample data, schema and versions", async () => {
		const { key } = await signUp();
		const res = await call("/v1/templates/invoices/invoice", json("GET", key));
		expect(res.status).toBe(200);
		const { data } = (await res.json()) as { data: TemplateBody };
		expect(data).toMatchObject({ id: "invoices/invoice", name: "Invoice", source: "built-in", version: 1, latest_version: 1, versions: [{ version: 1, created_at: null }] });
		expect(data.html).toContain("{{client}}");
		expect(data.sample_data).toMatchObject({ client: "Acme Corp", total: 564 });
		expect(data.schema).toMatchObject({ required: ["client", "total"] });
		const label = (await (await call("/v1/templates/shipping/label", json("GET", key))).json()) as { data: TemplateBody };
		expect(label.data.options).toEqual({ prefer_css_page_size: true });
	});

	it("404 TEMPLATE_NOT_FOUND for an unknown id, another account's template, or a version that does not exist", async () => {
		const a = await signUp();
		const b = await signUp();
		await createTemplate(a.key, receipt);
		for (const [key, path] of [
			[a.key, "/v1/templates/billing/nothing"],
			[b.key, "/v1/templates/billing/monthly-receipt"],
			[a.key, "/v1/templates/billing/monthly-receipt?version=2"],
			[a.key, "/v1/templates/invoices/invoice?version=2"],
		] as const) {
			const res = await call(path, json("GET", key));
			expect(res.status, path).toBe(404);
			expect((await errorOf(res)).code).toBe("TEMPLATE_NOT_FOUND");
		}
	});
});

describe("POST /v1/templates, PUT /v1/templates/<id>, DELETE /v1/templates/<id>", () => {
	it("creates version 1 (201), then each PUT adds a version and keeps the earlier ones readable", async () => {
		const { key } = await signUp();
		const created = await createTemplate(key, receipt);
		expect(created).toMatchObject({ id: receipt.id, name: receipt.name, source: "account", version: 1, latest_version: 1, html: receipt.html, sample_data: receipt.sample_data, schema: receipt.schema, options: receipt.options });
		expect(created.versions).toEqual([{ version: 1, created_at: created.created_at, created_by: expect.stringMatching(/^qk_live_/) }]);

		const put = await call(`/v1/templates/${receipt.id}`, json("PUT", key, { html: "<h1>Paid by {{customer}}</h1>", name: "Receipt v2" }));
		expect(put.status).toBe(200);
		const updated = ((await put.json()) as { data: TemplateBody }).data;
		// Fields left out are carried over from the newest version.
		expect(updated).toMatchObject({ name: "Receipt v2", version: 2, latest_version: 2, html: "<h1>Paid by {{customer}}</h1>", schema: receipt.schema, sample_data: receipt.sample_data, options: receipt.options });
		expect(updated.versions.map((v) => v.version)).toEqual([1, 2]);

		const third = ((await (await call(`/v1/templates/${receipt.id}`, json("PUT", key, { schema: null, options: null }))).json()) as { data: TemplateBody }).data;
		expect(third).toMatchObject({ version: 3, schema: null, options: {}, html: "<h1>Paid by {{customer}}</h1>" });

		const v1 = ((await (await call(`/v1/templates/${receipt.id}?version=1`, json("GET", key))).json()) as { data: TemplateBody }).data;
		expect(v1).toMatchObject({ version: 1, latest_version: 3, html: receipt.html, schema: receipt.schema });
	});

	it("gives concurrent updates distinct versions", async () => {
		const { key } = await signUp();
		await createTemplate(key, { id: "race", name: "Race", html: "<p>0</p>" });
		const results = await Promise.all(Array.from({ length: 5 }, (_, i) => call("/v1/templates/race", json("PUT", key, { html: `<p>${i + 1}</p>` }))));
		const versions = await Promise.all(results.map(async (r) => ((await r.json()) as { data: TemplateBody }).data.version));
		expect(versions.sort()).toEqual([2, 3, 4, 5, 6]);
	});

	it("deletes a template with all its versions; the id can then be used again", async () => {
		const { key } = await signUp();
		await createTemplate(key, receipt);
		await call(`/v1/templates/${receipt.id}`, json("PUT", key, { html: "<p>v2</p>" }));
		const deleted = await call(`/v1/templates/${receipt.id}`, json("DELETE", key));
		expect(deleted.status).toBe(200);
		expect(await deleted.json()).toEqual({ data: { deleted: true } });
		expect((await call(`/v1/templates/${receipt.id}`, json("GET", key))).status).toBe(404);
		expect((await call(`/v1/templates/${receipt.id}`, json("DELETE", key))).status).toBe(404);
		const again = await createTemplate(key, { ...receipt, html: "<p>new</p>" });
		expect(again).toMatchObject({ version: 1, versions: [{ version: 1 }] });
	});

	it("takes the id with its slashes encoded (%2F, as OpenAPI clients send it) on every route, as well as raw", async () => {
		const { key } = await signUp();
		await createTemplate(key, receipt);
		const encoded = encodeURIComponent(receipt.id);
		expect(encoded).toBe("billing%2Fmonthly-receipt");
		const builtIn = await call("/v1/templates/invoices%2Finvoice", json("GET", key));
		expect(builtIn.status).toBe(200);
		expect(((await builtIn.json()) as { data: TemplateBody }).data).toMatchObject({ id: "invoices/invoice", source: "built-in" });

		const updated = await call(`/v1/templates/${encoded}`, json("PUT", key, { html: "<p>v2</p>" }));
		await expectStatus(updated, 200);
		expect(((await updated.json()) as { data: TemplateBody }).data).toMatchObject({ id: receipt.id, version: 2 });
		for (const path of [`/v1/templates/${encoded}`, "/v1/templates/billing%2fmonthly-receipt", `/v1/templates/${receipt.id}`]) {
			const read = await call(`${path}?version=1`, json("GET", key));
			expect(read.status, path).toBe(200);
			expect(((await read.json()) as { data: TemplateBody }).data, path).toMatchObject({ id: receipt.id, version: 1, latest_version: 2, html: receipt.html });
		}

		const deleted = await call(`/v1/templates/${encoded}`, json("DELETE", key));
		expect(deleted.status).toBe(200);
		expect((await call(`/v1/templates/${receipt.id}`, json("GET", key))).status).toBe(404);
		expect((await call(`/v1/templates/${encoded}`, json("GET", key))).status).toBe(404);
	});

	it("another account can't read, update or delete it: 404", async () => {
		const a = await signUp();
		const b = await signUp();
		await createTemplate(a.key, receipt);
		for (const init of [json("GET", b.key), json("PUT", b.key, { html: "<p>stolen</p>" }), json("DELETE", b.key)]) {
			const res = await call(`/v1/templates/${receipt.id}`, init);
			expect(res.status, init.method).toBe(404);
			expect((await errorOf(res)).code).toBe("TEMPLATE_NOT_FOUND");
		}
		// And b may use the same id for its own.
		await createTemplate(b.key, receipt);
		const mine = ((await (await call(`/v1/templates/${receipt.id}`, json("GET", a.key))).json()) as { data: TemplateBody }).data;
		expect(mine).toMatchObject({ version: 1, html: receipt.html });
	});

	it("409 for an id the account already has or a built-in's id; 403 to change or delete a built-in", async () => {
		const { key } = await signUp();
		await createTemplate(key, receipt);
		const duplicate = await call("/v1/templates", json("POST", key, receipt));
		expect(duplicate.status).toBe(409);
		expect((await errorOf(duplicate)).message).toMatch(/already exists.*PUT/);
		const builtIn = await call("/v1/templates", json("POST", key, { ...receipt, id: "invoices/invoice" }));
		expect(builtIn.status).toBe(409);
		expect((await errorOf(builtIn)).message).toMatch(/built-in/);
		for (const init of [json("PUT", key, { html: "<p>x</p>" }), json("DELETE", key)]) {
			const res = await call("/v1/templates/invoices/invoice", init);
			expect(res.status, init.method).toBe(403);
			expect((await errorOf(res)).code).toBe("FORBIDDEN");
		}
	});

	it("422 TEMPLATE_ERROR naming the line for HTML or a footer that does not parse; nothing is stored", async () => {
		const { key } = await signUp();
		const broken = await call("/v1/templates", json("POST", key, { id: "broken", name: "Broken", html: "<table>\n<tr>\n{{#rows}}\n<td>{{name}}</td>\n</table>" }));
		expect(broken.status).toBe(422);
		const error = await errorOf(broken);
		expect(error).toMatchObject({ code: "TEMPLATE_ERROR", details: { line: 5 } });
		expect(error.message).toMatch(/line 5.*Unclosed section "rows"/);
		expect((await call("/v1/templates/broken", json("GET", key))).status).toBe(404);

		const footer = await call("/v1/templates", json("POST", key, { id: "broken", name: "Broken", html: "<p/>", options: { footer_template: "{{/oops}}" } }));
		expect(footer.status).toBe(422);
		expect((await errorOf(footer)).message).toMatch(/options\.footer_template/);

		await createTemplate(key, { id: "fine", name: "Fine", html: "<p>{{x}}</p>" });
		const put = await call("/v1/templates/fine", json("PUT", key, { html: "{{#x}}" }));
		expect(put.status).toBe(422);
		expect(((await (await call("/v1/templates/fine", json("GET", key))).json()) as { data: TemplateBody }).data.latest_version).toBe(1);
	});

	it("400 naming the field for a bad id, name, size, schema, sample data or options", async () => {
		const { key } = await signUp();
		const base = { id: "ok/id", name: "Ok", html: "<p>{{x}}</p>" };
		const cases: Array<[Record<string, unknown>, string]> = [
			[{ ...base, id: "Invoices/Upper" }, "id"],
			[{ ...base, id: "a//b" }, "id"],
			[{ ...base, id: "/leading" }, "id"],
			[{ ...base, id: "x".repeat(101) }, "id"],
			[{ ...base, name: "  " }, "name"],
			[{ ...base, html: "" }, "html"],
			[{ ...base, html: "é".repeat(600_000) }, "html"],
			[{ ...base, schema: { type: "strin" } }, "schema.type"],
			[{ ...base, schema: { $ref: "https://example.com/s.json" } }, "schema"],
			[{ ...base, schema: { required: ["x"] }, sample_data: { y: 1 } }, "sample_data.x"],
			[{ ...base, sample_data: { big: "x".repeat(300_000) } }, "sample_data"],
			[{ ...base, options: { format: "B9" } }, "options.format"],
			[{ ...base, options: { colour: "red" } }, "options"],
			[{ ...base, shema: {} }, "(body)"],
		];
		for (const [body, field] of cases) {
			const res = await call("/v1/templates", json("POST", key, body));
			const label = JSON.stringify(body).slice(0, 80);
			expect(res.status, label).toBe(400);
			const error = await errorOf(res);
			expect(error.code).toBe("VALIDATION_ERROR");
			expect(JSON.stringify(error.details), label).toContain(`"path":"${field}`);
		}
		await createTemplate(key, base);
		for (const body of [{}, { htm: "<p/>" }]) {
			const res = await call("/v1/templates/ok/id", json("PUT", key, body));
			expect(res.status, JSON.stringify(body)).toBe(400);
		}
	});
});

describe("POST /v1/templates/preview", () => {
	it("returns the rendered HTML for a template and data, sandboxed, without charging", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/templates/preview", { template_id: "invoices/invoice", data: { client: "<Preview & Co>", total: "$1.00" } }, { "X-API-Key": key });
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
		expect(res.headers.get("Content-Security-Policy")).toBe("sandbox");
		const html = await res.text();
		expect(html).toContain("&lt;Preview &amp; Co&gt;");
		expect(html).toContain("$1.00");
		expect(await creditsLeft(key)).toBe(50);
	});

	it("uses the template's sample data when no data is sent, and previews a pinned version or inline HTML", async () => {
		const { key } = await signUp();
		const sample = await (await postJson("/v1/templates/preview", { template_id: "letters/letter" }, { "X-API-Key": key })).text();
		expect(sample).toContain("Dana Whitfield");
		await createTemplate(key, receipt);
		await call(`/v1/templates/${receipt.id}`, json("PUT", key, { html: "<h1>v2 {{customer}}</h1>" }));
		const v1 = await (await postJson("/v1/templates/preview", { template_id: receipt.id, template_version: 1 }, { "X-API-Key": key })).text();
		// As a generation prints it: titled with the template's name, having no <title> of its own.
		expect(v1).toBe("<title>Monthly receipt</title><h1>Receipt for Acme Corp</h1><p>$10.00</p>");
		const inline = await (await postJson("/v1/templates/preview", { html: "<b>{{x}}</b>", data: { x: "y" } }, { "X-API-Key": key })).text();
		expect(inline).toBe("<title>Document</title><b>y</b>");
	});

	it("checks like a generation: 400 for data that does not match, 422 for a template that does not parse, 404 for an unknown one", async () => {
		const { key } = await signUp();
		const bad = await postJson("/v1/templates/preview", { template_id: "invoices/invoice", data: { client: 1 } }, { "X-API-Key": key });
		expect(bad.status).toBe(400);
		expect((await errorOf(bad)).details).toMatchObject({ fields: [{ path: "data.total" }, { path: "data.client" }] });
		expect((await postJson("/v1/templates/preview", { html: "{{#a}}" }, { "X-API-Key": key })).status).toBe(422);
		expect((await postJson("/v1/templates/preview", { template_id: "nope/nope" }, { "X-API-Key": key })).status).toBe(404);
		expect((await postJson("/v1/templates/preview", { html: "<p/>", template_version: 1 }, { "X-API-Key": key })).status).toBe(400);
		expect((await postJson("/v1/templates/preview", { html: "<p/>" })).status).toBe(401);
	});
});
