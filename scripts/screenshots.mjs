#!/usr/bin/env node
// `npm run screenshots`: starts the local server (as `npm start` does) with empty state, makes an
// account with a little history through the API (live and test documents, an async task, a second
// key), and photographs the main pages in headless Chromium (playwright-core, the system's
// Chromium): src/web/screenshots/<page>.png, which the README shows.
// CHROMIUM=/path/to/chrome overrides /usr/bin/chromium.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { startLocalServer } from "./local-server.mjs";
import { root } from "./prepare.mjs";

const out = join(root, "src", "web", "screenshots");
mkdirSync(out, { recursive: true });

// The free plan's 60 requests a minute would bind: every dashboard shot refreshes every section.
const server = await startLocalServer(["--var", `PLAN_LIMITS:${JSON.stringify({ free: { requests_per_minute: 100_000, concurrency: 100 } })}`]);
const { base } = server;
const post = (path, body, key) =>
	fetch(`${base}${path}`, {
		method: "POST",
		headers: { "Content-Type": "application/json", ...(key ? { Authorization: `Bearer ${key}` } : {}) },
		body: JSON.stringify(body),
	});

// --- an account with some history -----------------------------------------------------------
/** A generation request for a built-in template with its sample data. */
const withSample = (template_id) => ({ template_id, data: JSON.parse(readFileSync(join(root, "templates", `${template_id}.sample.json`), "utf8")) });
const signUp = await (await post("/v1/accounts", { email: "ada@example.com" })).json();
const { key } = signUp.data.key;
for (const template_id of ["invoices/invoice", "letters/letter", "invoices/receipt", "quotes/quote"]) {
	const res = await post("/v1/generate", withSample(template_id), key);
	if (!res.ok) throw new Error(`generate ${template_id}: ${res.status} ${await res.text()}`);
}
await post("/v1/generate", { ...withSample("certificates/certificate"), test: true }, key);
const task = await (await post("/v1/generate", { ...withSample("reports/report"), async_mode: true, metadata: { order: 42 } }, key)).json();
await post("/v1/keys", { name: "Staging", mode: "test" }, key);
for (let i = 0; i < 100; i++) {
	const state = await (await fetch(`${base}/v1/tasks/${task.task_id}`, { headers: { Authorization: `Bearer ${key}` } })).json();
	if (state.status === "completed" || state.status === "failed") break;
	await new Promise((r) => setTimeout(r, 200));
}
await new Promise((r) => setTimeout(r, 500)); // the generation log is written just after each response

// --- the pages ----------------------------------------------------------------------------------
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
const shots = [];

/**
 * The session cookie of `email`, signed in as a person would: a sign-in link asked for through the
 * API, read from wrangler dev's email log (each email's text is in a file whose path it logs), followed.
 */
async function sessionOf(email) {
	const asked = await post("/v1/sessions/email", { email });
	if (asked.status !== 202) throw new Error(`sign-in link for ${email}: ${asked.status} ${await asked.text()}`);
	let link = null;
	for (let i = 0; i < 100 && !link; i++) {
		const blocks = server.output().replace(/\x1b\[[0-9;]*m/g, "").split("send_email binding called with MessageBuilder:").slice(1);
		const file = blocks.filter((block) => block.includes(`To: ${email}`)).map((block) => /Text: (\S+)/.exec(block)?.[1]).at(-1);
		link = file ? /https?:\/\/\S+\/auth\/callback\?token=\S+/.exec(readFileSync(file, "utf8"))?.[0] : null;
		if (!link) await new Promise((r) => setTimeout(r, 100));
	}
	if (!link) throw new Error(`no sign-in link for ${email} in the server's email log`);
	const context = await browser.newContext();
	await (await context.newPage()).goto(link);
	const state = await context.storageState();
	await context.close();
	return state;
}

const sessions = new Map();
async function shoot(name, { width = 1280, height = 860, signedIn = false, as = "ada@example.com", path, ready, act, element, fullPage = false }) {
	if (signedIn && !sessions.has(as)) sessions.set(as, await sessionOf(as));
	const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, storageState: signedIn ? sessions.get(as) : undefined });
	const page = await context.newPage();
	await page.goto(`${base}${path}`);
	await page.locator(ready).first().waitFor({ timeout: 30_000 });
	if (act) await act(page);
	const file = join(out, `${name}.png`);
	if (element) await page.locator(element).screenshot({ path: file });
	else await page.screenshot({ path: file, fullPage });
	shots.push(file);
	await context.close();
}

await shoot("landing", { path: "/", ready: "h1", fullPage: true });
await shoot("signup", {
	path: "/signup",
	ready: "#signup-form",
	act: async (page) => {
		await page.getByLabel("Email").fill("grace@example.com");
		await page.getByRole("button", { name: "Create account" }).click();
		await page.locator("#signup-done").waitFor();
	},
});
await shoot("dashboard", { path: "/dashboard", signedIn: true, ready: "#generations tbody tr td + td", height: 1100 });
await shoot("dashboard-keys", { path: "/dashboard", signedIn: true, ready: "#key-list tbody tr", element: "#keys" });
await shoot("dashboard-gallery", {
	path: "/dashboard",
	signedIn: true,
	ready: "#template-list li",
	element: "#templates",
	act: async (page) => {
		await page.getByRole("button", { name: "Preview Invoice" }).click();
		await page.getByRole("button", { name: "Preview PDF" }).click();
		await page.locator("#preview-pages canvas").waitFor(); // pdf.js has drawn the page
	},
});
await shoot("dashboard-account", { path: "/dashboard", signedIn: true, ready: "#member-list tbody tr", element: "#account" });
await shoot("dashboard-phone", { path: "/dashboard", signedIn: true, ready: "#generations tbody tr td + td", width: 390, height: 844 });
await shoot("docs", {
	path: "/docs",
	ready: "text=Generate a PDF",
	act: (page) => page.waitForTimeout(1000),
});

// The template editor: an account template made from the invoice, open beside its live preview.
// An account of its own: the shots above used much of the first account's requests for this minute.
const editorKey = (await (await post("/v1/accounts", { email: "studio@example.com" })).json()).data.key.key;
const invoice = (await (await fetch(`${base}/v1/templates/invoices%2Finvoice`, { headers: { Authorization: `Bearer ${editorKey}` } })).json()).data;
const created = await post("/v1/templates", { id: "my-invoice", name: "My invoice", html: invoice.html, schema: invoice.schema, sample_data: invoice.sample_data, options: invoice.options }, editorKey);
if (!created.ok) throw new Error(`create my-invoice: ${created.status} ${await created.text()}`);
await shoot("editor", {
	path: "/dashboard",
	signedIn: true,
	as: "studio@example.com",
	width: 1440,
	height: 1000,
	ready: "#own-templates button",
	element: "#studio",
	act: async (page) => {
		await page.getByRole("button", { name: /^My invoice/ }).click();
		await page.locator("#studio-preview-pages canvas").waitFor({ timeout: 30_000 });
	},
});

await browser.close();
await server.stop();
for (const file of shots) console.log(`[quire] wrote ${file.slice(root.length + 1)}`);
