import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { extractText, getDocumentProxy, getResolvedPDFJS } from "unpdf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalServer, type LocalServer } from "../scripts/local-server";
import { FONT_NAME, FONT_OTF, PNG } from "../fixtures/assets";
import { launchBrowser, signInByEmail, until, watchPage } from "./browser";

const axeSource = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** The text of a PDF's pages, read back with pdf.js (unpdf). */
async function pdfText(bytes: Uint8Array): Promise<{ pages: number; text: string }> {
	const { totalPages, text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
	return { pages: totalPages, text };
}

/** The name of the font each text run of a PDF's first page is drawn with, with its text (as test/helpers.ts's readPdfGlyphs). */
async function fontRuns(bytes: Uint8Array): Promise<Array<{ font: string; text: string }>> {
	const { OPS } = await getResolvedPDFJS();
	const page = await (await getDocumentProxy(new Uint8Array(bytes))).getPage(1);
	const { fnArray, argsArray } = await page.getOperatorList();
	const runs: Array<{ font: string; text: string }> = [];
	let font = "";
	for (const [i, fn] of fnArray.entries()) {
		if (fn === OPS.setFont) font = (page.commonObjs.get(argsArray[i][0]) as { name: string }).name;
		if (fn !== OPS.showText) continue;
		const glyphs = argsArray[i][0] as Array<number | { unicode: string }>;
		runs.push({ font, text: glyphs.map((g) => (typeof g === "object" && g ? g.unicode : "")).join("") });
	}
	return runs;
}

/** What the preview shows: every page canvas's pixels, as data URLs. */
const previewImages = (page: Page) => page.$$eval("#studio-preview-pages canvas", (canvases) => canvases.map((c) => (c as HTMLCanvasElement).toDataURL()));

/** axe-core's WCAG 2.1 A and AA rules on the page as it is now: the violations, one line each. */
async function accessibilityViolations(page: Page): Promise<string[]> {
	await page.addScriptTag({ path: axeSource });
	const violations = await page.evaluate(async () => {
		type Violation = { id: string; impact: string; help: string; nodes: Array<{ target: string[] }> };
		const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Violation[] }> } }).axe;
		return (await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })).violations;
	});
	return violations.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

/**
 * Search and replace in one of the editor's code editors, through CodeMirror's own search panel
 * (Ctrl-F), as a person would; waits for the preview request the edit causes and returns it.
 */
async function replaceInEditor(page: Page, part: string, find: string, replace: string) {
	await page.getByRole("tab", { name: part === "html" ? "HTML" : part }).click();
	await page.locator(`#part-${part} .cm-content`).click();
	await page.keyboard.press("Control+f");
	const panel = page.locator(`#part-${part} .cm-search`);
	await panel.locator("input[name=case]").check(); // CodeMirror's search ignores case by default
	await panel.locator("input[name=search]").fill(find);
	await panel.locator("input[name=replace]").fill(replace);
	await panel.locator("button[name=replaceAll]").click();
	await page.keyboard.press("Escape");
}

