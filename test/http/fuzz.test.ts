import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { call, signUp, topUp } from "../helpers";

/** Values that have broken JSON APIs before: wrong types, huge or odd numbers, prototype keys, markup, control characters. */
const hostile = fc.oneof(
	fc.constantFrom(null, true, false, 0, -1, 1e308, -0, Number.MAX_SAFE_INTEGER + 2, "", " ", "null", "__proto__", "constructor", "{{", "}}", "{{#a}}", "{{/a}}", "{{>partial}}", "{{=<% %>=}}", "<script>alert(1)</script>", "\u0000", "\ud800", "../../etc/passwd", "%00", "A4", "Letter", "binary", "url", "base64", "1-2", "10mm"),
	fc.string({ maxLength: 40 }),
	fc.integer(),
	fc.double(),
	fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 4 }),
	fc.dictionary(fc.string({ maxLength: 8 }), fc.anything({ maxDepth: 2 }), { maxKeys: 4 }),
);

/** Bodies shaped like each route's request, with any field missing, valid, or hostile. */
const generateBody = fc.record(
	{
		template_id: fc.oneof(fc.constantFrom("invoices/invoice", "invoices/nope"), hostile),
		html: fc.oneof(fc.constantFrom("<p>{{x}}</p>", "{{#x}}", "<h1>fuzz</h1>"), hostile),
		data: fc.oneof(fc.dictionary(fc.string({ maxLength: 6 }), fc.anything({ maxDepth: 3 }), { maxKeys: 5 }), hostile),
		return_type: fc.oneof(fc.constantFrom("binary", "url", "base64"), hostile),
		async_mode: fc.oneof(fc.boolean(), hostile),
		webhook_url: fc.oneof(fc.constantFrom("http://127.0.0.1:1/x", "https://example.com/hook", "file:///etc/passwd"), hostile),
		options: fc.oneof(
			fc.record({ format: hostile, landscape: hostile, margin: fc.oneof(fc.record({ top: hostile, left: hostile }, { requiredKeys: [] }), hostile), scale: hostile, page_ranges: hostile }, { requiredKeys: [] }),
			hostile,
		),
		filename: hostile,
		metadata: hostile,
		__proto__: hostile,
	},
	{ requiredKeys: [] },
);
/** Bodies one field away from valid: these render real PDFs (and must charge exactly once each). */
const nearlyValidGenerate = fc.record(
	{
		source: fc.oneof(fc.constant({ template_id: "invoices/invoice" }), fc.constant({ html: "<p>{{client}} {{total}}</p>" }), fc.record({ html: fc.string({ minLength: 1, maxLength: 80 }) })),
		data: fc.dictionary(fc.constantFrom("client", "total", "items", "notes", "__proto__"), fc.anything({ maxDepth: 2 }), { maxKeys: 4 }),
		return_type: fc.constantFrom("binary", "url", "base64"),
		async_mode: fc.constantFrom(false, false, false, true),
		options: fc.oneof(fc.constant({}), fc.record({ format: fc.constantFrom("A4", "Letter", "B9"), landscape: fc.boolean(), scale: fc.double({ min: 0, max: 3, noNaN: true }), page_ranges: fc.constantFrom("1", "1-2", "9", "x") }, { requiredKeys: [] })),
		// Names that can't become a header or an object's metadata (a lone surrogate, control characters) are refused up front.
		filename: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("a\ud800.pdf", "\udc00", "a\u0000b.pdf", "line\r\nbreak.pdf")),
	},
	{ requiredKeys: ["source", "data"] },
).map(({ source, ...rest }) => ({ ...source, ...rest }));

const keyBody = fc.record({ name: fc.oneof(fc.string({ maxLength: 120 }), hostile), mode: fc.oneof(fc.constantFrom("live", "test"), hostile) }, { requiredKeys: [] });
const templateBody = fc.record(
	{
		id: fc.oneof(fc.constantFrom("mine/a", "invoices/invoice", "../x", "a//b", "UPPER/case", "x".repeat(200)), fc.stringMatching(/^[a-z0-9][a-z0-9/_-]{0,20}$/), hostile),
		name: fc.oneof(fc.string({ maxLength: 40 }), hostile),
		html: fc.oneof(fc.constantFrom("<p>{{x}}</p>", "{{#open}}", "<h1>t</h1>"), fc.string({ maxLength: 60 }), hostile),
		sample_data: fc.oneof(fc.dictionary(fc.string({ maxLength: 6 }), fc.anything({ maxDepth: 2 }), { maxKeys: 3 }), hostile),
		schema: fc.oneof(fc.constant({ type: "object", required: ["x"] }), fc.constant({ type: "nonsense" }), fc.constant({ pattern: "(a+)+$" }), hostile),
		options: fc.oneof(fc.record({ format: hostile, margin: hostile }, { requiredKeys: [] }), hostile),
	},
	{ requiredKeys: [] },
);
const accountBody = fc.record({ email: fc.oneof(fc.emailAddress(), hostile) }, { requiredKeys: [] });

