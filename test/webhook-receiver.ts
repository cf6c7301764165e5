import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { crc32, deflateSync } from "node:zlib";
import type { TestProject } from "vitest/node";

/**
 * The web font served by `/slow/<ms>/font.ttf`: a font the tests' pages use nowhere else, by the
 * PostScript name a PDF embeds it under. The first that this machine has (Debian's Chromium brings
 * Liberation; DejaVu comes with fontconfig).
 */
const SLOW_FONTS = [
	{ file: "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf", name: "DejaVuSansMono-Bold" },
	{ file: "/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf", name: "LiberationMono-Bold" },
];

/**
 * A real HTTP server on loopback for the tests that need one (vitest globalSetup, in Node).
 * Webhooks: `POST /<answer>/<id>` records the delivery and answers with status <answer> (200, 400,
 * 500…) and the text `received <id>`; `GET /received/<id>` lists what was delivered for <id>.
 * Late assets for rendered pages: `GET /slow/<ms>/image.png` and `GET /slow/<ms>/font.ttf` answer
 * after <ms> milliseconds (a PNG, and one of {@link SLOW_FONTS}, whose name is provided as `slowFont`).
 * Anything else (`GET /canary/<id>`, a WebSocket to `/canary/<id>`…) is recorded under <id>: the
 * outbound guard's tests check that a canary id received nothing.
 * The renderer's isolation test: `GET /set-cookie/<id>` answers with a cookie, and
 * `GET /echo-cookie/<id>` records the Cookie header it was sent (read back with /received/<id>).
 * Speculative connections: a raw TCP listener (`tcpCanaryPort`) counts every connection made to
 * it, HTTP or not (a preconnect sends at most a TLS ClientHello); `GET /tcp-canary` tells how many.
 * Failed resources: `GET /<status>/<id>` answers <status> (404, 500…); `refusedPort` is a loopback
 * port nothing listens on, so a connection to it is refused.
 */
export default async function setup(project: TestProject) {
	const received = new Map<string, Array<{ headers: Record<string, string>; body: string }>>();
	const font = SLOW_FONTS.find((candidate) => existsSync(candidate.file));
	const assets: Record<string, { type: string; body: Buffer }> = {
		"image.png": { type: "image/png", body: gradientPng(64, 64) },
		...(font ? { "font.ttf": { type: "font/ttf", body: readFileSync(font.file) } } : {}),
	};
	let tcpConnections = 0;
	const canary = createTcpServer((socket) => {
		tcpConnections++;
		socket.destroy();
	});
	const server = createServer((req, res) => {
		const [, first, id = "", asset = ""] = (req.url ?? "").split("?")[0]!.split("/");
		if (req.method === "GET" && first === "tcp-canary") {
			res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ connections: tcpConnections }));
			return;
		}
		if (req.method === "GET" && first === "received") {
			res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(received.get(id) ?? []));
			return;
		}
		if (req.method === "GET" && first === "redirect") {
			res.writeHead(302, { Location: decodeURIComponent(id) }).end();
			return;
		}
		if (req.method === "GET" && first === "set-cookie") {
			res.writeHead(200, { "Set-Cookie": `quire_probe=${id}; Path=/; Max-Age=3600`, "Content-Type": "text/plain" }).end("set");
			return;
		}
		if (req.method === "GET" && first === "echo-cookie") {
			received.set(id, [...(received.get(id) ?? []), { headers: req.headers as Record<string, string>, body: "" }]);
			res.writeHead(200, { "Content-Type": "text/plain" }).end("echo");
			return;
		}
		if (req.method === "GET" && first === "slow" && assets[asset]) {
			const { type, body } = assets[asset];
			// Fonts are fetched with CORS, and the page's origin is opaque.
			const timer = setTimeout(() => res.writeHead(200, { "Content-Type": type, "Access-Control-Allow-Origin": "*", "Cache-Control": "no-store" }).end(body), Number(id) || 0);
			timer.unref(); // an asset still pending never holds the test run open
			res.on("close", () => clearTimeout(timer));
			return;
		}
		let body = "";
		req.on("data", (chunk) => (body += chunk));
		req.on("end", () => {
			received.set(id, [...(received.get(id) ?? []), { headers: req.headers as Record<string, string>, body }]);
			// A short answer naming the id: what a delivery log's `response_excerpt` shows.
			res.writeHead(Number(first) || 200, { "Content-Type": "text/plain" }).end(`received ${id}`);
		});
	});
	// WebSocket handshakes arrive as upgrades: record them like any request (the SSRF canary counts them).
	server.on("upgrade", (req, socket) => {
		const [, , id = ""] = (req.url ?? "").split("?")[0]!.split("/");
		received.set(id, [...(received.get(id) ?? []), { headers: req.headers as Record<string, string>, body: "upgrade" }]);
		socket.destroy();
	});
	await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
	await new Promise<void>((done) => canary.listen(0, "127.0.0.1", done));
	const { port } = server.address() as { port: number };
	project.provide("webhookReceiver", `http://127.0.0.1:${port}`);
	project.provide("tcpCanaryPort", (canary.address() as { port: number }).port);
	project.provide("slowFont", font?.name ?? null);
	project.provide("refusedPort", await freePort());
	return () =>
		new Promise<void>((done) => {
			server.closeAllConnections();
			canary.close();
			server.close(() => done());
		});
}

/** A loopback port free now: listened on, then closed (the system doesn't hand it out again soon). */
async function freePort(): Promise<number> {
	const probe = createTcpServer();
	await new Promise<void>((done) => probe.listen(0, "127.0.0.1", done));
	const { port } = probe.address() as { port: number };
	await new Promise<void>((done) => probe.close(() => done()));
	return port;
}

/** A small RGB PNG (a colour gradient), made here so the tests need no image file. */
function gradientPng(width: number, height: number): Buffer {
	const rows = Buffer.alloc((width * 3 + 1) * height);
	for (let y = 0; y < height; y++) {
		const row = y * (width * 3 + 1); // each row starts with filter type 0
		for (let x = 0; x < width; x++) rows.set([x * 4, y * 4, 160], row + 1 + x * 3);
	}
	const chunk = (type: string, data: Buffer) => {
		const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
		const length = Buffer.alloc(4);
		length.writeUInt32BE(data.length);
		const crc = Buffer.alloc(4);
		crc.writeUInt32BE(crc32(typed));
		return Buffer.concat([length, typed, crc]);
	};
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB, deflate, no filter, no interlace
	const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	return Buffer.concat([signature, chunk("IHDR", header), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}
