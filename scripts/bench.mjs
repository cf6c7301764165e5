#!/usr/bin/env node
// `npm run bench`: how fast is Quire, through the whole API (auth, credits, rendering, response),
// next to raw puppeteer-core driving the same Chromium with a new page per document, in one run.
//
//  1. Starts the local server (as `npm start` does) on a free port; times its first document.
//  2. Renders the same invoice HTML (a) through POST /v1/generate (sync, binary) and (b) with raw
//     puppeteer-core, newPage + setContent + pdf + close: after a warm-up, interleaved, sequential
//     p50/p95, then throughput at concurrency 4 and 8 (3 rounds each, taking turns).
//  3. Quire's own overhead per Server-Timing (total minus render), p50: over every API document
//     after the warm-up, and over the sequential ones alone (no other document competing for the CPU).
//  4. async_mode: 100 jobs queued at once, time until all are completed, credits charged.
//  5. Finishing (the `pdf` object): each step's cost on the invoice (Server-Timing `finish`),
//     and a merge of 10 rendered invoices (POST /v1/merge).
//  6. The fleet: concurrency 8 for 20 s brings a second renderer up (GET /admin/fleet), which is
//     let go after its idle time (FLEET_IDLE_SECONDS, 20 here).
// Prints a table and writes JSON to .wrangler/bench/latest.json.
import { Buffer } from "node:buffer";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import Mustache from "mustache";
import puppeteer from "puppeteer-core";
import { startLocalServer } from "./local-server.mjs";
import { root } from "./prepare.mjs";

const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL || 40);
const PER_CONCURRENCY = Number(process.env.BENCH_CONCURRENT || 48);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const ASYNC_JOBS = Number(process.env.BENCH_ASYNC_JOBS || 100);
const template = readFileSync(join(root, "templates/invoices/invoice.html"), "utf8");
const sample = JSON.parse(readFileSync(join(root, "templates/invoices/invoice.sample.json"), "utf8"));
const invoiceHtml = Mustache.render(template, sample);

// --- the local server ---------------------------------------------------------------------------
const startedAt = performance.now();
const IDLE_SECONDS = 20;
const server = await startLocalServer(["--var", `FLEET_IDLE_SECONDS:${IDLE_SECONDS}`]);
const { base } = server;
let rawBrowser;
const stop = async () => {
	await rawBrowser?.close().catch(() => {});
	await server.stop();
};
const serverReadyMs = performance.now() - startedAt;

