#!/usr/bin/env node
// `npm run gallery`: starts the local server (as `npm start` does) on a free port, generates
// every built-in template with its sample data through the API (the real renderer), and writes
// page 1 of each as a PNG next to the template: templates/<id>.png, for the README.
// Needs `pdftoppm` (Debian/Ubuntu: apt-get install poppler-utils; macOS: brew install poppler).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalServer } from "./local-server.mjs";
import { root } from "./prepare.mjs";

/** Longest side of each picture, in pixels: small enough to commit, large enough to read the layout. */
const LONGEST_SIDE_PX = 600;

try {
	execFileSync("pdftoppm", ["-v"], { stdio: "ignore" });
} catch {
	console.error("[quire] pdftoppm is missing: install poppler-utils (apt-get install poppler-utils, or brew install poppler)");
	process.exit(1);
}

const server = await startLocalServer();
const { base } = server;

const signUp = await (await post("/v1/accounts", { email: `gallery-${Date.now()}@example.com` })).json();
const { key } = signUp.data.key;

function post(path, body, headers = {}) {
	return fetch(`${base}${path}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
}

async function getJson(path) {
	const res = await fetch(`${base}${path}`, { headers: { "X-API-Key": key } });
	if (!res.ok) throw new Error(`GET ${path} answered ${res.status}`);
	return res.json();
}

const work = mkdtempSync(join(tmpdir(), "quire-gallery-"));
const builtIns = (await getJson("/v1/templates")).data.filter((t) => t.source === "built-in");
for (const { id } of builtIns) {
	const { data: template } = await getJson(`/v1/templates/${id}`);
	const res = await post("/v1/generate", { template_id: id, data: template.sample_data }, { "X-API-Key": key });
	if (res.status !== 200) throw new Error(`generating ${id} answered ${res.status}: ${await res.text()}`);
	const pdf = join(work, "page.pdf");
	writeFileSync(pdf, Buffer.from(await res.arrayBuffer()));
	// pdftoppm adds ".png" to the output root.
	execFileSync("pdftoppm", ["-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to", String(LONGEST_SIDE_PX), pdf, join(root, "templates", id)]);
	console.log(`[quire] templates/${id}.png`);
}
rmSync(work, { recursive: true, force: true });
await server.stop();
process.exit(0);
