import { describe, expect, it } from "vitest";
import { RENDER_BUDGET } from "../../src/rendering/templates";
import { MAX_PAGES } from "../../src/rendering/render";
import { creditsLeft, errorOf, postJson, readPdf, signUp } from "../helpers";

describe("limits that protect the service, each refused clearly and charging nothing", () => {
	it("data nested deeper than 32 levels is 400; 32 levels render", async () => {
		const { key } = await signUp();
		const nest = (levels: number) => {
			let value: unknown = "leaf";
			for (let i = 0; i < levels; i++) value = { a: value };
			return value as Record<string, unknown>;
		};
		const deep = await postJson("/v1/generate", { html: "<p>deep</p>", data: nest(33) }, { "X-API-Key": key });
		expect(deep.status).toBe(400);
		expect(JSON.stringify((await errorOf(deep)).details)).toContain('"path":"data"');
		const fine = await postJson("/v1/generate", { html: "<p>{{a.a.a}}</p>", data: nest(32) }, { "X-API-Key": key });
		expect(fine.status).toBe(200);
		expect(await creditsLeft(key)).toBe(49);
	});

	it("a template whose sections multiply past the budget is 422 DOCUMENT_TOO_LARGE, at once", async () => {
		const { key } = await signUp();
		const items = Array.from({ length: 100 }, (_, i) => i);
		const started = Date.now();
		const res = await postJson("/v1/generate", { html: "{{#a}}{{#a}}{{#a}}x{{/a}}{{/a}}{{/a}}", data: { a: items } }, { "X-API-Key": key });
		expect(res.status).toBe(422);
		expect(await errorOf(res)).toMatchObject({ code: "DOCUMENT_TOO_LARGE", message: expect.stringContaining(String(RENDER_BUDGET.iterations)) });
		expect(Date.now() - started).toBeLessThan(5000);
		expect(await creditsLeft(key)).toBe(50);
	});

	it("rendered HTML over 10 MB is 422 DOCUMENT_TOO_LARGE", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { html: "{{#a}}{{x}}{{/a}}", data: { a: Array(20).fill(1), x: "y".repeat(600_000) } }, { "X-API-Key": key });
		expect(res.status).toBe(422);
		expect((await errorOf(res)).message).toMatch(/rendered HTML is over 10 MB/);
		expect(await creditsLeft(key)).toBe(50);
	});

	it(`a document over ${MAX_PAGES} pages is 422 DOCUMENT_TOO_LARGE, refunded; ${MAX_PAGES} pages are fine`, async () => {
		const { key } = await signUp();
		const pages = (n: number) => ({
			html: "<style>p{page-break-after:always;margin:0}</style>{{#pages}}<p>page {{.}}</p>{{/pages}}",
			data: { pages: Array.from({ length: n }, (_, i) => i + 1) },
		});
		const over = await postJson("/v1/generate", pages(MAX_PAGES + 1), { "X-API-Key": key });
		expect(over.status).toBe(422);
		expect(await errorOf(over)).toMatchObject({ code: "DOCUMENT_TOO_LARGE", message: expect.stringMatching(new RegExp(`${MAX_PAGES + 1} pages`)) });
		expect(await creditsLeft(key)).toBe(50);
		const at = await postJson("/v1/generate", pages(MAX_PAGES), { "X-API-Key": key });
		expect(at.status).toBe(200);
		expect((await readPdf(await at.arrayBuffer())).pages).toBe(MAX_PAGES);
		expect(await creditsLeft(key)).toBe(49);
	}, 120_000);
});
