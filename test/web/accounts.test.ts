import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalServer, type LocalServer } from "../scripts/local-server";
import { accessibilityViolations, emailedLink, launchBrowser, signInByEmail, until, watchPage } from "./browser";

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 740 };

/** The session cookie of a browser context, as a `Cookie` header value, with its attributes. */
async function sessionCookie(context: BrowserContext) {
	const cookie = (await context.cookies()).find((c) => c.name === "quire_session");
	if (!cookie) throw new Error("no session cookie");
	return { header: `quire_session=${cookie.value}`, cookie };
}

/**
 * Accounts as people use them, in a real Chromium against `npm start`'s server: sign up by email
 * (the link read from wrangler dev's email log), invite a viewer, who signs in and can't create a
 * key, removal ending their session at once, and sign-out ending the cookie.
 */
describe("accounts: email sign-in, members and roles, end to end", () => {
	let server: LocalServer;
	let browser: Browser;
	beforeAll(async () => {
		[server, browser] = await Promise.all([startLocalServer(), launchBrowser()]);
	});
	afterAll(async () => {
		await browser?.close();
		await server?.stop();
	});

	it("signs up by email, invites a viewer who can't create a key, removes them (their session ends), and signs out", async () => {
		const base = server.base;
		const owner = "founder@example.com";
		const viewer = "colleague@example.com";

		// The owner, on a desktop: a new address signs up by email.
		const ownerContext = await browser.newContext({ viewport: DESKTOP, bypassCSP: true });
		const page = await ownerContext.newPage();
		const ownerWatch = watchPage(page, base);
		await page.goto(`${base}/dashboard`);
		await page.locator("#signin:not([hidden])").waitFor();
		expect(await accessibilityViolations(page)).toEqual([]);
		await signInByEmail(page, server, owner);
		expect(new URL(page.url()).pathname).toBe("/dashboard");
		expect(await page.locator("#session-email").innerText()).toBe(owner);
		expect(await page.locator("#session-role").innerText()).toBe("owner");
		expect(await until(() => page.locator("#account-email").innerText(), (v) => v === owner)).toBe(owner);
		expect(await page.locator("#account-plan").innerText()).toBe("free");
		// The cookie: HttpOnly, Secure (accepted on http://localhost), SameSite=Strict; no key in storage.
		const { cookie, header: ownerCookie } = await sessionCookie(ownerContext);
		expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict" });
		expect(await page.evaluate(() => [sessionStorage.length, localStorage.length, document.cookie])).toEqual([0, 0, ""]);
		// A new account has no key yet: the owner makes one (recovery needs nothing more).
		await page.getByLabel("Name").fill("First key");
		await page.getByRole("button", { name: "Create key" }).click();
		await page.locator("#key-created:not([hidden])").waitFor();
		expect(await page.locator("#key-created-value").innerText()).toMatch(/^qk_live_/);
		await until(() => page.locator("#account-email").innerText(), (v) => v === owner);
		expect(await accessibilityViolations(page)).toEqual([]);

		// Invite a viewer.
		await page.locator("#member-email").fill(viewer);
		await page.locator("#member-role").selectOption("viewer");
		await page.getByRole("button", { name: "Invite" }).click();
		expect(await until(() => page.locator("#member-list").innerText(), (v) => v.includes(viewer))).toContain("invited");

		// The viewer, on a phone, follows the invitation's link and lands signed in, as a viewer.
		const viewerContext = await browser.newContext({ viewport: PHONE, bypassCSP: true });
		const viewerPage = await viewerContext.newPage();
		const viewerWatch = watchPage(viewerPage, base);
		await viewerPage.goto(await emailedLink(server, viewer));
		await viewerPage.locator("#app:not([hidden])").waitFor();
		expect(await viewerPage.locator("#session-role").innerText()).toBe("viewer");
		expect(await until(() => viewerPage.locator("#account-email").innerText(), (v) => v === owner)).toBe(owner);
		await until(() => viewerPage.locator("#key-list tbody tr").count(), (n) => n === 1);
		// No "Create key" button, no Revoke, no invite form; and the API refuses all the same.
		expect(await viewerPage.getByRole("button", { name: "Create key" }).count()).toBe(0);
		expect(await viewerPage.getByRole("button", { name: /^Revoke / }).count()).toBe(0);
		expect(await viewerPage.locator("#member-form").isHidden()).toBe(true);
		expect(await accessibilityViolations(viewerPage)).toEqual([]);
		const refused = await viewerPage.evaluate(async () => {
			const res = await fetch("/v1/keys", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: "sneaky" }) });
			return { status: res.status, body: await res.json() };
		});
		expect(refused.status).toBe(403);
		expect(refused.body.error.message).toContain("needs the developer role");
		// Positive control: the owner's page shows it has the button.
		expect(await page.getByRole("button", { name: "Create key" }).count()).toBe(1);
		const { header: viewerCookie } = await sessionCookie(viewerContext);
		expect((await fetch(`${base}/v1/keys`, { headers: { Cookie: viewerCookie } })).status).toBe(200);

		// The owner removes them: their session ends at once.
		await page.getByRole("button", { name: "Refresh" }).click();
		await until(() => page.locator("#member-list").innerText(), (v) => v.includes(viewer) && !v.includes("invited"));
		page.once("dialog", (dialog) => dialog.accept());
		await page.getByRole("button", { name: `Remove ${viewer}` }).click();
		expect(await until(() => page.locator("#member-list").innerText(), (v) => !v.includes(viewer))).not.toContain(viewer);
		expect((await fetch(`${base}/v1/keys`, { headers: { Cookie: viewerCookie } })).status).toBe(401);
		await viewerPage.getByRole("button", { name: "Refresh" }).click();
		await viewerPage.locator("#signin:not([hidden])").waitFor();
		expect(await viewerPage.locator("#status").innerText()).toContain("session has ended");

		// [the hooks helper's part goes here: endpoint, delivery log, resend]

		// Sign out: the page asks for an email again, and the old cookie opens nothing.
		expect((await fetch(`${base}/v1/credits`, { headers: { Cookie: ownerCookie } })).status).toBe(200);
		await page.getByRole("button", { name: "Sign out" }).click();
		await page.locator("#signin:not([hidden])").waitFor();
		expect((await ownerContext.cookies()).find((c) => c.name === "quire_session")).toBeUndefined();
		expect((await fetch(`${base}/v1/credits`, { headers: { Cookie: ownerCookie } })).status).toBe(401);
		await page.reload();
		await page.locator("#signin:not([hidden])").waitFor();
		expect(await accessibilityViolations(page)).toEqual([]);

		// Nothing from another origin; no console errors, except the refusals the viewer's page was made to see.
		expect(ownerWatch.foreign).toEqual([]);
		expect(viewerWatch.foreign).toEqual([]);
		expect(ownerWatch.errors).toEqual([]);
		expect(viewerWatch.errors.filter((e) => !/status of (401|403)/.test(e))).toEqual([]);
		expect(viewerWatch.errors.length).toBeGreaterThan(0); // the 403 and the 401 above did reach the console
		await ownerContext.close();
		await viewerContext.close();
	});

	it("a used or expired link lands on the sign-in form with a message, signed out", async () => {
		const context = await browser.newContext({ viewport: PHONE });
		const page: Page = await context.newPage();
		const { foreign, errors } = watchPage(page, server.base);
		await signInByEmail(page, server, "once@example.com");
		const link = await emailedLink(server, "once@example.com");
		await context.clearCookies();
		await page.goto(link);
		await page.locator("#signin:not([hidden])").waitFor();
		expect(await page.locator("#status").innerText()).toContain("expired or was already used");
		expect(await context.cookies()).toEqual([]);
		expect(foreign).toEqual([]);
		expect(errors).toEqual([]);
		await context.close();
	});
});
