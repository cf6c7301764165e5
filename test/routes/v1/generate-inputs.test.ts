import { describe, expect, it } from "vitest";
import { RENDER_BUDGET } from "../../../src/rendering/templates";
import { waitForTask } from "../../helpers-async";
import { call, creditsLeft, errorOf, postJson, readPdf, signUp } from "../../helpers";

/** The three ways a document is asked for: each must refuse bad input before a credit is reserved or a job queued. */
const MODES = { sync: {}, url: { return_type: "url" }, async: { async_mode: true } } as const;

async function tasksOf(key: string): Promise<unknown[]> {
	return ((await (await call("/v1/tasks", { headers: { "X-API-Key": key } })).json()) as { data: unknown[] }).data;
}

describe("client input that can't become a document is a 4xx, with nothing charged or queued", () => {
	for (const [mode, extra] of Object.entries(MODES)) {
		it(`${mode}: a filename with a lone surrogate or a control character is 400 naming filename`, async () => {
			const { key } = await signUp();
			for (const filename of ["a\ud800.pdf", "\udc00", "a\u0000b.pdf", "line\r\nbreak.pdf", "del\u007f.pdf"]) {
				const res = await postJson("/v1/generate", { html: "<p>x</p>", filename, ...extra }, { "X-API-Key": key });
				expect(res.status, JSON.stringify(filename)).toBe(400);
				const error = await errorOf(res);
				expect(error.code).toBe("VALIDATION_ERROR");
				expect(error.details?.fields).toEqual([expect.objectContaining({ path: "filename" })]);
			}
			expect(await creditsLeft(key)).toBe(50);
			expect(await tasksOf(key)).toEqual([]);
		});
	}

	it("positive control: a non-ASCII filename (emoji, a surrogate pair) is fine", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { html: "<p>named</p>", filename: "Rechnung 😀 März.pdf" }, { "X-API-Key": key });
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Disposition")).toContain(`filename*=UTF-8''Rechnung%20%F0%9F%98%80%20M%C3%A4rz.pdf`);
		expect((await readPdf(await res.arrayBuffer())).text).toContain("named");
		expect(await creditsLeft(key)).toBe(49);
	});

	// 200 copies of a 4 MiB value would be an 800 MiB string, past what V8 can hold: the budget
	// must stop the rendering before that string exists.
	const huge = { html: "{{#a}}{{{big}}}{{/a}}", data: { a: Array(200).fill(1), big: "x".repeat(4 * 1024 * 1024) } };

	for (const [mode, extra] of Object.entries(MODES)) {
		it(`${mode}: a section repeating a huge value is 422 DOCUMENT_TOO_LARGE before the HTML is built`, async () => {
			const { key } = await signUp();
			const res = await postJson("/v1/generate", { ...huge, ...extra }, { "X-API-Key": key });
			expect(res.status).toBe(422);
			expect(await errorOf(res)).toMatchObject({ code: "DOCUMENT_TOO_LARGE", message: expect.stringContaining(`over ${RENDER_BUDGET.htmlChars / 1024 / 1024} MB`) });
			expect(await creditsLeft(key)).toBe(50);
			expect(await tasksOf(key)).toEqual([]);
		});
	}

	it("preview: the same template is the same 422", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/templates/preview", huge, { "X-API-Key": key });
		expect(res.status).toBe(422);
		expect((await errorOf(res)).code).toBe("DOCUMENT_TOO_LARGE");
	});

	it("positive control: a large value repeated within the budget renders, in every mode", async () => {
		const { key } = await signUp();
		const within = { html: "<p>{{n}}</p>{{#a}}<!--{{{big}}}-->{{/a}}", data: { n: "within budget", a: Array(4).fill(1), big: "x".repeat(2 * 1024 * 1024) } };
		const sync = await postJson("/v1/generate", within, { "X-API-Key": key });
		expect(sync.status).toBe(200);
		expect((await readPdf(await sync.arrayBuffer())).text).toContain("within budget");
		const url = await postJson("/v1/generate", { ...within, return_type: "url" }, { "X-API-Key": key });
		expect(url.status).toBe(200);
		const queued = await postJson("/v1/generate", { ...within, async_mode: true }, { "X-API-Key": key });
		expect(queued.status).toBe(202);
		const task = await waitForTask(key, ((await queued.json()) as { task_id: string }).task_id);
		expect(task.status).toBe("completed");
		expect(await creditsLeft(key)).toBe(47);
	});
});
