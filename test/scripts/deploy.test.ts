import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { unstable_readConfig } from "wrangler";
import { beforeAll, describe, expect, it } from "vitest";
import { checkNode, targetEnvironment } from "../../scripts/deploy.mjs";
import { ACCOUNT_ID, API_TOKEN, emptyAccount, startCloudflareApiStandIn, type Recorded, type StandIn } from "./cloudflare-api-stand-in";
import { root } from "./local-server";

describe("wrangler deploy --dry-run", () => {
	it.each([
		["", "quire"],
		["staging", "quire-staging"],
	])("builds the deployable Worker offline from the real config, without resource ids (env %j), well under the 3 MiB (compressed) free-plan limit", (env, database) => {
		const outdir = mkdtempSync(join(tmpdir(), "quire-build-"));
		const output = execFileSync(join(root, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", outdir, `--env=${env}`], {
			cwd: root,
			encoding: "utf8",
			env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
		});
		expect(output).toMatch(/--dry-run: exiting now/);
		for (const binding of ["env.DB", "env.CREDITS", "env.RENDERER", "env.BROWSER", "env.PDFS", "env.JOBS", "env.ASSETS"]) expect(output).toContain(binding);
		expect(output).toContain(`env.DB (${database})`);
		const bundle = readdirSync(outdir).find((f) => f.endsWith(".js"))!;
		const gzipped = gzipSync(readFileSync(join(outdir, bundle))).byteLength;
		console.log(`Worker bundle: ${(gzipped / 1024).toFixed(0)} KiB gzipped`);
		expect(gzipped).toBeLessThan(3 * 1024 * 1024);
	});
});

/** What these tests read of wrangler's resolved config (its own types do not resolve from here). */
interface WranglerConfig {
	name: string;
	vars: Record<string, string>;
	durable_objects: { bindings: Array<{ name: string; class_name: string }> };
	d1_databases: Array<{ binding: string; database_name: string; database_id?: string }>;
	r2_buckets: Array<{ binding: string; bucket_name: string }>;
	queues: { producers?: Array<{ binding: string; queue: string }>; consumers?: Array<{ queue: string; dead_letter_queue?: string }> };
	browser?: { binding: string };
	triggers: { crons?: string[] };
}

describe("wrangler.toml", () => {
	const read = (env?: string) => unstable_readConfig({ config: join(root, "wrangler.toml"), env }, { hideWarnings: true }) as unknown as WranglerConfig;
	const production = read();
	const staging = read("staging");

	it("has no resource ids: wrangler's automatic provisioning finds or creates them by name", () => {
		for (const config of [production, staging]) expect(config.d1_databases.map((db) => db.database_id)).toEqual([undefined]);
		expect(readFileSync(join(root, "wrangler.toml"), "utf8")).not.toMatch(/^database_id|00000000-0000/m);
	});

	it("[env.staging] repeats every binding and var (environments inherit neither), under staging's own names", () => {
		const names = (config: typeof production) => ({
			vars: Object.keys(config.vars).sort(),
			durableObjects: config.durable_objects.bindings.map((b) => `${b.name}:${b.class_name}`),
			d1: config.d1_databases.map((b) => b.binding),
			r2: config.r2_buckets.map((b) => b.binding),
			producers: config.queues.producers?.map((b) => b.binding),
			consumers: config.queues.consumers?.length,
			browser: config.browser?.binding,
			crons: config.triggers.crons,
		});
		expect(names(staging)).toEqual(names(production));
		const resources = (config: typeof production) => [
			config.name,
			config.d1_databases[0]!.database_name,
			config.r2_buckets[0]!.bucket_name,
			...config.queues.consumers!.flatMap((c) => [c.queue, c.dead_letter_queue ?? ""]),
			config.vars.FLEET_NAME,
		];
		expect(resources(production)).toEqual(["quire", "quire", "quire-pdfs", "quire-jobs", "quire-jobs-dlq", "quire-jobs-dlq", "", "main"]);
		expect(resources(staging)).toEqual(["quire-staging", "quire-staging", "quire-staging-pdfs", "quire-staging-jobs", "quire-staging-jobs-dlq", "quire-staging-jobs-dlq", "", "staging"]);
		// Every other var has production's value.
		expect({ ...staging.vars, FLEET_NAME: "main" }).toEqual(production.vars);
	});
});

