import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalServer, type LocalServer } from "../scripts/local-server";
import { accessibilityViolations, emailedLink, launchBrowser, sideways, signInByEmail, until, watchPage } from "./browser";

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 740 };
const OWNER = "hooks@example.com";

/**
 * The dashboard's documents, usage chart, data editor and copy as code, and its webhook endpoint
 * and document sections as each role sees them, in a real Chromium against `npm start`'s server.
 * (Adding an endpoint in the page, its delivery log and resend are the journey in accounts.test.ts.)
 * No console errors, nothing loaded from elsewhere, no WCAG 2.1 A/AA violation at desktop and phone widths.
 */
describe("dashboard: documents, chart, copy as code, and the new sections by role", () => {
	let server: LocalServer;
	let browser: Browser;
	let key: string;
	/** The owner's signed-in cookie, signed in once by email and reused by each test's fresh context. */
	let owner: Awaited<ReturnType<BrowserContext["storageState"]>>;
	beforeAll(async () => {
		// Each Refresh reloads every section: the free plan's 60 requests a minute are lifted, as in the Worker's tests.
		const limits = JSON.stringify({ free: { requests_per_minute: 100_000, concurrency: 100 } });
		[server, browser] = await Promise.all([startLocalServer(["--var", `PLAN_LIMITS:${limits}`]), launchBrowser()]);
		const res = await fetch(`${server.base}/v1/accounts`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email: OWNER }) });
		key = ((await res.json()) as { data: { key: { key: string } } }).data.key.key;
		const context = await browser.newContext();
		await signInByEmail(await context.newPage(), server, OWNER);
		owner = await context.storageState();
		await context.close();
	});
	afterAll(async () => {
		await browser?.close();
		await server?.stop();
	});

	/** A page of a fresh context signed in as the owner, watched for foreign requests and console errors. */
	async function ownerPage(viewport = DESKTOP) {
		const context = await browser.newContext({ viewport, bypassCSP: true, storageState: owner });
		const page = await context.newPage();
		page.setDefaultTimeout(90_000);
		const watch = watchPage(page, server.base);
		await page.goto(`${server.base}/dashboard`);
		await page.locator("#app:not([hidden])").waitFor();
		return { context, page, watch };
	}

	/** Makes a stored PDF of the invoice through the API (as a customer's code would): its URL. */
	async function storedInvoice(client: string): Promise<string> {
		const res = await fetch(`${server.base}/v1/generate`, {
			method: "POST",
			headers: { "X-API-Key": key, "Content-Type": "application/json" },
			body: JSON.stringify({ template_id: "invoices/invoice", data: { client, total: "$42" }, return_type: "url" }),
		});
		expect(res.status).toBe(200);
		return ((await res.json()) as { url: string }).url;
	}

	it("lists, downloads and deletes documents, and charts them with axes and a legend", async () => {
		const { context, page, watch } = await ownerPage();
		const text = (selector: string) => page.locator(selector).innerText();
		/** Clicks Refresh (at most every second, as a person would) and reads `selector`. */
		const refreshed = async (selector: string) => {
			await page.getByRole("button", { name: "Refresh", exact: true }).click();
			await new Promise((r) => setTimeout(r, 1000));
			return text(selector);
		};
		expect(await until(() => text("#usage-chart"), (v) => v.includes("No documents yet"))).toContain("No documents yet this period");
		expect(await until(() => text("#document-list tbody"), (v) => v.includes("No stored documents"))).toContain("No stored documents");

		await storedInvoice("Listed Ltd");
		const documents = await until(() => refreshed("#document-list tbody"), (v) => v.includes("invoices/invoice"));
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
		expect(watch.foreign).toEqual([]);
		expect(watch.errors).toEqual([]);
		await context.close();
	});

	it("the data editor opens at the top, and copy as code follows the template and its data", async () => {
		const { context, page, watch } = await ownerPage();
		await page.getByRole("button", { name: "Preview Invoice", exact: true }).click();
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
		// The code and documents sections at a phone's width: accessible, nothing reaching past the right edge.
		await page.setViewportSize(PHONE);
		expect(await accessibilityViolations(page)).toEqual([]);
		expect(await sideways(page)).toEqual([]);
		expect(watch.foreign).toEqual([]);
		expect(watch.errors).toEqual([]);
		await context.close();
	});

	it("a viewer sees endpoints, deliveries and documents without add, enable/disable, delete or resend; a developer has them all", async () => {
		// The owner's account gets an endpoint (to a closed port: its deliveries fail, and are logged) and an async task's PDF.
		const hook = "http://127.0.0.1:9/hook";
		const created = await fetch(`${server.base}/v1/webhook-endpoints`, {
			method: "POST",
			headers: { "X-API-Key": key, "Content-Type": "application/json" },
			body: JSON.stringify({ url: hook, events: ["task.completed"] }),
		});
		expect(created.status).toBe(201);
		const endpointId = ((await created.json()) as { data: { id: string } }).data.id;
		const submitted = await fetch(`${server.base}/v1/generate`, {
			method: "POST",
			headers: { "X-API-Key": key, "Content-Type": "application/json" },
			body: JSON.stringify({ template_id: "invoices/invoice", data: { client: "Roles Ltd", total: "$42" }, async_mode: true, return_type: "url" }),
		});
		expect(submitted.status, await submitted.clone().text()).toBe(202);
		const deliveries = () =>
			fetch(`${server.base}/v1/webhook-endpoints/${endpointId}/deliveries`, { headers: { "X-API-Key": key } }).then(async (r) => ((await r.json()) as { data: Array<{ id: string }> }).data);
		const [delivery] = await until(deliveries, (d) => d.length > 0, 60_000);
		expect(delivery).toBeDefined();

		// The owner invites a viewer and a developer; each follows their emailed link (the viewer on a phone).
		const { context: ownerContext, page: owner } = await ownerPage();
		for (const [email, role] of [["watcher@example.com", "viewer"], ["builder@example.com", "developer"]]) {
			const status = await owner.evaluate(async (body) => (await fetch("/v1/members", { method: "POST", headers: { "Content-Type": "application/json" }, body })).status, JSON.stringify({ email, role }));
			expect(status, email).toBe(201);
		}
		await ownerContext.close();
		/** The member's dashboard, signed in by their invitation's link, with the endpoint's deliveries open. */
		const memberPage = async (email: string, viewport: typeof DESKTOP) => {
			const context = await browser.newContext({ viewport, bypassCSP: true });
			const page = await context.newPage();
			page.setDefaultTimeout(90_000);
			const watch = watchPage(page, server.base);
			await page.goto(await emailedLink(server, email));
			await page.locator("#app:not([hidden])").waitFor();
			await page.getByRole("button", { name: `Deliveries to ${hook}` }).click();
			await page.locator("#deliveries-panel:not([hidden]) #delivery-list tbody tr").first().waitFor();
			await until(() => page.locator("#document-list tbody a").count(), (n) => n > 0);
			return { context, page, watch };
		};
		const buttons = (page: Page, name: RegExp) => page.getByRole("button", { name }).count();

		const viewer = await memberPage("watcher@example.com", PHONE);
		expect(await viewer.page.locator("#session-role").innerText()).toBe("viewer");
		expect(await viewer.page.locator("#endpoint-form").isHidden()).toBe(true);
		expect(await buttons(viewer.page, /^Deliveries to /)).toBe(1);
		expect(await buttons(viewer.page, /^(Enable|Disable|Delete|Resend) /)).toBe(0);
		expect(await viewer.page.locator("#document-list tbody a").count()).toBeGreaterThan(0);
		expect(await viewer.page.locator("#document-list tbody button").count()).toBe(0);
		expect(await accessibilityViolations(viewer.page)).toEqual([]);
		expect(await sideways(viewer.page)).toEqual([]);
		// The API refuses the viewer all the same.
		const refused = await viewer.page.evaluate(
			async ([endpoint, id]) => [
				(await fetch(`/v1/webhook-endpoints/${endpoint}/deliveries/${id}/resend`, { method: "POST" })).status,
				(await fetch(`/v1/webhook-endpoints/${endpoint}`, { method: "DELETE" })).status,
			],
			[endpointId, delivery!.id],
		);
		expect(refused).toEqual([403, 403]);

		// Positive control: the developer, on a desktop, has the form and every button.
		const developer = await memberPage("builder@example.com", DESKTOP);
		expect(await developer.page.locator("#session-role").innerText()).toBe("developer");
		expect(await developer.page.locator("#endpoint-form").isVisible()).toBe(true);
		expect(await buttons(developer.page, /^Disable /)).toBe(1);
		expect(await buttons(developer.page, /^Delete http/)).toBe(1);
		expect(await buttons(developer.page, /^Resend /)).toBeGreaterThan(0);
		expect(await developer.page.locator("#document-list tbody button", { hasText: "Delete" }).count()).toBeGreaterThan(0);
		expect(await accessibilityViolations(developer.page)).toEqual([]);

		for (const { watch } of [viewer, developer]) expect(watch.foreign).toEqual([]);
		expect(viewer.watch.errors.filter((e) => !/status of 403/.test(e))).toEqual([]);
		expect(developer.watch.errors).toEqual([]);
		await viewer.context.close();
		await developer.context.close();
	});
});