/** The raw body: JSON of a shaped or arbitrary value, or text that is not JSON at all. */
const raw = (shaped: fc.Arbitrary<unknown>) =>
	fc.oneof(
		{ weight: 6, arbitrary: shaped.map((v) => JSON.stringify(v)) },
		{ weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
		{ weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
	);
const contentType = fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "");

describe("fuzzing the request schemas", () => {
	it("generate, keys, templates (and preview) and accounts: thousands of random and hostile bodies, never a 5xx, never a charge for a 4xx", { timeout: 180_000 }, async () => {
		const { key, accountId } = await signUp();
		await topUp(accountId, 10_000);
		const credits = async () => ((await (await call("/v1/credits", { headers: { "X-API-Key": key } })).json()) as { credits_left: number }).credits_left;
		const before = await credits();
		const statuses: Record<number, number> = {};
		let paid = 0;
		const tasks: string[] = [];

		const routes: Array<[string, fc.Arbitrary<unknown>, number]> = [
			["/v1/generate", fc.oneof({ weight: 5, arbitrary: generateBody }, { weight: 1, arbitrary: nearlyValidGenerate }), 1200],
			["/v1/keys", keyBody, 500],
			["/v1/templates", templateBody, 600],
			["/v1/templates/preview", fc.oneof(generateBody, nearlyValidGenerate), 400],
			["/v1/accounts", accountBody, 500],
		];
		for (const [path, shaped, runs] of routes) {
			await fc.assert(
				fc.asyncProperty(raw(shaped), contentType, async (body, type) => {
					const headers: Record<string, string> = { "X-API-Key": key };
					if (type) headers["Content-Type"] = type;
					const res = await call(path, { method: "POST", headers, body });
					statuses[res.status] = (statuses[res.status] ?? 0) + 1;
					// Bytes decoded rather than res.text(): a 200 is a PDF, and reading a PDF as text makes workerd warn.
					const text = new TextDecoder().decode(await res.arrayBuffer());
					if (path === "/v1/generate" && res.status === 200) paid++;
					// An async job is charged when it completes; one that fails is refunded.
					if (path === "/v1/generate" && res.status === 202) tasks.push((JSON.parse(text) as { task_id: string }).task_id);
					expect(res.status, `${path} ${body.slice(0, 200)}`).toBeLessThan(500);
					if (res.status >= 400) expect(JSON.parse(text).error.code, text).toMatch(/^[A-Z_]+$/);
				}),
				{ numRuns: runs },
			);
		}
		// Every charge is a sync PDF or a completed async job; nothing else charged.
		for (const id of tasks) {
			let status = "queued";
			for (let i = 0; i < 300 && (status === "queued" || status === "processing"); i++) {
				if (i > 0) await new Promise((r) => setTimeout(r, 100));
				status = ((await (await call(`/v1/tasks/${id}`, { headers: { "X-API-Key": key } })).json()) as { status: string }).status;
			}
			if (status === "completed") paid++;
		}
		expect(before - (await credits())).toBe(paid);
		expect(Object.keys(statuses).map(Number).every((s) => s < 500)).toBe(true);
		console.log(`fuzz statuses: ${JSON.stringify(statuses)}; documents charged: ${paid}`);
	});

	it("data nested past the limit, at any depth up to far past the stack: 400 on generate, preview and template sample data, never a 5xx", async () => {
		const { key } = await signUp();
		const nested = (depth: number, kind: "object" | "array" | "mixed") => {
			let value: unknown = kind === "object" ? { leaf: null } : [null];
			for (let i = 1; i < depth; i++) value = kind === "object" || (kind === "mixed" && i % 2) ? { n: value, z: null } : [value, null];
			return value;
		};
		const post = (path: string, body: unknown) => call(path, { method: "POST", headers: { "X-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify(body) });
		const bodies = (deep: unknown): Array<[string, unknown]> => [
			["/v1/generate", { template_id: "invoices/invoice", data: { deep } }],
			["/v1/generate", { html: "<p>{{#deep}}x{{/deep}}</p>", data: { deep }, async_mode: true }],
			["/v1/templates/preview", { template_id: "invoices/invoice", data: { deep } }],
			["/v1/templates/preview", { html: "<p>{{#deep}}x{{/deep}}</p>", data: { deep } }],
			["/v1/templates", { id: "deep/sample", name: "Deep", html: "<p>{{#deep}}x{{/deep}}</p>", sample_data: { deep } }],
		];
		await fc.assert(
			fc.asyncProperty(fc.oneof(fc.integer({ min: 32, max: 64 }), fc.integer({ min: 64, max: 10_000 }), fc.constant(5_000)), fc.constantFrom("object", "array", "mixed"), async (depth, kind) => {
				for (const [path, body] of bodies(nested(depth, kind))) {
					const res = await post(path, body);
					const text = await res.text();
					expect(res.status, `${path} ${kind} ${depth}: ${text.slice(0, 200)}`).toBe(400);
					expect(JSON.parse(text).error.code).toBe("VALIDATION_ERROR");
				}
			}),
			{ numRuns: 25 },
		);
		// The positive control: 31 levels under `data` (32 with it) pass the same routes.
		const fine = nested(31, "mixed");
		expect((await post("/v1/templates/preview", { html: "<p>{{#deep}}x{{/deep}}</p>", data: { deep: fine } })).status).toBe(200);
		expect((await post("/v1/templates", { id: "deep/fine", name: "Fine", html: "<p>{{#deep}}x{{/deep}}</p>", sample_data: { deep: fine } })).status).toBe(201);
		expect((await post("/v1/templates/preview", { template_id: "deep/fine" })).status).toBe(200);
	});
});
