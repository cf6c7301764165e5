import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium, type Browser, type Page } from "playwright-core";
import { CHROMIUM } from "../scripts/local-server";

/** Debian's Chromium, headless, driven by playwright-core (no browser download). */
export function launchBrowser(): Promise<Browser> {
	return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}

/**
 * Watches a page for what must never happen: a network request to anywhere but `origin` (the pages
 * self-host everything), an uncaught exception, or an error on the console.
 */
export function watchPage(page: Page, origin: string) {
	const foreign: string[] = [];
	const errors: string[] = [];
	page.on("request", (request) => {
		const url = request.url();
		// Only the network counts: the browser's own PDF viewer loads chrome:// and extension files.
		if (/^(https?|wss?):/.test(url) && !url.startsWith(`${origin}/`)) foreign.push(url);
	});
	page.on("pageerror", (error) => errors.push(error.message));
	page.on("console", (message) => {
		if (message.type() === "error") errors.push(message.text());
	});
	return { foreign, errors };
}

/** Polls `read` until `done` holds for its value (or 15 s pass), and returns the last value. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let value = await read();
	while (!done(value) && Date.now() < deadline) {
		await new Promise((r) => setTimeout(r, 200));
		value = await read();
	}
	return value;
}

/**
 * The newest sign-in link emailed to `email` by `npm start`'s server: wrangler dev's send_email
 * emulation logs each email ("send_email binding called with MessageBuilder:", its To: line, and
 * "Text: <file>"); the link is read from that file. Waits up to 15 s for it.
 */
export async function emailedLink(server: { output(): string }, email: string, after?: string | null): Promise<string> {
	const link = await until(async () => latestLink(server, email), (value) => value !== null && value !== after);
	if (!link || link === after) throw new Error(`no new sign-in link for ${email} in the server's email log`);
	return link;
}

/** The newest sign-in link in the server's email log for `email`, or null (no waiting). */
function latestLink(server: { output(): string }, email: string): string | null {
	const blocks = server.output().replace(/\x1b\[[0-9;]*m/g, "").split("send_email binding called with MessageBuilder:").slice(1);
	const mine = blocks.filter((block) => block.split("\n").some((line) => line.trim() === `To: ${email}`));
	const file = mine.length ? /Text: (\S+)/.exec(mine.at(-1)!)?.[1] : undefined;
	return (file && /https?:\/\/\S+\/auth\/callback\?token=\S+/.exec(readFileSync(file, "utf8"))?.[0]) || null;
}

/** Signs `email` in on `page` as a person would: the dashboard's form, then the emailed link. */
export async function signInByEmail(page: Page, server: { base: string; output(): string }, email: string): Promise<void> {
	const before = latestLink(server, email);
	await page.goto(`${server.base}/dashboard`);
	await page.locator("#signin-email").fill(email);
	await page.getByRole("button", { name: "Email me a sign-in link" }).click();
	await page.locator("#signin-sent:not(:empty)").waitFor();
	await page.goto(await emailedLink(server, email, before));
	await page.locator("#app:not([hidden])").waitFor();
}

const axeSource = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

interface AxeViolation {
	id: string;
	impact: string;
	help: string;
	nodes: Array<{ target: string[] }>;
}

/** axe-core's WCAG 2.1 A and AA rules on the page as it is now: the violations, one line each. (The context needs `bypassCSP`.) */
export async function accessibilityViolations(page: Page): Promise<string[]> {
	await page.addScriptTag({ path: axeSource });
	const violations = await page.evaluate(async () => {
		const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
		const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
		return result.violations;
	});
	return violations.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

/**
 * The elements reaching past the viewport's right edge (what makes a phone scroll sideways), named
 * to show in a failure; empty when none. Tables and code scroll inside their own boxes, so what is
 * inside `.table-scroll` or `pre` doesn't count.
 */
export function sideways(page: Page): Promise<string[]> {
	return page.evaluate(() =>
		Array.from(document.querySelectorAll("body *"))
			.filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest(".table-scroll, pre"))
			.map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ""}.${Array.from(e.classList).join(".")} ${Math.round(e.getBoundingClientRect().right)}`),
	);
}
