import type { Browser } from "playwright-core";
import { extractText, getDocumentProxy } from "unpdf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalServer, type LocalServer } from "../scripts/local-server";
import { launchBrowser, signInByEmail, until, watchPage } from "./browser";

/**
 * A new user's first visit, in a real headless Chromium against `npm start`'s server: every step
 * goes through the pages' own forms and buttons, and what they claim is checked against the API.
 */
describe("the web pages, end to end", () => {
	let server: LocalServer;
	let browser: Browser;
	beforeAll(async () => {
		[server, browser] = await Promise.all([startLocalServer(), launchBrowser()]);
	});
	afterAll(async () => {
		await browser?.close();
		await server?.stop();
	});

	it("signs up, shows the key once, creates a second key, previews a template as a PDF, revokes a key and counts usage", async () => {
		const base = server.base;
		const page = await browser.newPage();
		const { foreign, errors } = watchPage(page, base);
		const text = (selector: string) => page.locator(selector).innerText();
		const refreshed = async (selector: string) => {
			await page.getByRole("button", { name: "Refresh" }).click();
			return text(selector);
		};

		// The landing page leads to sign-up.
		await page.goto(`${base}/`);
		expect(await page.getByRole("heading", { level: 1 }).innerText()).toContain("PDF");
		await page.getByRole("link", { name: "Get an API key" }).click();

		// Sign up: the first key is shown once.
		await page.getByLabel("Email").fill("e2e@example.com");
		await page.getByRole("button", { name: "Create account" }).click();
		await page.locator("#signup-done:not([hidden]), #signup-error:not(:empty)").first().waitFor();
		expect(await text("#signup-error")).toBe("");
		const firstKey = await text("#new-key");
		expect(firstKey).toMatch(/^qk_live_[0-9A-Za-z]+$/);
		const credits = await fetch(`${base}/v1/credits`, { headers: { "X-API-Key": firstKey } });
		expect(credits.status).toBe(200);

		// Once: the page does not show it again, and the API only ever lists its preview.
		await page.reload();
		expect(await page.locator("#signup-done").isHidden()).toBe(true);
		expect(await page.content()).not.toContain(firstKey);

		// The dashboard signs the account's email in by a link (no key is kept in the browser).
		await signInByEmail(page, server, "e2e@example.com");
		expect(await until(() => text("#credits-left"), (v) => v === "50")).toBe("50");
		expect(await text("#pdfs-generated")).toBe("0 of 50");
		expect(await text("#plan")).toBe("free");
		expect(await until(() => page.locator("#key-list tbody tr").count(), (n) => n === 1)).toBe(1);
		expect(await page.content()).not.toContain(firstKey);

		// A second key, shown once in the page and usable at once.
		await page.getByLabel("Name", { exact: true }).fill("CI server");
		await page.getByRole("button", { name: "Create key" }).click();
		await page.locator("#key-created").waitFor();
		const secondKey = await text("#key-created-value");
		expect(secondKey).toMatch(/^qk_live_/);
		expect(secondKey).not.toBe(firstKey);
		await until(() => page.locator("#key-list tbody tr").count(), (n) => n === 2);
		expect(await text("#key-list")).toContain("CI server");
		expect(await text("#key-list")).not.toContain(secondKey);
		expect((await fetch(`${base}/v1/credits`, { headers: { Authorization: `Bearer ${secondKey}` } })).status).toBe(200);

		// The gallery: the invoice with edited data, previewed as a real PDF in test mode, drawn by pdf.js.
		await page.getByRole("button", { name: "Preview Invoice" }).click();
		const data = page.getByLabel("Data (JSON)");
		await until(() => data.inputValue(), (v) => v.includes("{"));
		const sample = JSON.parse(await data.inputValue()) as Record<string, unknown>;
		await data.fill(JSON.stringify({ ...sample, client: "Globex Browser Test" }, null, 2));
		const [response] = await Promise.all([
			page.waitForResponse((r) => r.url() === `${base}/v1/generate` && r.request().method() === "POST"),
			page.getByRole("button", { name: "Preview PDF" }).click(),
		]);
		expect(response.status()).toBe(200);
		expect(response.headers()["content-type"]).toBe("application/pdf");
		expect(JSON.parse(response.request().postData()!)).toMatchObject({ template_id: "invoices/invoice", test: true });
		// The page drawn as an image, and the PDF behind the download link, read back from its blob: URL.
		await page.getByRole("img", { name: "Page 1 of 1" }).waitFor();
		expect(await page.locator("#preview-download").getAttribute("href")).toMatch(/^blob:/);
		const shown = await page.evaluate(async () => {
			const link = document.getElementById("preview-download") as HTMLAnchorElement;
			return Array.from(new Uint8Array(await (await fetch(link.href)).arrayBuffer()));
		});
		const pdf = await getDocumentProxy(new Uint8Array(shown));
		const { totalPages, text: pdfText } = await extractText(pdf, { mergePages: true });
		expect(totalPages).toBe(1);
		expect(pdfText).toContain("Globex Browser Test");
		expect(pdfText).toContain("TEST");
		expect(await text("#preview-status")).toMatch(/^1 page, \d+ KB, shown in \d+ ms; test mode \(no credits used\)\.$/);

		// The preview cost nothing, and counts as a test document.
		expect(await until(() => text("#test-today"), (v) => v.startsWith("1 "))).toBe("1 of 100");
		expect(await text("#credits-left")).toBe("50");

		// A live document made through the API (as a customer's code would) shows up in the usage.
		const live = await fetch(`${base}/v1/generate`, {
			method: "POST",
			headers: { "X-API-Key": firstKey, "Content-Type": "application/json" },
			body: JSON.stringify({ html: "<h1>Hello {{name}}</h1>", data: { name: "live document" } }),
		});
		expect(live.status).toBe(200);
		expect(await until(() => refreshed("#pdfs-generated"), (v) => v === "1 of 50")).toBe("1 of 50");
		expect(await text("#credits-left")).toBe("49");
		const chart = await until(
			() => page.locator("#usage-chart svg").getAttribute("aria-label"),
			(v) => v?.startsWith("1 documents and 1 test") ?? false,
		);
		expect(chart).toMatch(/^1 documents and 1 test documents this period/);
		const log = await until(() => refreshed("#generations tbody"), (v) => v.includes("inline HTML") && v.includes("invoices/invoice"));
		expect(log).toContain("inline HTML");
		expect(log).toContain("invoices/invoice");

		// Revoke the second key: the page asks first, the list shrinks, and the key stops working.
		page.once("dialog", (dialog) => dialog.accept());
		await page.getByRole("button", { name: "Revoke CI server" }).click();
		await until(() => page.locator("#key-list tbody tr").count(), (n) => n === 1);
		expect(await text("#status")).toContain('Revoked "CI server"');
		expect((await fetch(`${base}/v1/credits`, { headers: { Authorization: `Bearer ${secondKey}` } })).status).toBe(401);
		// The sign-up key is still listed, and still works.
		expect(await page.getByRole("button", { name: /^Revoke/ }).count()).toBe(1);
		expect((await fetch(`${base}/v1/credits`, { headers: { "X-API-Key": firstKey } })).status).toBe(200);

		// The webhook secret: created once, shown once.
		await page.getByRole("button", { name: "Create a secret" }).click();
		await page.locator("#webhook-created").waitFor();
		expect(await text("#webhook-secret")).toMatch(/^whsec_/);
		expect(await until(() => text("#webhook-state"), (v) => v.startsWith("A secret is set"))).toContain("shown once");

		// Signing out ends the session; nothing was ever kept in the tab's storage.
		await page.getByRole("button", { name: "Sign out" }).click();
		await page.locator("#signin:not([hidden])").waitFor();
		expect(await page.evaluate(() => sessionStorage.length + localStorage.length)).toBe(0);
		await page.reload();
		await page.locator("#signin").waitFor();

		expect(foreign).toEqual([]);
		expect(errors).toEqual([]);
	});

	it("pages through the generation log: ten rows, then Show more for the rest", async () => {
		const base = server.base;
		const signUp = await fetch(`${base}/v1/accounts`, { method: "POST", headers: { "Content-Type": "application/json" }, body: `{"email":"log@example.com"}` });
		const key = ((await signUp.json()) as { data: { key: { key: string } } }).data.key.key;
		for (let i = 1; i <= 12; i++) {
			const res = await fetch(`${base}/v1/generate`, {
				method: "POST",
				headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
				body: JSON.stringify({ html: `<p>document ${i}</p>`, test: true }),
			});
			expect(res.status).toBe(200);
		}
		// The log is written just after each response: wait until it holds all twelve.
		const logged = () =>
			fetch(`${base}/v1/generations?limit=100`, { headers: { Authorization: `Bearer ${key}` } }).then(async (r) => ((await r.json()) as { data: unknown[] }).data.length);
		expect(await until(logged, (n) => n === 12)).toBe(12);

		const context = await browser.newContext();
		const page = await context.newPage();
		const rows = page.locator("#generations tbody tr");
		await signInByEmail(page, server, "log@example.com");
		await page.getByRole("button", { name: "Show more" }).waitFor();
		expect(await rows.count()).toBe(10);
		await page.getByRole("button", { name: "Show more" }).click();
		expect(await until(() => rows.count(), (n) => n === 12)).toBe(12);
		expect(await page.getByRole("button", { name: "Show more" }).isHidden()).toBe(true);
		await context.close();
	});
});
