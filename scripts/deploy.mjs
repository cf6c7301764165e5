#!/usr/bin/env node
// `npm run deploy [-- --env staging]`: puts Quire live on the Cloudflare account wrangler is logged
// in to (`wrangler login`, or CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID), creating whatever is
// missing and nothing else, so that running it again changes nothing but the Worker's code.
// Every step is a wrangler command run as a child process (so it talks to the same Cloudflare API,
// or to CLOUDFLARE_API_BASE_URL's stand-in in test/scripts/deploy.test.ts); the plan check is the
// one request this script makes itself. docs/operations.md#deploying-to-cloudflare.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const log = (message) => console.log(`[quire] ${message}`);

/** A failed precondition or step: its message is all the person deploying needs to read. */
class DeployError extends Error {}

/** The secrets Quire needs (docs/operations.md#configuration), generated once and never overwritten. */
const SECRETS = ["ADMIN_TOKEN", "WEBHOOK_SECRET_KEY"];
/**
 * The R2 lifecycle rules that back up the hourly housekeeping: one per prefix that expires (hosted
 * PDFs and batch zips under `acc_…/`, job inputs, idempotency bodies), never one for the whole
 * bucket, which also keeps templates' assets (`assets/…`) until they are deleted.
 */
const LIFECYCLE_RULES = [
	{ name: "expire-pdfs", prefix: "acc_" },
	{ name: "expire-jobs", prefix: "jobs/" },
	{ name: "expire-idempotency", prefix: "idempotency/" },
];

/** `--env staging`, `--env=staging` or `-e staging`; "" is wrangler's top-level environment. */
export function targetEnvironment(args) {
	for (let i = 0; i < args.length; i++) {
		if (args[i] === "--env" || args[i] === "-e") return args[i + 1] ?? "";
		if (args[i].startsWith("--env=")) return args[i].slice("--env=".length);
	}
	return "";
}

/**
 * Runs wrangler with the target environment named explicitly (with [env.staging] in wrangler.toml,
 * wrangler warns when none is), stdin a pipe (wrangler is then non-interactive: it never prompts,
 * and never writes provisioned ids back into wrangler.toml), on this script's Node (checked by
 * checkNode; a `wrangler` found on PATH could start another), each command logged as it starts
 * (what a deploy does is never a mystery). Resolves to its exit code and output;
 * `show` echoes the output as it comes, for the long steps.
 */
function wrangler(env, args, { input = "", show = false } = {}) {
	args = [...args, `--env=${env}`];
	log(`$ wrangler ${args.join(" ")}`);
	return new Promise((done, fail) => {
		const child = spawn(process.execPath, [join(root, "node_modules", "wrangler", "bin", "wrangler.js"), ...args], {
			cwd: root,
			env: { ...process.env, WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0", NO_COLOR: "1" },
			stdio: ["pipe", "pipe", "pipe"],
		});
		let output = "";
		const collect = (stream) => (chunk) => {
			output += chunk;
			if (show) stream.write(chunk);
		};
		child.stdout.on("data", collect(process.stdout));
		child.stderr.on("data", collect(process.stderr));
		child.on("error", fail);
		child.on("close", (code) => done({ code, output }));
		child.stdin.end(input);
	});
}

/** Like wrangler(), for a step that must succeed: its output is shown when it fails. */
async function must(env, args, options) {
	const result = await wrangler(env, args, options);
	if (result.code !== 0) {
		if (!options?.show) process.stderr.write(result.output);
		throw new DeployError(`wrangler ${args.join(" ")} failed (exit ${result.code}); its output is above.`);
	}
	return result.output;
}

/** The Node that package.json's engines ask for: `npm run deploy` uses node_modules' Node 22. */
export function checkNode(engines = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).engines.node, version = process.versions.node) {
	const [needMajor, needMinor = 0] = engines.replace(/^>=\s*/, "").split(".").map(Number);
	const [major, minor] = version.split(".").map(Number);
	if (major > needMajor || (major === needMajor && minor >= needMinor)) return;
	throw new DeployError(
		`Quire needs Node ${engines} (package.json "engines"), and this is Node ${version}. ` +
			"Run `npm install` and then `npm run deploy`: npm runs it with the Node 22 that node_modules holds.",
	);
}