const post = (path, body, headers = {}) =>
	fetch(`${base}${path}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
const adminToken = /ADMIN_TOKEN="?([^"\n]+)/.exec(readFileSync(join(root, ".dev.vars"), "utf8"))[1];
const signUp = await (await post("/v1/accounts", { email: `bench-${Date.now()}@example.com` })).json();
const { key } = signUp.data.key;
await post(`/admin/accounts/${signUp.data.account.id}/credits`, { amount: 100_000 }, { Authorization: `Bearer ${adminToken}` });
// The business plan's rate and concurrency, so that the plan's limits don't shape the figures.
await fetch(`${base}/admin/accounts/${signUp.data.account.id}/plan`, {
	method: "PUT",
	headers: { "Content-Type": "application/json", Authorization: `Bearer ${adminToken}` },
	body: JSON.stringify({ plan: "business" }),
});
const getJson = async (path) => (await fetch(`${base}${path}`, { headers: { "X-API-Key": key } })).json();

const overheads = [];
async function viaApi() {
	const started = performance.now();
	const res = await post("/v1/generate", { html: invoiceHtml }, { "X-API-Key": key });
	const bytes = await res.arrayBuffer();
	if (res.status !== 200 || bytes.byteLength < 1000) throw new Error(`generate answered ${res.status}`);
	const metrics = Object.fromEntries(
		(res.headers.get("Server-Timing") ?? "").split(",").map((m) => [m.trim().split(";")[0], Number(/dur=([\d.]+)/.exec(m)?.[1] ?? 0)]),
	);
	if (metrics.total) overheads.push(metrics.total - (metrics.render ?? 0));
	return performance.now() - started;
}

// --- raw puppeteer-core on the same Chromium ---------------------------------------------------
function sameChromium() {
	const index = readFileSync(join(root, "node_modules/miniflare/dist/src/index.js"), "utf8");
	const version = /BROWSER_VERSION = "([\d.]+)"/.exec(index)[1];
	const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), ".wrangler", "chrome");
	const linked = join(cache, `linux-${version}`, "chrome-linux64", "chrome");
	return existsSync(linked) ? linked : "/usr/bin/chromium";
}
rawBrowser = await puppeteer.launch({
	executablePath: sameChromium(),
	headless: true,
	args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run"],
});
async function viaRaw() {
	const started = performance.now();
	const page = await rawBrowser.newPage();
	await page.setContent(invoiceHtml, { waitUntil: "load" });
	const pdf = await page.pdf({ format: "A4", printBackground: true, margin: { top: 0, right: 0, bottom: 0, left: 0 } });
	await page.close();
	if (pdf.byteLength < 1000) throw new Error("raw render failed");
	return performance.now() - started;
}

// --- measurements ------------------------------------------------------------------------------
const percentile = (values, p) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const round = (n) => Math.round(n * 10) / 10;

const coldStartMs = serverReadyMs + (await viaApi());
const firstDocumentMs = coldStartMs - serverReadyMs;
for (let i = 0; i < 5; i++) await viaApi(), await viaRaw();
overheads.length = 0;

const sequential = { api: [], raw: [] };
for (let i = 0; i < SEQUENTIAL; i++) {
	// Alternate which goes first so neither always follows the other.
	const order = i % 2 ? ["api", "raw"] : ["raw", "api"];
	for (const which of order) sequential[which].push(await (which === "api" ? viaApi() : viaRaw()));
}
const sequentialOverheads = [...overheads];

// Throughput in rounds, API and raw taking turns at going first (as the sequential documents do),
// so a slow spell of a shared two-core machine falls on both: docs/s over every round, and each
// round's figure.
async function throughput(render, workers) {
	let errors = 0;
	let next = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: workers }, async () => {
			while (next++ < PER_CONCURRENCY) await render().catch(() => errors++);
		}),
	);
	return { seconds: (performance.now() - started) / 1000, errors };
}
const concurrency = {};
for (const workers of [4, 8]) {
	const sides = { api: { seconds: 0, errors: 0, rounds: [] }, raw: { seconds: 0, errors: 0, rounds: [] } };
	for (let i = 0; i < ROUNDS; i++) {
		for (const which of i % 2 ? ["raw", "api"] : ["api", "raw"]) {
			const { seconds, errors } = await throughput(which === "api" ? viaApi : viaRaw, workers);
			Object.assign(sides[which], { seconds: sides[which].seconds + seconds, errors: sides[which].errors + errors });
			sides[which].rounds.push(round(PER_CONCURRENCY / seconds));
		}
	}
	const [api, raw] = [sides.api, sides.raw].map(({ seconds, errors, rounds }) => ({ docs_per_second: round((ROUNDS * PER_CONCURRENCY) / seconds), errors, rounds }));
	concurrency[workers] = { api, raw, ratio: Math.round((api.docs_per_second / raw.docs_per_second) * 100) / 100 };
}

// async_mode: queue every job at once, then poll each task (as a DokJet client does) until all are done.
const usedBefore = (await getJson("/v1/credits")).used_this_period;
const asyncStarted = performance.now();
const taskIds = await Promise.all(
	Array.from({ length: ASYNC_JOBS }, async (_, i) => {
		const res = await post("/v1/generate", { template_id: "invoices/invoice", data: { ...sample, invoice_number: `ASYNC-${i}` }, async_mode: true }, { "X-API-Key": key });
		if (res.status !== 202) throw new Error(`async submit answered ${res.status}`);
		return (await res.json()).task_id;
	}),
);
const queuedMs = performance.now() - asyncStarted;
const pending = new Set(taskIds);
const statuses = {};
while (pending.size > 0) {
	await new Promise((r) => setTimeout(r, 250));
	for (const id of [...pending]) {
		const task = await getJson(`/v1/tasks/${id}`);
		if (task.status === "completed" || task.status === "failed") {
			pending.delete(id);
			statuses[task.status] = (statuses[task.status] ?? 0) + 1;
		}
	}
}
const asyncSeconds = (performance.now() - asyncStarted) / 1000;
const charged = (await getJson("/v1/credits")).used_this_period - usedBefore;

// Finishing: each step of the `pdf` object on the invoice, as Server-Timing's `finish` reports it.
const FINISH_RUNS = Number(process.env.BENCH_FINISH_RUNS || 15);
// The Factur-X sample of the tests (a MINIMUM invoice of the built-in invoice's totals).
const facturX = /`(<\?xml[\s\S]*?)`/.exec(readFileSync(join(root, "test/pdf/factur-x-sample.ts"), "utf8"))[1].replace("${guideline}", "urn:factur-x.eu:1p0:minimum");
const csv = Buffer.from("item,amount\nWidget,470.00\n".repeat(200)).toString("base64");
const finishing = {
	info: { info: { title: "Invoice INV-001", author: "Quire", subject: "Invoice", keywords: ["invoice", "acme"], language: "en" } },
	watermark: { watermark: { text: "PAID", opacity: 0.2 } },
	attachments: { attachments: [{ filename: "items.csv", content_base64: csv, mime_type: "text/csv", description: "The items" }] },
	factur_x: { factur_x: { xml: facturX, profile: "MINIMUM" } },
	encryption: { encryption: { user_password: "open sesame", permissions: { copy: false, modify: false } } },
};
finishing.all = { ...finishing.info, ...finishing.watermark, ...finishing.attachments, ...finishing.encryption };
const finishMs = {};
for (const [step, pdf] of Object.entries(finishing)) {
	const runs = [];
	for (let i = 0; i < FINISH_RUNS; i++) {
		const res = await post("/v1/generate", { html: invoiceHtml, pdf }, { "X-API-Key": key });
		if (res.status !== 200) throw new Error(`finishing ${step} answered ${res.status}: ${await res.text()}`);
		await res.arrayBuffer();
		runs.push(Number(/finish;dur=([\d.]+)/.exec(res.headers.get("Server-Timing") ?? "")?.[1] ?? NaN));
	}
	finishMs[step] = round(percentile(runs, 50));
}
const mergeRuns = [];
for (let i = 0; i < 3; i++) {
	const started = performance.now();
	const res = await post("/v1/merge", { documents: Array.from({ length: 10 }, (_, n) => ({ template_id: "invoices/invoice", data: { ...sample, invoice_number: `MERGE-${n}` } })) }, { "X-API-Key": key });
	if (res.status !== 200) throw new Error(`merge answered ${res.status}: ${await res.text()}`);
	await res.arrayBuffer();
	mergeRuns.push(performance.now() - started);
}
const merge10Ms = Math.round(percentile(mergeRuns, 50));

// The fleet: a load at concurrency 8 for 20 s, then quiet until the extra renderers are let go.
const fleetNow = async () => (await (await fetch(`${base}/admin/fleet`, { headers: { Authorization: `Bearer ${adminToken}` } })).json()).data.renderers;
let peakRenderers = 0;
let fleetDocs = 0;
const loadUntil = performance.now() + 20_000;
const sampling = setInterval(async () => (peakRenderers = Math.max(peakRenderers, (await fleetNow()).length)), 500);
await Promise.all(
	Array.from({ length: 8 }, async () => {
		while (performance.now() < loadUntil) await viaApi().then(() => fleetDocs++, () => {});
	}),
);
clearInterval(sampling);
const quietFrom = performance.now();
let renderersLeft = (await fleetNow()).length;
while (renderersLeft > 0 && performance.now() - quietFrom < (IDLE_SECONDS + 90) * 1000) {
	await new Promise((r) => setTimeout(r, 1000));
	renderersLeft = (await fleetNow()).length;
}
const fleet = { load: "concurrency 8 for 20 s", documents: fleetDocs, peak_renderers: peakRenderers, idle_seconds: IDLE_SECONDS, renderers_after_quiet: renderersLeft, let_go_after_seconds: round((performance.now() - quietFrom) / 1000) };

const stats = (values) => ({ p50_ms: round(percentile(values, 50)), p95_ms: round(percentile(values, 95)) });
const results = {
	date: new Date().toISOString(),
	server_ready_ms: Math.round(serverReadyMs),
	first_document_ms: Math.round(firstDocumentMs),
	sequential: { n: SEQUENTIAL, api: stats(sequential.api), raw_new_page: stats(sequential.raw) },
	overhead_p50_ms: round(percentile(overheads, 50)),
	overhead_sequential_p50_ms: round(percentile(sequentialOverheads, 50)),
	concurrency,
	finish_p50_ms: finishMs,
	merge_10_invoices_ms: merge10Ms,
	fleet,
	async: { jobs: ASYNC_JOBS, all_queued_ms: Math.round(queuedMs), all_done_seconds: round(asyncSeconds), completed: statuses.completed ?? 0, failed: statuses.failed ?? 0, credits_charged: charged },
};
const seqRatio = Math.round((results.sequential.api.p50_ms / results.sequential.raw_new_page.p50_ms) * 1000) / 1000;
const check = (ok) => (ok ? "ok" : "MISSED");
console.log(`
Same invoice HTML; API = POST /v1/generate through wrangler dev (auth, credits, render, response);
raw = puppeteer-core on the same Chromium, new page per document.        target
  sequential p50 / p95   API ${results.sequential.api.p50_ms} / ${results.sequential.api.p95_ms} ms   raw ${results.sequential.raw_new_page.p50_ms} / ${results.sequential.raw_new_page.p95_ms} ms   API/raw ${seqRatio}   ≤ 0.75  ${check(seqRatio <= 0.75)}
  concurrency 4          API ${concurrency[4].api.docs_per_second} docs/s   raw ${concurrency[4].raw.docs_per_second} docs/s   API/raw ${concurrency[4].ratio}   ≥ 1.0  ${check(concurrency[4].ratio >= 1)}
  concurrency 8          API ${concurrency[8].api.docs_per_second} docs/s (${concurrency[8].api.errors} errors)   raw ${concurrency[8].raw.docs_per_second} docs/s   no errors  ${check(concurrency[8].api.errors === 0)}
  Quire overhead p50     ${results.overhead_p50_ms} ms (Server-Timing total − render; sequential alone ${results.overhead_sequential_p50_ms} ms)   ≤ 25 ms  ${check(results.overhead_p50_ms <= 25)}
  cold start             server ready ${results.server_ready_ms} ms, then first document ${results.first_document_ms} ms   ≤ 1.5 s  ${check(results.first_document_ms <= 1500)}

async_mode: ${ASYNC_JOBS} jobs queued at once
  all queued (202s) after ${results.async.all_queued_ms} ms; all finished after ${results.async.all_done_seconds} s (completed ${results.async.completed}, failed ${results.async.failed})
  credits charged ${charged} (must equal the completed count)

finishing the invoice (the pdf object), p50 of ${FINISH_RUNS}, Server-Timing finish:
${Object.entries(finishMs).map(([step, ms]) => `  ${step.padEnd(12)} ${ms} ms   ${step === "all" ? "≤ 50" : "≤ 20"} ms  ${check(ms <= (step === "all" ? 50 : 20))}`).join("\n")}
  merge of 10 rendered invoices (POST /v1/merge): ${merge10Ms} ms

fleet: ${fleet.load}, ${fleet.documents} documents
  renderers at the peak ${fleet.peak_renderers} (GET /admin/fleet)   ≥ 2  ${check(fleet.peak_renderers >= 2)}
  after the load, all let go after ${fleet.let_go_after_seconds} s (idle time ${IDLE_SECONDS} s)   ${check(fleet.renderers_after_quiet === 0)}
`);
mkdirSync(join(root, ".wrangler/bench"), { recursive: true });
writeFileSync(join(root, ".wrangler/bench/latest.json"), `${JSON.stringify(results, null, 2)}\n`);
await stop();
process.exit(0);
