import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalServer, type LocalServer } from "../scripts/local-server";
import { accessibilityViolations, emailedLink, launchBrowser, signInByEmail, sideways, until, watchPage } from "./browser";

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 740 };

/** The session cookie of a browser context, as a `Cookie` header value, with its attributes. */
async function sessionCookie(context: BrowserContext) {
	const cookie = (await context.cookies()).find((c) => c.name === "quire_session");
	if (!cookie) throw new Error("no session cookie");
	return { header: `quire_session=${cookie.value}`, cookie };
}

interface Received {
	headers: Record<string, string>;
	body: string;
}

/** A webhook receiver on loopback (the local server allows loopback targets): records each POST, answers 200. */
async function startReceiver(): Promise<{ url: string; received: Received[]; server: Server }> {
	const received: Received[] = [];
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

/** Whether a delivery's `Quire-Signature` (t=…,v1=HMAC-SHA256 of "t.body") was made with `secret`. */
function verifies(secret: string, { headers, body }: Received): boolean {
	const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(headers["quire-signature"] ?? "") ?? [];
	return Boolean(t) && v1 === createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
}

/**
 * Accounts as people use them, in a real Chromium against `npm start`'s server: sign up by email
 * (the link read from wrangler dev's email log), invite a viewer, who signs in and can't create a
 * key, removal ending their session at once, a webhook endpoint added in the page getting an async
 * task's delivery (shown in its log, then resent), and sign-out ending the cookie.
 */
describe("accounts: email sign-in, members and roles, end to end", () => {
	let server: LocalServer;
	let browser: Browser;
	let receiver: Awaited<ReturnType<typeof startReceiver>>;
	beforeAll(async () => {
		// The page is refreshed while it waits for the queue: the free plan's 60 requests a minute are lifted, as in the Worker's tests.
		const limits = JSON.stringify({ free: { requests_per_minute: 100_000, concurrency: 100 } });
		[server, browser, receiver] = await Promise.all([startLocalServer(["--var", `PLAN_LIMITS:${limits}`]), launchBrowser(), startReceiver()]);
	});
	afterAll(async () => {
		await browser?.close();
		await server?.stop();
		receiver?.server.close();
	});

	it("signs up by email, invites a viewer who can't create a key, removes them (their session ends), adds a webhook endpoint whose delivery is logged and resent, and signs out", async () => {
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
		await page.getByLabel("Name", { exact: true }).fill("First key");
		await page.getByRole("button", { name: "Create key" }).click();
		await page.locator("#key-created:not([hidden])").waitFor();
		const ownerKey = await page.locator("#key-created-value").innerText();
		expect(ownerKey).toMatch(/^qk_live_/);
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
		expect(await viewerPage.locator("#endpoint-form").isHidden()).toBe(true);
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

		// The owner adds a webhook endpoint in the page: its secret is shown once.
		const text = (selector: string) => page.locator(selector).innerText();
		expect(await text("#endpoint-list tbody")).toContain("No endpoints yet");
		await page.getByLabel("Endpoint URL").fill(receiver.url);
		await page.getByLabel("batch.completed").uncheck();
		await page.getByRole("button", { name: "Add endpoint" }).click();
		await page.locator("#endpoint-created:not([hidden])").waitFor();
		const secret = await text("#endpoint-secret");
		expect(secret).toMatch(/^whsec_/);
		const endpoints = (await (await fetch(`${base}/v1/webhook-endpoints`, { headers: { "X-API-Key": ownerKey } })).json()) as { data: unknown[] };
		expect(endpoints.data).toEqual([expect.objectContaining({ url: receiver.url, events: ["task.completed", "task.failed"], enabled: true })]);
		expect(await text("#endpoint-list tbody")).toContain(receiver.url);
		expect(await until(() => text("#delivery-list tbody"), (v) => v.includes("Nothing delivered yet"))).toContain("Nothing delivered yet");

		// An async task made through the API with the owner's key (no webhook_url): its delivery appears in the endpoint's log.
		const submitted = await fetch(`${base}/v1/generate`, {
			method: "POST",
			headers: { "X-API-Key": ownerKey, "Content-Type": "application/json" },
			body: JSON.stringify({ template_id: "invoices/invoice", data: { client: "Hooked Ltd", total: "$42" }, async_mode: true, return_type: "url" }),
		});
		expect(submitted.status).toBe(202);
		const { task_id } = (await submitted.json()) as { task_id: string };
		/** Clicks Refresh (at most every second, as a person would) and reads the delivery log. */
		const refreshedLog = async () => {
			await page.getByRole("button", { name: "Refresh", exact: true }).click();
			await new Promise((r) => setTimeout(r, 1000));
			return text("#delivery-list tbody");
		};
		const log = await until(refreshedLog, (v) => v.includes("task.completed"), 60_000);
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
		// The filled sections, at desktop and phone widths: no WCAG violation, nothing reaching past the right edge.
		for (const viewport of [DESKTOP, PHONE]) {
			await page.setViewportSize(viewport);
			expect(await accessibilityViolations(page), `${viewport.width} px`).toEqual([]);
			expect(await sideways(page), `${viewport.width} px`).toEqual([]);
		}
		await page.setViewportSize(DESKTOP);

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