/** The account wrangler deploys to: logged in, and one account (or CLOUDFLARE_ACCOUNT_ID). */
async function checkLogin(env) {
	const { code, output } = await wrangler(env, ["whoami", "--json"]);
	const user = code === 0 ? JSON.parse(output.slice(output.indexOf("{"))) : undefined;
	if (!user?.loggedIn) {
		throw new DeployError(
			"Not logged in to Cloudflare. Run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN to an API token " +
				"with the Workers, D1, R2 and Queues edit permissions, and CLOUDFLARE_ACCOUNT_ID), then `npm run deploy` again.",
		);
	}
	const accountId = process.env.CLOUDFLARE_ACCOUNT_ID ?? (user.accounts.length === 1 ? user.accounts[0].id : undefined);
	if (!accountId) {
		throw new DeployError(
			`You can deploy to ${user.accounts.length} Cloudflare accounts (${user.accounts.map((a) => `${a.name}: ${a.id}`).join(", ")}): ` +
				"set CLOUDFLARE_ACCOUNT_ID to the one Quire goes to.",
		);
	}
	log(`logged in${user.email ? ` as ${user.email}` : ""}; account ${accountId}`);
	return accountId;
}

/**
 * Browser Rendering at Quire's scale needs the Workers Paid plan (the free plan's 3 browsers and
 * 10 minutes a day are not a PDF service; FLEET_BROWSER_LIMIT assumes Paid's). The account's
 * subscriptions say so when the credentials may read billing (an API token with "Billing Read"
 * can; `wrangler login`'s cannot): then a free account stops here, otherwise it is said once.
 */