describe("the template editor, end to end", () => {
	let server: LocalServer;
	let browser: Browser;
	let key: string;
	beforeAll(async () => {
		// The free plan's 60 requests a minute would bind: the editor previews as it is typed in, and the test reads back through the API.
		const limits = JSON.stringify({ free: { requests_per_minute: 100_000 } });
		[server, browser] = await Promise.all([startLocalServer(["--var", `PLAN_LIMITS:${limits}`]), launchBrowser()]);
		const res = await fetch(`${server.base}/v1/accounts`, { method: "POST", headers: { "Content-Type": "application/json" }, body: `{"email":"studio@example.com"}` });
		key = ((await res.json()) as { data: { key: { key: string } } }).data.key.key;
	});
	afterAll(async () => {
		await browser?.close();
		await server?.stop();
	});

	it("creates a template from the invoice, edits it with a live preview, shows a syntax error at its line, saves, diffs, restores, pins, and generates with it", async () => {
		const base = server.base;
		// The pages' real Content-Security-Policy applies: CodeMirror and pdf.js must work under it.
		const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
		const { foreign, errors } = watchPage(page, base);
		const text = (selector: string) => page.locator(selector).innerText();
		const api = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { ...init, headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" } });

		// Sign in, by email.
		await signInByEmail(page, server, "studio@example.com");
		await page.locator("#template-list li").first().waitFor();

		// The gallery: a grid of cards, each with its thumbnail, served from this origin.
		const cards = page.locator("#template-list .template-card");
		expect(await cards.count()).toBeGreaterThanOrEqual(8);
		const thumbnail = page.getByRole("img", { name: "First page of the Invoice template" });
		await until(() => thumbnail.evaluate((img) => (img as HTMLImageElement).naturalWidth), (w) => w > 0);
		expect(await thumbnail.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(100);
		const columns = await page.locator("#template-list").evaluate((list) => getComputedStyle(list).gridTemplateColumns.split(" ").length);
		expect(columns).toBeGreaterThanOrEqual(3);

		// Create a template from the invoice: version 1, opened in the editor with its first preview.
		await page.getByRole("button", { name: "Use this template: Invoice" }).click();
		await page.locator("#create-id").fill("my-invoice");
		await page.locator("#create-name").fill("My invoice");
		const firstPreview = page.waitForResponse((r) => r.url() === `${base}/v1/generate` && r.request().method() === "POST");
		await page.getByRole("button", { name: "Create template" }).click();
		await page.locator("#studio:not([hidden])").waitFor();
		expect(await text("#studio-title")).toBe("My invoice (my-invoice)");
		const first = await firstPreview;
		expect(first.status()).toBe(200);
		expect(JSON.parse(first.request().postData()!)).toMatchObject({ test: true });
		expect((await pdfText(await first.body())).text).toContain("INVOICE");
		await until(() => text("#studio-preview-status"), (v) => /^1 page, rendered in \d+ ms/.test(v));
		expect(await text("#studio-preview-status")).toMatch(/^1 page, rendered in \d+ ms \(test mode, no credits used\)\.$/);
		const before = await previewImages(page);
		expect(before).toHaveLength(1);
		expect(await page.getByRole("img", { name: "Page 1 of 1" }).count()).toBe(1);
		// CodeMirror's own styles apply under the page's CSP (line numbers in a gutter beside the text).
		expect(await page.locator("#part-html .cm-gutters").evaluate((g) => getComputedStyle(g).display)).toBe("flex");
		// The CSS is its own tab, and the HTML tab shows where it goes.
		await page.getByRole("tab", { name: "CSS" }).click();
		expect(await page.locator("#part-css .cm-content").innerText()).toContain("font-family");
		await page.getByRole("tab", { name: "HTML" }).click();
		expect(await page.locator("#part-html .cm-content").innerText()).toContain("/* in the CSS tab */");

		// Change the heading: the preview is made again (debounced), and its page image changes.
		const edited = page.waitForResponse((r) => r.url() === `${base}/v1/generate` && r.request().postData()?.includes("FACTURE") === true);
		await replaceInEditor(page, "html", "INVOICE", "FACTURE");
		const second = await edited;
		expect(second.status()).toBe(200);
		expect(second.headers()["content-type"]).toBe("application/pdf");
		const after = await until(() => previewImages(page), (images) => images.length === 1 && images[0] !== before[0]);
		expect(after[0]).not.toBe(before[0]);

		// A Mustache syntax error: shown at its line (inline and in the list), not as a blank preview.
		const refused = page.waitForResponse((r) => r.url() === `${base}/v1/generate` && r.status() === 422);
		await replaceInEditor(page, "html", "FACTURE", "FACTURE {{#oops}}");
		expect((await (await refused).json()).error).toMatchObject({ code: "TEMPLATE_ERROR", details: { line: expect.any(Number) } });
		const problem = await until(() => text("#studio-problems"), (v) => v.includes("line"));
		// Mustache notices it at the end of the template; the editor points at the tag left open.
		expect(problem).toMatch(/^HTML, line 17: Unclosed section "oops": opened here, still open on line \d+$/);
		const marked = page.locator("#part-html .cm-line:has(.cm-lintRange-error)");
		await marked.first().waitFor();
		expect(await marked.innerText()).toContain("FACTURE {{#oops}}");
		expect(await page.locator("#part-html .cm-lint-marker-error").count()).toBe(1);
		expect(await previewImages(page)).toEqual(after); // the last good preview stays
		expect(await text("#studio-preview-status")).toContain("last version that rendered");

		// Fix it: the problems go, the preview comes back.
		const fixed = page.waitForResponse((r) => r.url() === `${base}/v1/generate` && r.status() === 200);
		await replaceInEditor(page, "html", " {{#oops}}", "");
		await fixed;
		await until(() => text("#studio-problems"), (v) => v === "");
		expect(await page.locator("#part-html .cm-lintRange-error").count()).toBe(0);
		await until(() => text("#studio-preview-status"), (v) => v.startsWith("1 page, rendered"));

		// Sample data that breaks the schema: the field is marked in the sample data, before any request.
		await page.getByRole("tab", { name: "Sample data" }).click();
		await replaceInEditor(page, "sample", '"total"', '"totals"');
		const schemaProblem = await until(() => text("#studio-problems"), (v) => v.includes("Sample data"));
		expect(schemaProblem).toContain("sample_data.total is required");
		await replaceInEditor(page, "sample", '"totals"', '"total"');
		await until(() => text("#studio-problems"), (v) => v === "");

		// Save: version 2, made by this member.
		await page.getByRole("button", { name: "Save as a new version" }).click();
		await until(() => text("#studio-status"), (v) => v === "Saved as version 2.");
		expect(await page.locator("#versions tbody tr").count()).toBe(2);
		expect(await text("#versions tbody tr:first-child")).toContain("studio@example.com");
		const v2 = (await (await api("/v1/templates/my-invoice?version=2")).json()) as { data: { html: string } };
		expect(v2.data.html).toContain("<h1>FACTURE</h1>");
		expect(v2.data.html).toContain("font-family"); // the CSS went back into the HTML

		// The diff of versions 1 and 2: the heading's line, removed and added.
		await page.getByLabel("Compare version").selectOption("1");
		await page.getByLabel("with version").selectOption("2");
		await page.getByRole("button", { name: "Show the changes" }).click();
		await page.locator("#diff-output:not([hidden])").waitFor();
		expect((await text("#diff-output del")).trimEnd()).toMatch(/^- \s*<h1>INVOICE<\/h1>$/);
		expect((await text("#diff-output ins")).trimEnd()).toMatch(/^\+ \s*<h1>FACTURE<\/h1>$/);
		expect(await text("#diff-summary")).toBe("v1 → v2: 1 line added, 1 removed.");

		// Restore version 1: version 3, with version 1's content.
		await page.getByRole("button", { name: "Restore version 1" }).click();
		await until(() => text("#studio-status"), (v) => v === "Restored version 1 as version 3.");
		const [v1, v3] = await Promise.all(
			[1, 3].map(async (v) => ((await (await api(`/v1/templates/my-invoice?version=${v}`)).json()) as { data: { html: string; sample_data: unknown } }).data),
		);
		expect(v3!.html).toBe(v1!.html);
		expect(v3!.sample_data).toEqual(v1!.sample_data);
		expect(await page.locator("#versions tbody tr").count()).toBe(3);

		// Pin version 2 for the API example.
		await page.getByRole("button", { name: "Pin version 2" }).click();
		await until(() => text("#studio-example"), (v) => v.includes('"template_version":2'));
		expect(((await (await api("/v1/templates/my-invoice")).json()) as { data: { pinned_version: number } }).data.pinned_version).toBe(2);

		// Upload a logo and a font: each shown with its preview, and counted against the quota.
		await page.locator("#asset-files").setInputFiles([
			{ name: "logo.png", mimeType: "image/png", buffer: Buffer.from(PNG) },
			{ name: "nimbus-mono.otf", mimeType: "font/otf", buffer: Buffer.from(FONT_OTF) },
		]);
		await until(() => text("#asset-status"), (v) => v.startsWith("Uploaded"));
		expect(await text("#asset-status")).toBe("Uploaded logo.png, nimbus-mono.otf.");
		const logo = page.getByRole("img", { name: "Preview of logo.png" });
		expect(await until(() => logo.evaluate((img) => (img as HTMLImageElement).naturalWidth), (w) => w === 40)).toBe(40);
		const fontSample = page.getByLabel("nimbus-mono.otf sample");
		// The sample is set in the uploaded font, loaded into the page from the file.
		const family = await until(() => fontSample.evaluate((s) => getComputedStyle(s).fontFamily), (f) => /^"?asset-/.test(f));
		expect(family).toMatch(/^"?asset-ast_/);
		expect(await page.evaluate((f) => document.fonts.check(`16px ${f.split(",")[0]}`), family)).toBe(true);
		expect(await text("#asset-quota")).toMatch(/^2 of 200 assets/);

		// Use them: the logo after the heading (the cursor put at the end of its line), the font in the CSS and on the heading.
		await page.getByRole("tab", { name: "HTML" }).click();
		await page.locator("#part-html .cm-line", { hasText: "<h1>INVOICE</h1>" }).click();
		await page.keyboard.press("End");
		await page.getByRole("button", { name: "Insert logo.png" }).click();
		await page.getByRole("button", { name: "Insert nimbus-mono.otf" }).click();
		expect(await text("#asset-status")).toBe("Inserted nimbus-mono.otf into the template.");
		await page.locator("#part-css .cm-content").click();
		await page.keyboard.press("Control+End");
		const withAssets = page.waitForResponse((r) => r.url() === `${base}/v1/generate` && r.status() === 200 && r.request().postData()?.includes("h1 { font-family") === true);
		await page.keyboard.insertText('\nh1 { font-family: "nimbus-mono"; font-weight: normal; }\n'); // a real weight: Chromium draws a synthetic bold as a Type 3 font
		const assetPreview = await withAssets;
		const previewBody = JSON.parse(assetPreview.request().postData()!) as { html: string };
		expect(previewBody.html).toMatch(/<h1>INVOICE<\/h1><img src="https:\/\/assets\.quire\.invalid\/[^"]+\/logo\.png" alt="logo">/);
		expect(previewBody.html).toMatch(/@font-face \{\n {2}font-family: "nimbus-mono";\n {2}src: url\("https:\/\/assets\.quire\.invalid\/[^"]+\/nimbus-mono\.otf"\);/);
		await page.getByRole("button", { name: "Save as a new version" }).click();
		await until(() => text("#studio-status"), (v) => v === "Saved as version 4.");

		// Generate through the API with the saved template: the logo and the font are in the PDF.
		const sample = ((await (await api("/v1/templates/my-invoice")).json()) as { data: { sample_data: Record<string, unknown> } }).data.sample_data;
		const live = await api("/v1/generate", { method: "POST", body: JSON.stringify({ template_id: "my-invoice", data: sample }) });
		expect(live.status).toBe(200);
		const liveBytes = new Uint8Array(await live.arrayBuffer());
		expect((await pdfText(liveBytes)).text).toContain("INVOICE");
		// The uploaded font draws the heading, and nothing else (the heading is letter-spaced: drawn a few glyphs at a time).
		const inFont = (await fontRuns(liveBytes)).filter((run) => run.font.includes(FONT_NAME));
		expect(inFont.map((run) => run.text).join("")).toBe("INVOICE");
		const file = join(mkdtempSync(join(tmpdir(), "studio-")), "invoice.pdf");
		writeFileSync(file, liveBytes);
		const images = execFileSync("pdfimages", ["-list", file], { encoding: "utf8" });
		expect(images).toMatch(/^\s*1\s+\d+\s+image\s+40\s+20\s/m);
		// The pinned version on request.
		const pinned = await api("/v1/generate", { method: "POST", body: JSON.stringify({ template_id: "my-invoice", template_version: 2, data: sample, test: true }) });
		expect((await pdfText(new Uint8Array(await pinned.arrayBuffer()))).text).toContain("FACTURE");

		expect(foreign).toEqual([]);
		// The browser logs each refused request; the 422s of the syntax error were expected.
		expect(errors.filter((e) => !e.includes("status of 422"))).toEqual([]);
		expect(errors.filter((e) => e.includes("status of 422")).length).toBeGreaterThan(0);
		await page.close();
	});

	for (const viewport of [
		{ label: "desktop", width: 1280, height: 900 },
		{ label: "phone", width: 390, height: 844 },
	]) {
		it(`the editor on a ${viewport.label}: no WCAG 2.1 A/AA violations, no sideways scrolling`, async () => {
			// axe is injected as a script, which the pages' CSP would rightly refuse.
			const context = await browser.newContext({ viewport, bypassCSP: true });
			// An account of its own: the journey may have used its account's requests for this minute.
			const res = await fetch(`${server.base}/v1/accounts`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email: `studio-${viewport.label}@example.com` }) });
			expect(res.status).toBe(201);
			const ownKey = ((await res.json()) as { data: { key: { key: string } } }).data.key.key;
			// A logo uploaded before this visit: its preview is fetched on request (GET /v1/assets/{id}/content).
			const uploaded = await fetch(`${server.base}/v1/assets?name=logo.png`, { method: "POST", headers: { Authorization: `Bearer ${ownKey}` }, body: Buffer.from(PNG) });
			expect(uploaded.status).toBe(201);
			const page = await context.newPage();
			const { foreign, errors } = watchPage(page, server.base);
			await signInByEmail(page, server, `studio-${viewport.label}@example.com`);
			await page.getByRole("button", { name: "Show a preview of logo.png" }).click();
			const logo = page.getByRole("img", { name: "Preview of logo.png" });
			expect(await until(() => logo.evaluate((img) => (img as HTMLImageElement).naturalWidth), (w) => w === 40)).toBe(40);
			await page.getByRole("button", { name: "New template" }).click();
			await page.locator("#create-id").fill(`blank-${viewport.label}`);
			await page.locator("#create-name").fill(`Blank on a ${viewport.label}`);
			await page.getByRole("button", { name: "Create template" }).click();
			await page
				.locator("#studio-preview-pages canvas")
				.waitFor({ timeout: 120_000 })
				.catch(async (error: Error) => {
					const shown = await Promise.all(["#create-status", "#studio-status", "#studio-preview-status", "#studio-problems", "#status"].map(async (s) => `${s}: ${await page.locator(s).innerText()}`));
					throw new Error(`${error.message}\n${shown.join("\n")}\n${errors.join("\n")}`);
				});
			// A problem shown too, so its styles are checked.
			await replaceInEditor(page, "sample", '"World"', "1");
			await page.locator("#studio-problems li").waitFor();

			expect(await accessibilityViolations(page)).toEqual([]);
			expect(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1)).toBe(false);
			expect(foreign).toEqual([]);
			expect(errors).toEqual([]);
			await context.close();
		});
	}
});
