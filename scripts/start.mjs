#!/usr/bin/env node
// `npm start`: prepares what is missing, applies D1 migrations locally, and serves the API with
// `wrangler dev` (every binding local) on PORT (default 8787). Prints a curl line once it answers.
// Its output is what a person needs (progress, the URL, the sign-up line, real errors): wrangler's
// known noise is filtered out (scripts/dev-output.mjs); `npm start -- --verbose` shows everything.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { devOutputFilter } from "./dev-output.mjs";
import { prepare, root, step, verbose } from "./prepare.mjs";

prepare();

const port = process.env.PORT || "8787";
const bin = join(root, "node_modules", ".bin");
// The `node` package's Node 22 first on PATH, also when this script is run without npm.
const env = {
	...process.env,
	PATH: `${bin}:${process.env.PATH}`,
	WRANGLER_SEND_METRICS: "false",
	// Quire never reads `request.cf`: don't fetch its sample from workers.cloudflare.com (offline,
	// that prints a warning and a getaddrinfo stack trace).
	CLOUDFLARE_CF_FETCH_ENABLED: "false",
	// wrangler colours its output only on a terminal; its output now goes through a pipe.
	...(process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: "1" } : {}),
};

// `--persist-to <dir>` keeps this server's local state (D1, R2, Durable Objects) in <dir>, for
// tests that want a server of their own; the migrations go to the same place.
const args = process.argv.slice(2).filter((arg) => arg !== "--verbose");
const persistAt = args.indexOf("--persist-to");
const persist = persistAt >= 0 ? args.slice(persistAt, persistAt + 2) : [];

// wrangler prints the migrations table once per migration applied, asks for a confirmation that a
// non-interactive run answers with a "fallback value", and suggests --remote: one line says it all.
const { output } = step("applying D1 migrations to the local database", join(bin, "wrangler"), ["d1", "migrations", "apply", "DB", "--local", ...persist], { env });
const applied = /About to apply (\d+) migration/.exec(output)?.[1];
if (!verbose) console.log(`[quire] D1: ${applied ? `${applied} migration(s) applied` : "up to date"}`);

// Loopback is allowed locally so webhooks and template assets can be tried against servers on this machine.
const dev = spawn(join(bin, "wrangler"), ["dev", "--port", port, "--var", "ALLOW_LOOPBACK:true", ...args], { cwd: root, env, stdio: verbose ? "inherit" : ["inherit", "pipe", "pipe"] });
if (!verbose) {
	const out = devOutputFilter((line) => process.stdout.write(line));
	const err = devOutputFilter((line) => process.stderr.write(line));
	dev.stdout.setEncoding("utf8").on("data", out.write);
	dev.stderr.setEncoding("utf8").on("data", err.write);
	dev.stdout.on("end", out.end);
	dev.stderr.on("end", err.end);
}
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