async function checkPlan(env, accountId) {
	const token = process.env.CLOUDFLARE_API_TOKEN ?? JSON.parse((await must(env, ["auth", "token", "--json"])).replace(/^[^{]*/, "")).token;
	const base = process.env.CLOUDFLARE_API_BASE_URL ?? "https://api.cloudflare.com/client/v4";
	const response = await fetch(`${base}/accounts/${accountId}/subscriptions`, { headers: { Authorization: `Bearer ${token}` } }).catch(() => undefined);
	const body = response?.ok ? await response.json() : undefined;
	if (!body?.success) {
		log("could not read the account's plan (that needs Billing Read): Quire's Browser Rendering needs Workers Paid, https://dash.cloudflare.com/?to=/:account/workers/plans");
		return;
	}
	if (!body.result.some((subscription) => subscription.rate_plan?.id === "workers_paid")) {
		throw new DeployError(
			"This account has no Workers Paid plan, and Quire renders with Browser Rendering, whose free allowance (3 browsers, 10 minutes a day) " +
				"cannot serve it. Subscribe at https://dash.cloudflare.com/?to=/:account/workers/plans, then `npm run deploy` again.",
		);
	}
	log("Workers Paid plan: yes");
}

/** The target environment's resource names, as wrangler reads them from wrangler.toml. */
async function readConfig(env) {
	const { unstable_readConfig } = await import("wrangler");
	const config = unstable_readConfig({ config: join(root, "wrangler.toml"), env: env || undefined }, { hideWarnings: true });
	const queues = new Set([
		...config.queues.producers.map((q) => q.queue),
		...config.queues.consumers.flatMap((q) => [q.queue, q.dead_letter_queue].filter(Boolean)),
	]);
	return {
		name: config.name,
		database: config.d1_databases[0].database_name,
		bucket: config.r2_buckets[0].bucket_name,
		queues: [...queues],
		retentionMaxHours: Number(config.vars.PDF_RETENTION_MAX_HOURS),
	};
}

/** Creates the queues that do not exist (the consumers, the dead-letter queue among them, need theirs before the Worker binds to them). */
async function ensureQueues(env, queues) {
	for (const queue of queues) {
		const { code, output } = await wrangler(env, ["queues", "info", queue]);
		if (code === 0) continue;
		if (!output.includes("does not exist")) throw new DeployError(`wrangler queues info ${queue} failed:\n${output}`);
		await must(env, ["queues", "create", queue]);
		log(`queue ${queue} created`);
	}
}

/** Whether the D1 database exists yet (wrangler deploy creates it the first time). */
async function databaseExists(env, database) {
	const output = await must(env, ["d1", "list", "--json"]);
	return JSON.parse(output.slice(output.indexOf("["))).some((db) => db.name === database);
}

/** Applies the D1 migrations not applied yet (none: wrangler says so and changes nothing). */
async function migrate(env) {
	const output = await must(env, ["d1", "migrations", "apply", "DB", "--remote"]);
	log(/No migrations to apply/.test(output) ? "D1 migrations: none to apply" : "D1 migrations applied");
}

/**
 * The secrets the Worker lacks, each a new random value. The first deploy's Worker does not exist
 * yet, so it has none (wrangler answers `Worker "quire" not found`, or `Worker "quire-staging" (env: staging) not found`).
 */
async function missingSecrets(env) {
	const { code, output } = await wrangler(env, ["secret", "list", "--format", "json"]);
	if (code !== 0 && !/Worker "[^"]+" (\(env: [^)]*\) )?not found/.test(output)) throw new DeployError(`wrangler secret list failed:\n${output}`);
	const existing = code === 0 ? JSON.parse(output.slice(output.indexOf("["))).map((s) => s.name) : [];
	return Object.fromEntries(SECRETS.filter((name) => !existing.includes(name)).map((name) => [name, randomBytes(32).toString("hex")]));
}

/**
 * `wrangler deploy`, with the new secrets (if any) uploaded in the same version through a file
 * only this user may read, removed right after: the Worker never runs without them, and they are
 * never on a command line. Returns the workers.dev URL wrangler prints.
 */
async function deploy(env, secrets) {
	const args = ["deploy"];
	const dir = mkdtempSync(join(tmpdir(), "quire-secrets-"));
	try {
		if (Object.keys(secrets).length > 0) {
			writeFileSync(join(dir, "secrets.json"), JSON.stringify(secrets), { mode: 0o600 });
			args.push("--secrets-file", join(dir, "secrets.json"));
		}
		const output = await must(env, args, { show: true });
		return output.match(/https:\/\/\S+\.workers\.dev/)?.[0];
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * The R2 lifecycle rules, each added when missing: they must keep objects at least
 * PDF_RETENTION_MAX_HOURS plus a day (docs/operations.md), so an existing shorter one is
 * reported, never overwritten.
 */
async function ensureLifecycleRules(env, bucket, retentionMaxHours) {
	const days = Math.ceil(retentionMaxHours / 24) + 1;
	const output = await must(env, ["r2", "bucket", "lifecycle", "list", bucket]);
	for (const { name, prefix } of LIFECYCLE_RULES) {
		const rule = output.match(new RegExp(`name:\\s+${name}\\b[\\s\\S]*?after (\\d+) days?`));
		if (!rule) {
			await must(env, ["r2", "bucket", "lifecycle", "add", bucket, name, prefix, "--expire-days", String(days)]);
			log(`R2 lifecycle rule ${name} added: objects under ${prefix} expire after ${days} days`);
		} else if (Number(rule[1]) < days) {
			log(`warning: the R2 lifecycle rule ${name} deletes objects after ${rule[1]} days, before PDF_RETENTION_MAX_HOURS (${retentionMaxHours} h) ends: raise it (docs/operations.md)`);
		}
	}
}

/** The whole deploy, in the order that keeps the live Worker working at every step. */
export async function main(args = process.argv.slice(2)) {
	const env = targetEnvironment(args);
	checkNode();
	const accountId = await checkLogin(env);
	await checkPlan(env, accountId);
	const config = await readConfig(env);
	log(`deploying the Worker ${config.name}${env ? ` (environment ${env})` : ""}`);
	await ensureQueues(env, config.queues);
	// Migrations go first, so that new code never meets an old schema; the very first time, the
	// database only exists once `wrangler deploy` has provisioned it, so they follow it instead.
	const migrateFirst = await databaseExists(env, config.database);
	if (migrateFirst) await migrate(env);
	const secrets = await missingSecrets(env);
	const url = await deploy(env, secrets);
	if (!migrateFirst) await migrate(env);
	await ensureLifecycleRules(env, config.bucket, config.retentionMaxHours);

	console.log("");
	log(`Quire is live: ${url ?? "(see wrangler's output above)"}`);
	if (secrets.ADMIN_TOKEN) log(`ADMIN_TOKEN (for /admin; shown this once, keep it in a password manager): ${secrets.ADMIN_TOKEN}`);
	if (Object.keys(secrets).length > 0) log(`secrets created: ${Object.keys(secrets).join(", ")}`);
	log("next:");
	log(`  - open ${url ?? "the URL"} and sign up for an API key; try it with the README's quick start`);
	log("  - your own domain: add it to the Worker (dashboard: Workers > Settings > Domains), set PUBLIC_ORIGIN in wrangler.toml, run `npm run deploy` again");
	log("  - logs: `npx wrangler tail`; roll back: `npx wrangler rollback` (docs/operations.md)");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	main().catch((error) => {
		console.error(`[quire] deploy stopped: ${error instanceof DeployError ? error.message : error.stack}`);
		process.exit(1);
	});
}
