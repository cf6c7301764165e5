import { env, exports } from "cloudflare:workers";
import { extractText, getDocumentProxy, getResolvedPDFJS } from "unpdf";
import { expect, vi } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import { RATE_WINDOW_MS } from "../src/credits/credits";
import { fleetConfig } from "../src/rendering/fleet/config";
import { fleetStub, rendererStub } from "../src/rendering/fleet/stubs";
import type { Renderer } from "../src/rendering/renderer";

export const BASE = "http://quire.test";

/** A request to the Worker's own fetch handler, as a client over HTTP would send it. */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
	return exports.default.fetch(new Request(`${BASE}${path}`, init));
}

export function postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
	return call(path, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
}

let accounts = 0;

/** A client address no other sign-up in the run has used, for `CF-Connecting-IP` (sign-ups are limited per IP). */
export function uniqueIp(): string {
	const hex = crypto.randomUUID().replaceAll("-", "");
	return `2001:db8:${hex.slice(0, 4)}:${hex.slice(4, 8)}:${hex.slice(8, 12)}:${hex.slice(12, 16)}:${hex.slice(16, 20)}:${hex.slice(20, 24)}`;
}

/** Signs up a new account (from an address of its own) and returns its id and first key. */
export async function signUp(): Promise<{ accountId: string; key: string; keyId: string }> {
	const email = `user${++accounts}-${crypto.randomUUID().slice(0, 8)}@example.com`;
	const res = await postJson("/v1/accounts", { email }, { "CF-Connecting-IP": uniqueIp() });
	if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
	const { data } = (await res.json()) as { data: { account: { id: string }; key: { id: string; key: string } } };
	return { accountId: data.account.id, key: data.key.key, keyId: data.key.id };
}

export async function creditsLeft(key: string): Promise<number> {
	const res = await call("/v1/credits", { headers: { "X-API-Key": key } });
	return ((await res.json()) as { credits_left: number }).credits_left;
}

