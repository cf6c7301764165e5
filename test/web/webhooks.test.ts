import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalServer, type LocalServer } from "../scripts/local-server";
import { launchBrowser, until, watchPage } from "./browser";

const axeSource = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

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

/** A webhook receiver on loopback (the local server allows loopback targets): records each POST, answers 200 "ok". */
async function startReceiver(): Promise<{ url: string; received: Array<{ headers: Record<string, string>; body: string }>; server: Server }> {
	const received: Array<{ headers: Record<string, string>; body: string }> = [];
	const server = createServer((req, res) => {
		let body = "";
		req.on("data", (chunk) => (body += chunk));
		req.on("end", () => {
			received.push({ headers: req.headers as Record<string, string>, body });
			res.writeHead(200, { "Content-Type": "text/plain" }).end("ok from the receiver");
		});
	});
	await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
	return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, received, server };
}

/** The elements that reach past the viewport's right edge (what makes a phone scroll sideways), to name in a failure. */
function sideways(page: Page): Promise<string[]> {
	return page.evaluate(() =>
		Array.from(document.querySelectorAll("body *"))
			.filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest(".table-scroll, pre"))
			.map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ""}.${Array.from(e.classList).join(".")} ${Math.round(e.getBoundingClientRect().right)}`),
	);
}

const verifies = (secret: string, { headers, body }: { headers: Record<string, string>; body: string }) => {
	const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(headers["quire-signature"] ?? "") ?? [];
	return Boolean(t) && v1 === createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
};

/**
 * The dashboard's webhook endpoints, documents and polish, in a real Chromium against `npm start`'s
 * server: an endpoint added in the page gets an async task's delivery, which shows in its log and
 * is resent from there; the documents list downloads and deletes; the gallery's data editor opens
 * at the top and its "copy as code" follows the data; the usage chart has axes and a legend. No
 * console errors, nothing loaded from elsewhere, no WCAG 2.1 A/AA violation at desktop and phone widths.
 */
describe("dashboard: webhook endpoints, documents, copy as code", () => {
	let server: LocalServer;
	let browser: Browser;
	let receiver: Awaited<ReturnType<typeof startReceiver>>;
	let key: string;
	beforeAll(async () => {
		// The page refreshes while it waits for the queue: the free plan's 60 requests a minute are lifted, as in the Worker's tests.
		const limits = JSON.stringify({ free: { requests_per_minute: 100_000, concurrency: 100 } });
		[server, browser, receiver] = await Promise.all([startLocalServer(["--var", `PLAN_LIMITS:${limits}`]), launchBrowser(), startReceiver()]);
		const res = await fetch(`${server.base}/v1/accounts`, { method: "POST", headers: { "Content-Type": "application/json" }, body: `{"email":"hooks@example.com"}` });
		key = ((await res.json()) as { data: { key: { key: string } } }).data.key.key;
	});
	afterAll(async () => {
		await browser?.close();
		await server?.stop();
		receiver?.server.close();
	});

	it("adds an endpoint, shows an async task's delivery in its log, resends it; lists, downloads and deletes documents", async () => {
		const base = server.base;
		const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
		await context.addInitScript((k) => sessionStorage.setItem("quire.apiKey", k), key);
		const page = await context.newPage();
		page.setDefaultTimeout(90_000);
		const { foreign, errors } = watchPage(page, base);
		const text = (selector: string) => page.locator(selector).innerText();
		/** Clicks Refresh (at most every second, as a person would) and reads `selector`. */
		const refreshed = async (selector: string) => {
			await page.getByRole("button", { name: "Refresh", exact: true }).click();
			await new Promise((r) => setTimeout(r, 1000));
			return text(selector);
		};
		await page.goto(`${base}/dashboard`);
		await page.locator("#app:not([hidden])").waitFor();
		expect(await until(() => text("#endpoint-list tbody"), (v) => v.includes("No endpoints yet"))).toContain("No endpoints yet");
		expect(await until(() => text("#usage-chart"), (v) => v.includes("No documents yet"))).toContain("No documents yet this period");

		// Add the endpoint in the page: its secret is shown once.
		await page.getByLabel("Endpoint URL").fill(receiver.url);
		await page.getByLabel("batch.completed").uncheck();
		await page.getByRole("button", { name: "Add endpoint" }).click();
		await page.locator("#endpoint-created:not([hidden])").waitFor();
		const secret = await text("#endpoint-secret");
		expect(secret).toMatch(/^whsec_/);
		const endpoints = (await (await fetch(`${base}/v1/webhook-endpoints`, { headers: { "X-API-Key": key } })).json()) as { data: Array<{ url: string; events: string[] }> };
		expect(endpoints.data).toEqual([expect.objectContaining({ url: receiver.url, events: ["task.completed", "task.failed"], enabled: true })]);
		expect(await text("#endpoint-list tbody")).toContain(receiver.url);
		expect(await until(() => text("#delivery-list tbody"), (v) => v.includes("Nothing delivered yet"))).toContain("Nothing delivered yet");

		// An async task made through the API (no webhook_url): its delivery appears in the endpoint's log.
		const submitted = await fetch(`${base}/v1/generate`, {
			method: "POST",
			headers: { "X-API-Key": key, "Content-Type": "application/json" },
			body: JSON.stringify({ template_id: "invoices/invoice", data: { client: "Hooked Ltd", total: "$42" }, async_mode: true, return_type: "url" }),
		});
		expect(submitted.status).toBe(202);
		const { task_id } = (await submitted.json()) as { task_id: string };
		const log = await until(() => refreshed("#delivery-list tbody"), (v) => v.includes("task.completed"), 60_000);
		expect(log).toContain("task.completed");
		expect(log).toContain(task_id);
		expect(log).toContain("ok from the receiver");
		expect(await page.locator("#delivery-list tbody tr").count()).toBe(1);
		expect(receiver.received).toHaveLength(1);
		expect(verifies(secret, receiver.received[0]!)).toBe(true);
		expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ type: "task.completed", data: { task_id, status: "completed" } });

		// Resend from the log: the receiver gets the same body again, and the log a second attempt.
		await page.getByRole("button", { name: "Resend task.completed attempt 1" }).click();
		expect(await until(() => page.locator("#delivery-list tbody tr").count(), (n) => n === 2)).toBe(2);
		expect(await text("#endpoint-status")).toMatch(/^Resent task\.completed: 200 in \d+ ms\.$/);
		expect(receiver.received).toHaveLength(2);
		expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
		expect(verifies(secret, receiver.received[1]!)).toBe(true);

		// The documents list: the task's PDF with its template, downloadable, then deleted.
		const documents = await until(() => text("#document-list tbody"), (v) => v.includes("invoices/invoice"));
		expect(documents).toContain("invoices/invoice");
		const link = page.locator("#document-list tbody a").first();
		const href = (await link.getAttribute("href"))!;
		const pdf = await fetch(href);
		expect(pdf.status).toBe(200);
		expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe("%PDF-");
		page.once("dialog", (dialog) => dialog.accept());
		await page.locator("#document-list tbody button", { hasText: "Delete" }).first().click();
		expect(await until(() => text("#document-list tbody"), (v) => v.includes("No stored documents"), 30_000), await text("#documents-status")).toContain("No stored documents");
		expect((await fetch(href)).status).toBe(404);

		// The usage chart: axes, values and a legend now that there is a document.
		const chart = await until(() => refreshed("#usage-caption"), (v) => v.includes("1 live"));
		expect(chart).toContain("1 live");
		const labels = await page.locator("#usage-chart svg text").allTextContents();
		expect(labels).toEqual(expect.arrayContaining(["Live", "Test", "0", "1"]));

		expect(await accessibilityViolations(page)).toEqual([]);
		expect(foreign).toEqual([]);
		expect(errors).toEqual([]);
		await context.close();
	});

	it("the data editor opens at the top, and copy as code follows the template and its data", async () => {
		const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
		await context.addInitScript((k) => sessionStorage.setItem("quire.apiKey", k), key);
		const page = await context.newPage();
		page.setDefaultTimeout(90_000);
		const { foreign, errors } = watchPage(page, server.base);
		await page.goto(`${server.base}/dashboard`);
		await page.getByRole("button", { name: /^Invoice invoices\/invoice/ }).click();
		const editor = page.getByLabel("Data (JSON)");
		await until(() => editor.inputValue(), (v) => v.includes("{"));
		// Long enough to scroll, yet shown from its first line with the caret there.
		expect(await editor.evaluate((e: HTMLTextAreaElement) => [e.scrollHeight > e.clientHeight, e.scrollTop, e.selectionStart])).toEqual([true, 0, 0]);
		expect(await page.content()).not.toMatch(/DokJet|pdfapi/i);

		const snippet = () => page.locator("#code-snippet").innerText();
		expect(await snippet()).toContain(`curl -X POST '${server.base}/v1/generate'`);
		expect(await snippet()).toContain('"template_id": "invoices/invoice"');
		const data = JSON.parse(await editor.inputValue()) as Record<string, unknown>;
		await editor.fill(JSON.stringify({ ...data, client: "Snippet Client" }, null, 2));
		expect(await snippet()).toContain('"client": "Snippet Client"');
		for (const [language, marker] of [["python", "requests.post("], ["javascript", "await fetch("], ["php", "curl_init("], ["go", "http.NewRequest("]] as const) {
			await page.getByLabel("Language").selectOption(language);
			expect(await snippet(), language).toContain(marker);
			expect(await snippet(), language).toContain("Snippet Client");
		}
		await editor.fill("{ not json");
		expect(await snippet()).toContain("not valid JSON");
		expect(foreign).toEqual([]);
		expect(errors).toEqual([]);
		await context.close();
	});

	for (const viewport of [
		{ label: "desktop", width: 1280, height: 900 },
		{ label: "phone", width: 375, height: 740 },
	]) {
		it(`on a ${viewport.label}: the webhooks, documents and code sections have no WCAG A/AA violations and no sideways scrolling`, async () => {
			const context = await browser.newContext({ viewport, bypassCSP: true });
			await context.addInitScript((k) => sessionStorage.setItem("quire.apiKey", k), key);
			const page = await context.newPage();
			page.setDefaultTimeout(90_000);
		page.setDefaultTimeout(90_000);
			const { foreign, errors } = watchPage(page, server.base);
			await page.goto(`${server.base}/dashboard`);
			await page.getByRole("button", { name: `Deliveries to ${receiver.url}` }).click();
			await page.locator("#deliveries-panel:not([hidden]) #delivery-list tbody tr").first().waitFor();
			await page.getByRole("button", { name: /^Invoice invoices\/invoice/ }).click();
			await until(() => page.locator("#code-snippet").innerText(), (v) => v.includes("curl"));
			expect(await accessibilityViolations(page)).toEqual([]);
			expect(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1), (await sideways(page)).join(", ")).toBe(false);
			expect(foreign).toEqual([]);
			expect(errors).toEqual([]);
			await context.close();
		});
	}
});
