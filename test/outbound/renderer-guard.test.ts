import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { createApp } from "../../src/app";
import { BASE, readPdf, signUp } from "../helpers";

/**
 * The outbound guard of rendered pages, as in production (ALLOW_LOOPBACK off): a canary HTTP
 * server on loopback must receive nothing, whatever the spelling of its address and whatever
 * makes the request.
 */
const canary = new URL(inject("webhookReceiver"));
const port = canary.port;

const SPELLINGS = [
	`http://127.0.0.1:${port}`, `http://localhost:${port}`, `HTTP://LOCALHOST:${port}`, `http://localhost.:${port}`, `http://sub.localhost:${port}`,
	`http://127.1:${port}`, `http://2130706433:${port}`, `http://0x7f000001:${port}`, `http://0177.0.0.1:${port}`, `http://0x7f.0.0.1:${port}`,
	`http://[::1]:${port}`, `http://[::ffff:127.0.0.1]:${port}`, `http://[::ffff:7f00:1]:${port}`, `http://[64:ff9b::7f00:1]:${port}`, `http://[2002:7f00:1::]:${port}`,
	`\\\\localhost:${port}`, `//127.0.0.1:${port}`,
];

/** Every way a page can make a request, for one URL. */
function everyKind(url: (kind: string) => string): string {
	return `
		<img src="${url("img")}"><iframe src="${url("iframe")}"></iframe><link rel="stylesheet" href="${url("link")}">
		<div style="background:url('${url("css")}');width:10px;height:10px"></div><video poster="${url("poster")}"></video>
		<object data="${url("object")}"></object><embed src="${url("embed")}"><audio src="${url("audio")}"></audio>
		<script src="${url("script")}"></script>
		<script>
			fetch("${url("fetch")}").catch(() => {});
			try { const x = new XMLHttpRequest(); x.open("GET", "${url("xhr")}"); x.send(); } catch {}
			try { new EventSource("${url("eventsource")}"); } catch {}
			try { navigator.sendBeacon("${url("beacon")}", "x"); } catch {}
			try { new WebSocket("${url("ws").replace(/^http/i, "ws")}"); } catch {}
			try { new Worker(URL.createObjectURL(new Blob(['fetch("${url("worker")}").catch(() => {})'], { type: "text/javascript" }))); } catch {}
		</script>`;
}

async function render(key: string, html: string) {
	const ctx = createExecutionContext();
	const request = new Request(`${BASE}/v1/generate`, { method: "POST", headers: { "X-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify({ html, return_type: "base64" }) });
	const res = await createApp().fetch(request, { ...env, ALLOW_LOOPBACK: "false" }, ctx);
	await waitOnExecutionContext(ctx);
	return res;
}

async function received(id: string): Promise<unknown[]> {
	return (await fetch(`${canary.origin}/received/${id}`)).json();
}

describe("outbound guard of rendered pages", () => {
	it("the canary on loopback receives nothing: every spelling × img, iframe, link, CSS url(), media, object, script, fetch, XHR, EventSource, beacon, WebSocket, worker", async () => {
		const { key } = await signUp();
		const id = crypto.randomUUID();
		const html = SPELLINGS.map((base) => everyKind((kind) => `${base}/canary/${id}?${kind}`)).join("\n");
		const res = await render(key, `<p>guarded</p>${html}`);
		expect(res.status).toBe(200);
		const body = (await res.json()) as { blocked_resources?: string[] };
		expect(Number(res.headers.get("X-Blocked-Resources"))).toBeGreaterThan(0);
		expect(body.blocked_resources!.length).toBeGreaterThan(0);
		await new Promise((r) => setTimeout(r, 500)); // anything late would have arrived
		expect(await received(id)).toEqual([]);
	});

	it("navigation away (JavaScript, meta refresh, a form, new windows, links to another window) to any spelling reaches nothing", async () => {
		const { key } = await signUp();
		const id = crypto.randomUUID();
		for (const [i, base] of SPELLINGS.entries()) {
			const target = `${base}/canary/${id}?nav${i}`;
			for (const html of [
				`<p>js</p><script>location.href = ${JSON.stringify(target)}</script>`,
				`<meta http-equiv="refresh" content="0;url=${target}"><p>refresh</p>`,
				`<form action="${target}" method="post"><input name="a" value="b"></form><script>document.forms[0].submit()</script>`,
				`<p>open</p><script>window.open(${JSON.stringify(target)})</script>`,
				`<p>open from a frame</p><script>const f = document.createElement("iframe"); document.body.append(f); f.contentWindow.open(${JSON.stringify(target)})</script>`,
				`<p>link</p><a href="${target}" target="_blank">x</a><script>document.querySelector("a").click()</script>`,
			]) {
				const res = await render(key, html);
				expect(res.status).toBeLessThan(500);
			}
		}
		await new Promise((r) => setTimeout(r, 500));
		expect(await received(id)).toEqual([]);
	});

	it("follows redirects hop by hop: an allowed URL that redirects to a private address is refused at that hop", async () => {
		const { key } = await signUp();
		// Loopback allowed here (as in local development) so the first hop is allowed; the redirect target is not.
		const ctx = createExecutionContext();
		const target = "http://169.254.169.254/latest/meta-data/";
		const html = `<img src="${canary.origin}/redirect/${encodeURIComponent(target)}">`;
		const request = new Request(`${BASE}/v1/generate`, { method: "POST", headers: { "X-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify({ html, return_type: "base64" }) });
		const res = await createApp().fetch(request, { ...env, ALLOW_LOOPBACK: "true" }, ctx);
		await waitOnExecutionContext(ctx);
		expect(((await res.json()) as { blocked_resources?: string[] }).blocked_resources).toEqual([target]);
	});

	it("file: URLs read nothing into the PDF", async () => {
		const { key } = await signUp();
		const file = "file:///etc/os-release";
		const html = `<p>files</p><iframe src="${file}"></iframe><object data="${file}"></object><link rel="stylesheet" href="${file}"><img src="${file}">
			<script>fetch("${file}").then((r) => r.text()).then((t) => document.body.append(t)).catch(() => {});
			const x = new XMLHttpRequest(); try { x.open("GET", "${file}", false); x.send(); document.body.append(x.responseText); } catch {}</script>`;
		const res = await render(key, html);
		expect(res.status).toBe(200);
		const { pdf_base64 } = (await res.json()) as { pdf_base64: string };
		const { text } = await readPdf(Uint8Array.from(atob(pdf_base64), (c) => c.charCodeAt(0)));
		expect(text).toContain("files");
		for (const secret of ["VERSION_CODENAME", "Debian GNU/Linux", "PRETTY_NAME"]) expect(text).not.toContain(secret);
	});
});
