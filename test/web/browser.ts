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
