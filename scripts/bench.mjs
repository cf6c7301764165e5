#!/usr/bin/env node
// `npm run bench`: starts the local server (as `npm start` does) on a free port and measures
// POST /v1/generate through the whole API (auth, credits, rendering, response):
//  - sync, binary, the built-in invoice: first document, sequential p50/p95, throughput at 4 and 8;
//  - async: 100 jobs queued at once, time until all are completed, and how many credits they took.
// Prints a table and writes JSON to .wrangler/bench/latest.json.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { root } from "./prepare.mjs";

const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL || 50);
const ASYNC_JOBS = Number(process.env.BENCH_ASYNC_JOBS || 100);
const PER_CONCURRENCY = Number(process.env.BENCH_CONCURRENT || 48);
const sample = JSON.parse(readFileSync(join(root, "templates/invoices/invoice.sample.json"), "utf8"));

const port = await new Promise((done) => {
	const s = createServer().listen(0, "127.0.0.1", () => {
		const { port } = s.address();
		s.close(() => done(port));
	});
});
const base = `http://localhost:${port}`;
const server = spawn(process.execPath, [join(root, "scripts/start.mjs")], {
	cwd: root,
	detached: true,
	stdio: ["ignore", "ignore", "inherit"],
	env: { ...process.env, PORT: String(port) },
});
const stop = () => {
	try {
		process.kill(-server.pid, "SIGTERM");
	} catch {}
};
process.on("exit", stop);

const coldStart = Date.now();
while (!(await fetch(`${base}/health`).then((r) => r.ok, () => false))) await new Promise((r) => setTimeout(r, 100));
const serverReadyMs = Date.now() - coldStart;

const adminToken = /ADMIN_TOKEN="?([^"\n]+)/.exec(readFileSync(join(root, ".dev.vars"), "utf8"))[1];
const signUp = await (await post("/v1/accounts", { email: `bench-${Date.now()}@example.com` })).json();
const { key } = signUp.data.key;
await post(`/admin/accounts/${signUp.data.account.id}/credits`, { amount: 100_000 }, { Authorization: `Bearer ${adminToken}` });

function post(path, body, headers = {}) {
	return fetch(`${base}${path}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
}

async function generate() {
	const started = performance.now();
	const res = await post("/v1/generate", { template_id: "invoices/invoice", data: sample }, { "X-API-Key": key });
	const bytes = await res.arrayBuffer();
	if (res.status !== 200 || bytes.byteLength < 1000) throw new Error(`generate answered ${res.status}`);
	return performance.now() - started;
}

const percentile = (values, p) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

const firstDocumentMs = await generate();
for (let i = 0; i < 5; i++) await generate();

const sequential = [];
for (let i = 0; i < SEQUENTIAL; i++) sequential.push(await generate());

const concurrency = {};
for (const workers of [4, 8]) {
	let errors = 0;
	let next = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: workers }, async () => {
			while (next++ < PER_CONCURRENCY) await generate().catch(() => errors++);
		}),
	);
	const seconds = (performance.now() - started) / 1000;
	concurrency[workers] = { documents: PER_CONCURRENCY, seconds: +seconds.toFixed(2), docs_per_second: +(PER_CONCURRENCY / seconds).toFixed(1), errors };
}

async function getJson(path) {
	return (await fetch(`${base}${path}`, { headers: { "X-API-Key": key } })).json();
}

// Async: queue every job at once, then poll each task (as a DokJet client does) until all are done.
const usedBefore = (await getJson("/v1/credits")).used_this_period;
const asyncStarted = performance.now();
const taskIds = await Promise.all(
	Array.from({ length: ASYNC_JOBS }, async (_, i) => {
		const res = await post("/v1/generate", { template_id: "invoices/invoice", data: { ...sample, invoice_number: `ASYNC-${i}` }, async_mode: true }, { "X-API-Key": key });
		if (res.status !== 202) throw new Error(`async submit answered ${res.status}`);
		return (await res.json()).task_id;
	}),
);
const submittedMs = performance.now() - asyncStarted;
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

const results = {
	date: new Date().toISOString(),
	server_ready_ms: serverReadyMs,
	first_document_ms: Math.round(firstDocumentMs),
	sequential: { n: SEQUENTIAL, p50_ms: Math.round(percentile(sequential, 50)), p95_ms: Math.round(percentile(sequential, 95)) },
	concurrency,
	async: { jobs: ASYNC_JOBS, all_queued_ms: Math.round(submittedMs), all_done_seconds: +asyncSeconds.toFixed(1), docs_per_second: +(ASYNC_JOBS / asyncSeconds).toFixed(1), ...statuses, credits_charged: charged },
};
console.log(`
POST /v1/generate (sync, binary, invoices/invoice with its sample data), through wrangler dev
  server ready after start      ${results.server_ready_ms} ms
  first document (cold browser) ${results.first_document_ms} ms
  sequential (n=${SEQUENTIAL})            p50 ${results.sequential.p50_ms} ms   p95 ${results.sequential.p95_ms} ms
  concurrency 4                 ${concurrency[4].docs_per_second} docs/s  (${concurrency[4].errors} errors)
  concurrency 8                 ${concurrency[8].docs_per_second} docs/s  (${concurrency[8].errors} errors)

async_mode: ${ASYNC_JOBS} jobs queued at once
  all queued (202s) after       ${results.async.all_queued_ms} ms
  all finished after            ${results.async.all_done_seconds} s  (${results.async.docs_per_second} docs/s; completed ${statuses.completed ?? 0}, failed ${statuses.failed ?? 0})
  credits charged               ${charged}  (must equal the completed count)
`);
mkdirSync(join(root, ".wrangler/bench"), { recursive: true });
writeFileSync(join(root, ".wrangler/bench/latest.json"), `${JSON.stringify(results, null, 2)}\n`);
stop();
process.exit(0);
