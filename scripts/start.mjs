#!/usr/bin/env node
// `npm start`: prepares what is missing, applies D1 migrations locally, and serves the API with
// `wrangler dev` (every binding local) on PORT (default 8787). Prints a curl line once it answers.
import { execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { prepare, root } from "./prepare.mjs";

prepare();

const port = process.env.PORT || "8787";
const bin = join(root, "node_modules", ".bin");
// The `node` package's Node 22 first on PATH, also when this script is run without npm.
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, WRANGLER_SEND_METRICS: "false" };

// `--persist-to <dir>` keeps this server's local state (D1, R2, Durable Objects) in <dir>, for
// tests that want a server of their own; the migrations go to the same place.
const args = process.argv.slice(2);
const persistAt = args.indexOf("--persist-to");
const persist = persistAt >= 0 ? args.slice(persistAt, persistAt + 2) : [];

execFileSync(join(bin, "wrangler"), ["d1", "migrations", "apply", "DB", "--local", ...persist], { cwd: root, env, stdio: "inherit" });

// Loopback is allowed locally so webhooks and template assets can be tried against servers on this machine.
const dev = spawn(join(bin, "wrangler"), ["dev", "--port", port, "--var", "ALLOW_LOOPBACK:true", ...args], { cwd: root, env, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));

const base = `http://localhost:${port}`;
for (let i = 0; i < 300; i++) {
	await new Promise((r) => setTimeout(r, 200));
	const up = await fetch(`${base}/health`).then((r) => r.ok, () => false);
	if (!up) continue;
	console.log(`
Quire is running at ${base}  (dashboard: ${base}/dashboard, API reference: ${base}/docs)

1. Sign up (the key is shown once):
   curl -s -X POST ${base}/v1/accounts -H 'Content-Type: application/json' -d '{"email":"you@example.com"}'

2. Generate DokJet's quick-start invoice with that key:
   curl -X POST ${base}/v1/generate -H 'X-API-Key: <key>' -H 'Content-Type: application/json' -d '{"template_id":"invoices/invoice","data":{"client":"Acme Corp","total":"$564"}}' -o invoice.pdf
`);
	break;
}
