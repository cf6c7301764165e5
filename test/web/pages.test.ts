import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalServer, type LocalServer } from "../scripts/local-server";
import { accessibilityViolations, launchBrowser, signInByEmail, watchPage } from "./browser";

/** Whether the page is wider than the viewport (content a phone would have to scroll sideways to see). */
function overflowsSideways(page: Page): Promise<boolean> {
	return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
}

describe("the web pages: accessible, responsive, self-contained", () => {
	let server: LocalServer;
	let browser: Browser;
	beforeAll(async () => {
		[server, browser] = await Promise.all([startLocalServer(), launchBrowser()]);
		const res = await fetch(`${server.base}/v1/accounts`, { method: "POST", headers: { "Content-Type": "application/json" }, body: `{"email":"pages@example.com"}` });
		expect(res.status).toBe(201);
	});
	afterAll(async () => {
		await browser?.close();
		await server?.stop();
	});

	const pages = [
		{ name: "the landing page", path: "/", ready: "h1" },
		{ name: "sign-up", path: "/signup", ready: "#signup-form" },
		{ name: "the dashboard's sign-in", path: "/dashboard", ready: "#signin:not([hidden])" },
		{ name: "the dashboard, signed in", path: "/dashboard", ready: "#key-list tbody tr", signedIn: true },
	];

	for (const viewport of [
		{ label: "desktop", width: 1280, height: 900 },
		{ label: "phone", width: 375, height: 740 },
	]) {
		for (const target of pages) {
			it(`${target.name} on a ${viewport.label}: no WCAG A/AA violations, no sideways scrolling, nothing loaded from elsewhere`, async () => {
				// axe is injected as a script, which the pages' CSP would rightly refuse.
				const context = await browser.newContext({ viewport, bypassCSP: true });
				const page = await context.newPage();
				const { foreign, errors } = watchPage(page, server.base);
				if (target.signedIn) await signInByEmail(page, server, "pages@example.com");
				await page.goto(`${server.base}${target.path}`);
				await page.locator(target.ready).first().waitFor();
				if (target.signedIn) await page.locator("#template-list li").first().waitFor();

				expect(await accessibilityViolations(page)).toEqual([]);
				expect(await overflowsSideways(page)).toBe(false);
				expect(foreign).toEqual([]);
				expect(errors).toEqual([]);
				await context.close();
			});
		}
	}

	it("serves pages with a CSP that allows only this origin, and 404s unknown pages as JSON errors", async () => {
		const res = await fetch(`${server.base}/dashboard`);
		expect(res.headers.get("content-type")).toContain("text/html");
		expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
		expect(res.headers.get("x-request-id")).toMatch(/^req_/);
		const missing = await fetch(`${server.base}/no-such-page`);
		expect(missing.status).toBe(404);
		expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
	});
});