/** Waits, if need be, for the next rate-limit window (a minute), so that `seconds` of requests fit in one. */
export async function awayFromWindowEdge(seconds: number): Promise<void> {
	const left = RATE_WINDOW_MS - (Date.now() % RATE_WINDOW_MS);
	if (left < seconds * 1000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/** Moves an account to `plan` through the admin API. */
export async function setPlan(accountId: string, plan: string): Promise<Response> {
	return call(`/admin/accounts/${accountId}/plan`, {
		method: "PUT",
		headers: { "Content-Type": "application/json", Authorization: `Bearer ${env.ADMIN_TOKEN}` },
		body: JSON.stringify({ plan }),
	});
}

export async function topUp(accountId: string, amount: number): Promise<Response> {
	return postJson(`/admin/accounts/${accountId}/credits`, { amount }, { Authorization: `Bearer ${env.ADMIN_TOKEN}` });
}

/** Page count and text of a PDF, parsed with pdf.js. */
export async function readPdf(bytes: ArrayBuffer | Uint8Array): Promise<{ pages: number; text: string }> {
	const pdf = await getDocumentProxy(new Uint8Array(bytes));
	const { totalPages, text } = await extractText(pdf, { mergePages: true });
	return { pages: totalPages, text };
}

/**
 * Every glyph a PDF draws as text, in order: the name of the embedded font it is drawn with, its
 * glyph id (Chromium embeds fonts with CID = glyph id, so 0 is `.notdef`, the empty box) and the
 * text the font's ToUnicode map gives it. A box is a glyph of the text layer that no font had.
 */
export async function readPdfGlyphs(bytes: ArrayBuffer | Uint8Array): Promise<Array<{ font: string; glyph: number; unicode: string }>> {
	const { OPS } = await getResolvedPDFJS();
	const pdf = await getDocumentProxy(new Uint8Array(bytes).slice());
	const glyphs = [];
	for (let n = 1; n <= pdf.numPages; n++) {
		const page = await pdf.getPage(n);
		const { fnArray, argsArray } = await page.getOperatorList();
		let font = "";
		for (const [i, fn] of fnArray.entries()) {
			if (fn === OPS.setFont) font = (page.commonObjs.get(argsArray[i][0]) as { name: string }).name;
			if (fn !== OPS.showText) continue;
			for (const glyph of argsArray[i][0] as Array<number | { originalCharCode: number; unicode: string }>) {
				// Numbers in the list are spacing adjustments, not glyphs.
				if (typeof glyph === "object" && glyph) glyphs.push({ font, glyph: glyph.originalCharCode, unicode: glyph.unicode });
			}
		}
	}
	return glyphs;
}

/** Each page of a PDF: its size in points, its text, and where its first text item starts (x from the left, y from the top, in points). */
export async function readPdfPages(bytes: ArrayBuffer | Uint8Array): Promise<Array<{ width: number; height: number; text: string; firstText: { x: number; y: number } | null }>> {
	const pdf = await getDocumentProxy(new Uint8Array(bytes).slice());
	const pages = [];
	for (let n = 1; n <= pdf.numPages; n++) {
		const page = await pdf.getPage(n);
		const [, , width = 0, height = 0] = page.view;
		const items = (await page.getTextContent()).items.filter((item) => "str" in item && item.str.trim() !== "") as Array<{ str: string; transform: number[] }>;
		const first = items[0]?.transform;
		pages.push({ width, height, text: items.map((item) => item.str).join(" ").replace(/\s+/g, " "), firstText: first ? { x: first[4]!, y: height - first[5]! } : null });
	}
	return pages;
}

/**
 * Expects `res` to have `status`, with its body as the failure message. The body is read only on
 * a mismatch: reading a PDF as text makes workerd warn, once per response.
 */
export async function expectStatus(res: Response, status: number): Promise<void> {
	if (res.status !== status) expect(res.status, await res.text()).toBe(status);
}

export async function errorOf(res: Response): Promise<{ code: string; message: string; details?: Record<string, unknown>; request_id?: string }> {
	return ((await res.json()) as { error: { code: string; message: string } }).error;
}

/** Reads `read()` until `done` holds (e.g. a row written after the response, in waitUntil); fails after `ms`. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000): Promise<T> {
	const deadline = Date.now() + ms;
	for (;;) {
		const value = await read();
		if (done(value)) return value;
		if (Date.now() > deadline) throw new Error(`still not there after ${ms} ms: ${JSON.stringify(value).slice(0, 500)}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

/** The renderer that printed a generate response, from its `Server-Timing` (`renderer;desc="enam-0"`). */
export function rendererOf(res: Response): DurableObjectStub<Renderer> {
	const name = /renderer;desc="([^"]+)"/.exec(res.headers.get("Server-Timing") ?? "")?.[1];
	if (!name) throw new Error(`no renderer in Server-Timing: ${res.headers.get("Server-Timing")}`);
	return rendererStub(env, name);
}

/** On each renderer of the suite's fleet that holds a browser: the pages an account's documents hold there, and how many wait there. */
export async function accountOnFleet(accountId: string): Promise<Array<{ renderer: string; active: number; waiting: number }>> {
	const config = fleetConfig(env);
	const states = await fleetStub(env, config).renderers(config);
	return Promise.all(
		states.map(({ name }) =>
			runInDurableObject(rendererStub(env, name), (instance: Renderer) => {
				const slots = (instance as unknown as { slots: { byAccount: Map<string, number>; waiting: Array<{ account: string }> } }).slots;
				return { renderer: name, active: slots.byAccount.get(accountId) ?? 0, waiting: slots.waiting.filter((w) => w.account === accountId).length };
			}),
		),
	);
}

/** The JSON lines (src/log.ts) written with console[`level`] while `run` runs; the console stays quiet meanwhile. */
export async function logLines(run: () => Promise<unknown>, level: "log" | "warn" | "error" = "log"): Promise<Array<Record<string, unknown>>> {
	const lines: string[] = [];
	const spy = vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
	try {
		await run();
	} finally {
		spy.mockRestore();
	}
	return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}