describe("scripts/deploy.mjs's arguments and Node check", () => {
	it("reads the target environment as wrangler does", () => {
		expect(targetEnvironment([])).toBe("");
		expect(targetEnvironment(["--env", "staging"])).toBe("staging");
		expect(targetEnvironment(["--env=staging"])).toBe("staging");
		expect(targetEnvironment(["-e", "staging"])).toBe("staging");
	});

	it("refuses a Node older than package.json's engines with a clear message, and accepts one as new or newer", () => {
		expect(() => checkNode(">=22.12", "20.20.2")).toThrow(/Quire needs Node >=22\.12 \(package\.json "engines"\), and this is Node 20\.20\.2\. Run `npm install` and then `npm run deploy`/);
		expect(() => checkNode(">=22.12", "22.11.0")).toThrow(/this is Node 22\.11\.0/);
		expect(() => checkNode(">=22.12", "22.12.0")).not.toThrow();
		expect(() => checkNode(">=22.12", "24.1.0")).not.toThrow();
		// package.json's own engines, and the Node npm scripts run (node_modules' Node 22).
		expect(() => checkNode()).not.toThrow();
	});
});

/** `npm run deploy -- <args>` against the stand-in: what a person types, with the API at the stand-in. */
function npmRunDeploy(standIn: StandIn, args: string[] = []): Promise<{ code: number; output: string }> {
	return new Promise((done) => {
		execFile(
			"npm",
			["run", "--silent", "deploy", "--", ...args],
			{
				cwd: root,
				maxBuffer: 64 * 1024 * 1024,
				env: { ...process.env, CLOUDFLARE_API_BASE_URL: standIn.url, CLOUDFLARE_API_TOKEN: API_TOKEN, CLOUDFLARE_ACCOUNT_ID: ACCOUNT_ID, CI: "" },
			},
			(error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
		);
	});
}

/** The wrangler commands the deploy ran, as it logged them (the secrets file's temporary path made constant). */
const commands = (output: string) =>
	[...output.matchAll(/^\[quire\] \$ wrangler (.*)$/gm)].map((m) => m[1]!.replace(/\/\S*quire-secrets-\w+\/secrets\.json/, "<secrets.json>"));

/** The requests that change the account (every method but GET), ids made readable: what a deploy did. */
function changes(requests: Recorded[]) {
	return requests
		.filter((r) => r.method !== "GET" && !r.path.endsWith("/query"))
		.map((r) => {
			const path = r.path.replace(`/accounts/${ACCOUNT_ID}`, "").replace(/\/queues\/[0-9a-f]{32}/, "/queues/<id>").replace(/\/consumers\/[0-9a-f-]{36}/, "/consumers/<id>");
			const name = (r.body as { name?: string; queue_name?: string } | undefined)?.name ?? (r.body as { queue_name?: string } | undefined)?.queue_name;
			return `${r.method} ${path}${name ? ` ${name}` : ""}`;
		});
}

/** What "creates" means for the second deploy: a new resource, rule, secret (a PUT of its own; the first deploy's go with the upload) or consumer. */
const CREATES = /^(POST \/queues \S|POST \/d1\/database |POST \/r2\/buckets |PUT \/r2\/buckets\/.*\/lifecycle|PUT \/workers\/scripts\/[^/]+\/secrets|POST \/queues\/<id>\/consumers)/;

const MIGRATIONS = readdirSync(join(root, "migrations")).filter((f) => f.endsWith(".sql")).sort();

describe("npm run deploy, against a recording stand-in for the Cloudflare API", () => {
	let standIn: StandIn;
	let first: { code: number; output: string };
	let firstRequests: Recorded[];
	let firstSecrets: Map<string, string>;

	beforeAll(async () => {
		standIn = await startCloudflareApiStandIn(emptyAccount("paid"));
		first = await npmRunDeploy(standIn);
		firstRequests = standIn.requests.splice(0);
		firstSecrets = new Map(standIn.account.scripts.get("quire")?.secrets);
		return () => standIn.close();
	});

	it("first deploy: creates the queues, D1 database, bucket, secrets, Worker, consumers and lifecycle rule, and applies every migration", () => {
		console.log(first.output);
		expect(first.code, first.output).toBe(0);
		expect(firstRequests.filter((r) => r.unhandled)).toEqual([]);
		expect(commands(first.output)).toEqual([
			"whoami --json --env=",
			"queues info quire-jobs --env=",
			"queues create quire-jobs --env=",
			"queues info quire-jobs-dlq --env=",
			"queues create quire-jobs-dlq --env=",
			"d1 list --json --env=",
			"secret list --format json --env=",
			"deploy --secrets-file <secrets.json> --env=",
			"d1 migrations apply DB --remote --env=",
			"r2 bucket lifecycle list quire-pdfs --env=",
			"r2 bucket lifecycle add quire-pdfs expire-pdfs acc_ --expire-days 31 --env=",
			"r2 bucket lifecycle add quire-pdfs expire-jobs jobs/ --expire-days 31 --env=",
			"r2 bucket lifecycle add quire-pdfs expire-idempotency idempotency/ --expire-days 31 --env=",
		]);
		expect(changes(firstRequests)).toEqual([
			"POST /queues quire-jobs",
			"POST /queues quire-jobs-dlq",
			"POST /workers/scripts/quire/assets-upload-session",
			"POST /d1/database quire",
			"POST /r2/buckets quire-pdfs",
			"PUT /workers/scripts/quire",
			"PATCH /workers/scripts/quire/script-settings",
			"POST /workers/scripts/quire/subdomain",
			"PUT /workers/scripts/quire/schedules",
			"POST /queues/<id>/consumers",
			"POST /queues/<id>/consumers",
			"PUT /r2/buckets/quire-pdfs/lifecycle",
			"PUT /r2/buckets/quire-pdfs/lifecycle",
			"PUT /r2/buckets/quire-pdfs/lifecycle",
		]);
		const account = standIn.account;
		expect([...account.queues.keys()]).toEqual(["quire-jobs", "quire-jobs-dlq"]);
		expect([...account.databases.keys()]).toEqual(["quire"]);
		expect(account.databases.get("quire")!.migrations).toEqual(MIGRATIONS);
		expect(MIGRATIONS.length).toBeGreaterThan(0);
		// One rule per prefix that expires; none for the whole bucket, which also keeps templates' assets.
		const maxAge = { condition: { type: "Age", maxAge: 31 * 86400 } };
		expect(account.buckets.get("quire-pdfs")!.lifecycle).toEqual([
			expect.objectContaining({ id: "expire-pdfs", enabled: true, conditions: { prefix: "acc_" }, deleteObjectsTransition: maxAge }),
			expect.objectContaining({ id: "expire-jobs", enabled: true, conditions: { prefix: "jobs/" }, deleteObjectsTransition: maxAge }),
			expect.objectContaining({ id: "expire-idempotency", enabled: true, conditions: { prefix: "idempotency/" }, deleteObjectsTransition: maxAge }),
		]);
		const script = account.scripts.get("quire")!;
		expect(script.crons).toEqual(["17 * * * *"]);
		expect(script.bindings.map((b) => b.name).sort()).toEqual(expect.arrayContaining(["BROWSER", "CREDITS", "DB", "FLEET", "JOBS", "PDFS", "RATE_LIMITER", "RENDERER"]));
		// Both secrets, random, uploaded with the first version; the admin token shown this once, the other never.
		expect([...firstSecrets.keys()].sort()).toEqual(["ADMIN_TOKEN", "WEBHOOK_SECRET_KEY"]);
		for (const value of firstSecrets.values()) expect(value).toMatch(/^[0-9a-f]{64}$/);
		expect(firstSecrets.get("ADMIN_TOKEN")).not.toBe(firstSecrets.get("WEBHOOK_SECRET_KEY"));
		expect(first.output).toContain(`ADMIN_TOKEN (for /admin; shown this once, keep it in a password manager): ${firstSecrets.get("ADMIN_TOKEN")}`);
		expect(first.output).not.toContain(firstSecrets.get("WEBHOOK_SECRET_KEY"));
		expect(first.output).toContain(`[quire] Quire is live: https://quire.quire-test.workers.dev`);
		expect(first.output).toMatch(/next:[\s\S]*PUBLIC_ORIGIN[\s\S]*wrangler rollback/);
	});

	it("second deploy: creates nothing, keeps the secrets, and prints none", async () => {
		const second = await npmRunDeploy(standIn);
		const requests = standIn.requests.splice(0);
		expect(second.code, second.output).toBe(0);
		expect(requests.filter((r) => r.unhandled)).toEqual([]);
		expect(commands(second.output)).toEqual([
			"whoami --json --env=",
			"queues info quire-jobs --env=",
			"queues info quire-jobs-dlq --env=",
			"d1 list --json --env=",
			"d1 migrations apply DB --remote --env=",
			"secret list --format json --env=",
			"deploy --env=",
			"r2 bucket lifecycle list quire-pdfs --env=",
		]);
		// The first deploy's changes do match CREATES (the positive control); the second's never do.
		expect(changes(firstRequests).filter((c) => CREATES.test(c))).toEqual([
			"POST /queues quire-jobs",
			"POST /queues quire-jobs-dlq",
			"POST /d1/database quire",
			"POST /r2/buckets quire-pdfs",
			"POST /queues/<id>/consumers",
			"POST /queues/<id>/consumers",
			"PUT /r2/buckets/quire-pdfs/lifecycle",
			"PUT /r2/buckets/quire-pdfs/lifecycle",
			"PUT /r2/buckets/quire-pdfs/lifecycle",
		]);
		expect(changes(requests).filter((c) => CREATES.test(c))).toEqual([]);
		// What remains is the new version of the Worker, deployed (and wrangler's settings it re-asserts).
		expect(changes(requests)).toEqual(expect.arrayContaining(["POST /workers/scripts/quire/versions", "POST /workers/scripts/quire/deployments"]));
		expect(second.output).toContain("[quire] D1 migrations: none to apply");
		const account = standIn.account;
		expect(account.databases.get("quire")!.migrations).toEqual(MIGRATIONS);
		expect(account.scripts.get("quire")!.secrets).toEqual(firstSecrets);
		expect(account.scripts.get("quire")!.uploads).toBe(2);
		for (const value of firstSecrets.values()) expect(second.output).not.toContain(value);
		expect(second.output).not.toContain("ADMIN_TOKEN (");
	});

	it("--env staging: a separate Worker with its own database, bucket, queues, rule and secrets; production untouched", async () => {
		// The credentials may not read billing here: the deploy says so and goes on.
		standIn.account.plan = "unreadable";
		const production = { secrets: new Map(standIn.account.scripts.get("quire")!.secrets), uploads: standIn.account.scripts.get("quire")!.uploads };
		const staging = await npmRunDeploy(standIn, ["--env", "staging"]);
		const requests = standIn.requests.splice(0);
		expect(staging.code, staging.output).toBe(0);
		expect(staging.output).toContain("could not read the account's plan (that needs Billing Read)");
		expect(changes(requests).filter((c) => CREATES.test(c))).toEqual([
			"POST /queues quire-staging-jobs",
			"POST /queues quire-staging-jobs-dlq",
			"POST /d1/database quire-staging",
			"POST /r2/buckets quire-staging-pdfs",
			"POST /queues/<id>/consumers",
			"POST /queues/<id>/consumers",
			"PUT /r2/buckets/quire-staging-pdfs/lifecycle",
			"PUT /r2/buckets/quire-staging-pdfs/lifecycle",
			"PUT /r2/buckets/quire-staging-pdfs/lifecycle",
		]);
		expect(requests.filter((r) => /\/(quire|quire-pdfs|quire-jobs)(\/|$)/.test(r.path) && r.method !== "GET")).toEqual([]);
		const account = standIn.account;
		expect(account.databases.get("quire-staging")!.migrations).toEqual(MIGRATIONS);
		const script = account.scripts.get("quire-staging")!;
		expect([...script.secrets.keys()].sort()).toEqual(["ADMIN_TOKEN", "WEBHOOK_SECRET_KEY"]);
		expect(script.secrets.get("ADMIN_TOKEN")).not.toBe(production.secrets.get("ADMIN_TOKEN"));
		expect(staging.output).toContain("[quire] Quire is live: https://quire-staging.quire-test.workers.dev");
		expect(account.scripts.get("quire")!.secrets).toEqual(production.secrets);
		expect(account.scripts.get("quire")!.uploads).toBe(production.uploads);
	});
});

describe("npm run deploy's preconditions, against the stand-in", () => {
	it.each([
		["not logged in", { authorized: false }, /Not logged in to Cloudflare\. Run `npx wrangler login`/],
		["no Workers Paid plan", { plan: "free" as const }, /This account has no Workers Paid plan, and Quire renders with Browser Rendering/],
	])("%s: stops before changing anything, with a clear message", async (_, state, message) => {
		const standIn = await startCloudflareApiStandIn({ ...emptyAccount("paid"), ...state });
		try {
			const { code, output } = await npmRunDeploy(standIn);
			expect(code).not.toBe(0);
			expect(output).toMatch(message);
			expect(output).toContain("[quire] deploy stopped:");
			expect(standIn.requests.length).toBeGreaterThan(0);
			expect(standIn.requests.filter((r) => r.method !== "GET")).toEqual([]);
		} finally {
			await standIn.close();
		}
	});
});
