// A recording stand-in for the Cloudflare API (api.cloudflare.com/client/v4), the one thing these
// machines cannot reach: `npm run deploy` drives the real wrangler, pointed here by
// CLOUDFLARE_API_BASE_URL, and this answers as the API does for one in-memory account (D1 databases,
// R2 buckets and their lifecycle rules, queues, Worker scripts with their secrets and settings,
// subscriptions) and records every request, so a test can say exactly what a deploy asked for.
// It knows the requests that `scripts/deploy.mjs`'s wrangler commands make, no more; any other is
// answered 404 with a message naming it and recorded as `unhandled`.
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
export const API_TOKEN = "stand-in-api-token";
export const WORKERS_SUBDOMAIN = "quire-test";

/** One request as the stand-in received it: `GET /accounts/…/queues?name=quire-jobs`. */
export interface Recorded {
	method: string;
	path: string;
	search: string;
	/** A JSON body (what was created, and with which name); absent for multipart uploads. */
	body?: unknown;
	unhandled?: true;
}

export interface Script {
	/** Secrets by name, as uploaded (the test checks a second deploy leaves them alone). */
	secrets: Map<string, string>;
	/** The bindings of its last upload (what `settings` returns), secrets excluded. */
	bindings: Array<Record<string, unknown>>;
	uploads: number;
	crons: string[];
	migrationTag?: string;
	/** Whether it answers on its workers.dev URL (the first deploy turns it on). */
	workersDev: boolean;
}

/** The account's state: what exists on "Cloudflare". */
export interface Account {
	/** false: the credentials are rejected (not logged in). */
	authorized: boolean;
	/** "paid": a workers_paid subscription; "free": none; "unreadable": subscriptions answer 403 (no Billing Read). */
	plan: "paid" | "free" | "unreadable";
	databases: Map<string, { uuid: string; migrations: string[] }>;
	buckets: Map<string, { lifecycle: Array<Record<string, unknown>> }>;
	queues: Map<string, { queue_id: string; consumers: Array<Record<string, unknown>> }>;
	scripts: Map<string, Script>;
}

export interface StandIn {
	url: string;
	account: Account;
	requests: Recorded[];
	close(): Promise<void>;
}

type Json = Record<string, unknown> | unknown[] | null;
/** An HTTP status (200 unless said) and the API's JSON envelope. */
type Reply = { status?: number; raw: unknown };

const ok = (result: Json, extra: Record<string, unknown> = {}): Reply => ({ raw: { success: true, errors: [], messages: [], result, ...extra } });
const error = (status: number, code: number, message: string): Reply => ({ status, raw: { success: false, errors: [{ code, message }], messages: [], result: null } });
const page = (result: unknown[]): Reply => ok(result, { result_info: { page: 1, per_page: 1000, count: result.length, total_count: result.length, total_pages: 1 } });

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** A D1 `/query` or `/raw` answer: the rows of each statement (wrangler's d1_migrations bookkeeping). */
function d1Results(db: { migrations: string[] }, sql: string) {
	for (const name of sql.matchAll(/INSERT INTO\s+"?d1_migrations"?\s*\(name\)\s*values\s*\('([^']+)'\)/gi)) db.migrations.push(name[1]!);
	const rows = /SELECT[\s\S]*FROM\s+"?d1_migrations"?/i.test(sql) && !/INSERT/i.test(sql) ? db.migrations.map((name, i) => ({ id: i + 1, name, applied_at: "2026-12-01 00:00:00" })) : [];
	return [{ results: rows, success: true, meta: { duration: 1, changes: 0, served_by: "stand-in", rows_read: rows.length, rows_written: 0 } }];
}

/** Answers one request from the account's state, or undefined when the stand-in does not know it. */
async function answer(account: Account, method: string, path: string, query: URLSearchParams, body: Buffer, req: IncomingMessage): Promise<Reply | undefined> {
	if (!account.authorized) return error(403, 9109, "Invalid access token");
	const json = () => JSON.parse(body.toString() || "{}");
	const p = path.replace(`/accounts/${ACCOUNT_ID}`, "/account");
	let m: RegExpMatchArray | null;

	if (method === "GET" && p === "/user/tokens/verify") return ok({ id: "token", status: "active" });
	if (method === "GET" && p === "/user") return ok({ email: "ops@example.com" });
	if (method === "GET" && p === "/accounts") return page([{ id: ACCOUNT_ID, name: "Quire test account" }]);
	if (method === "GET" && p === "/memberships") return page([{ id: "m", account: { id: ACCOUNT_ID, name: "Quire test account" }, roles: ["Administrator"] }]);
	if (method === "GET" && p === "/account/subscriptions") {
		if (account.plan === "unreadable") return error(403, 10000, "Authentication error");
		const plans = account.plan === "paid" ? ["workers_paid", "r2_paid"] : ["r2_paid"];
		return ok(plans.map((id) => ({ id: `sub-${id}`, rate_plan: { id, public_name: id }, state: "Paid" })));
	}

	// Queues.
	if (method === "GET" && p === "/account/queues") {
		const name = query.get("name");
		const list = [...account.queues].filter(([n]) => !name || n === name);
		return page(list.map(([queue_name, q]) => ({ queue_name, queue_id: q.queue_id, created_on: "2026-12-01", modified_on: "2026-12-01", producers: [], producers_total_count: 0, consumers: q.consumers, consumers_total_count: q.consumers.length })));
	}
	if (method === "POST" && p === "/account/queues") {
		const { queue_name } = json();
		if (account.queues.has(queue_name)) return error(409, 11009, `A queue with name ${queue_name} already exists`);
		account.queues.set(queue_name, { queue_id: randomUUID().replaceAll("-", ""), consumers: [] });
		return ok({ queue_name, queue_id: account.queues.get(queue_name)!.queue_id });
	}
	if ((m = p.match(/^\/account\/queues\/([^/]+)(?:\/consumers(?:\/([^/]+))?)?$/))) {
		const entry = [...account.queues].find(([, q]) => q.queue_id === m![1]);
		if (!entry) return error(404, 11000, "Queue not found");
		const [queue_name, q] = entry;
		if (method === "GET" && !p.includes("/consumers")) return ok({ queue_name, queue_id: q.queue_id, consumers: q.consumers, consumers_total_count: q.consumers.length, producers: [], producers_total_count: 0 });
		if (method === "GET") return page(q.consumers);
		if (method === "POST" || method === "PUT") {
			const consumer = json();
			q.consumers = q.consumers.filter((c) => c.script !== consumer.script_name && c.script_name !== consumer.script_name);
			q.consumers.push({ ...consumer, script: consumer.script_name, type: "worker", consumer_id: randomUUID() });
			return ok(consumer);
		}
	}

	// D1.
	if (method === "GET" && p === "/account/d1/database") {
		const name = query.get("name");
		const list = [...account.databases].filter(([n]) => !name || n === name);
		return page(list.map(([name, db]) => ({ uuid: db.uuid, name, created_at: "2026-12-01", version: "production", num_tables: 0, file_size: 0 })));
	}
	if (method === "POST" && p === "/account/d1/database") {
		const { name } = json();
		if (account.databases.has(name)) return error(400, 7502, "A database with that name already exists");
		account.databases.set(name, { uuid: randomUUID(), migrations: [] });
		return ok({ uuid: account.databases.get(name)!.uuid, name, created_in_region: "WNAM" });
	}
	if ((m = p.match(/^\/account\/d1\/database\/([^/]+)(\/query|\/raw)?$/))) {
		const entry = [...account.databases].find(([name, db]) => db.uuid === m![1] || name === m![1]);
		if (!entry) return error(404, 7404, "The database could not be found");
		const [name, db] = entry;
		if (method === "GET" && !m[2]) return ok({ uuid: db.uuid, name, version: "production", num_tables: 0, file_size: 0, running_in_region: "WNAM" });
		if (method === "POST" && m[2]) {
			const { sql } = json();
			const results = d1Results(db, sql);
			return ok(m[2] === "/raw" ? results.map((r) => ({ ...r, results: { columns: Object.keys(r.results[0] ?? {}), rows: r.results.map(Object.values) } })) : results);
		}
	}

	// R2.
	if (method === "GET" && p === "/account/r2/buckets") return ok({ buckets: [...account.buckets.keys()].map((name) => ({ name, creation_date: "2026-12-01" })) });
	if (method === "POST" && p === "/account/r2/buckets") {
		const { name } = json();
		if (account.buckets.has(name)) return error(409, 10004, "The bucket you tried to create already exists");
		account.buckets.set(name, { lifecycle: [] });
		return ok({ name, creation_date: "2026-12-01", location: "WNAM" });
	}
	if ((m = p.match(/^\/account\/r2\/buckets\/([^/]+)(\/lifecycle)?$/))) {
		const bucket = account.buckets.get(m[1]!);
		if (!bucket) return error(404, 10006, "The specified bucket does not exist.");
		if (method === "GET" && !m[2]) return ok({ name: m[1]!, creation_date: "2026-12-01", location: "WNAM" });
		if (method === "GET") return ok({ rules: bucket.lifecycle });
		if (method === "PUT" && m[2]) {
			bucket.lifecycle = json().rules;
			return ok({});
		}
	}

	// Workers.
	if (method === "GET" && p === "/account/workers/subdomain") return ok({ subdomain: WORKERS_SUBDOMAIN });
	if ((m = p.match(/^\/account\/workers\/workers\/([^/]+)$/)) && method === "GET") {
		const script = account.scripts.get(m[1]!);
		if (!script) return error(404, 10007, "This Worker does not exist on your account. [code: 10007]");
		return ok({ id: m[1]!, name: m[1]!, subdomain: { enabled: script.workersDev, previews_enabled: script.workersDev } });
	}
	if ((m = p.match(/^\/account\/workers\/(?:scripts|services)\/([^/]+)(\/.*)?$/))) {
		const name = m[1]!;
		const rest = m[2] ?? "";
		const script = account.scripts.get(name);
		if (method === "PUT" && rest === "") return upload(account, name, body, req);
		if (method === "POST" && rest === "/assets-upload-session") return ok({ jwt: "assets-completion-token", buckets: [] });
		if (!script) return error(404, 10007, `This Worker does not exist on your account. [code: 10007]`);
		if (method === "GET" && rest === "") return ok({ default_environment: { environment: "production", script: { id: name, migration_tag: script.migrationTag, last_deployed_from: "wrangler" } } });
		if (method === "GET" && rest === "/settings") return ok({ bindings: script.bindings, compatibility_date: "2026-11-01" });
		if (method === "GET" && rest === "/secrets") return ok([...script.secrets.keys()].map((name) => ({ name, type: "secret_text" })));
		if (method === "GET" && rest === "/subdomain") return ok({ enabled: script.workersDev, previews_enabled: script.workersDev });
		if (method === "POST" && rest === "/subdomain") {
			script.workersDev = json().enabled;
			return ok({ enabled: script.workersDev, previews_enabled: script.workersDev });
		}
		if (method === "PATCH" && rest === "/script-settings") return ok(json());
		if (method === "POST" && rest === "/versions") {
			const uploaded = await upload(account, name, body, req);
			const id = randomUUID();
			return ok({ id, number: script.uploads, resources: { script: { etag: (uploaded.raw as { result: { etag: string } }).result.etag } }, startup_time_ms: 10 });
		}
		if (method === "POST" && rest === "/deployments") return ok({ id: randomUUID(), strategy: "percentage", versions: json().versions });
		if (method === "PUT" && rest === "/schedules") {
			script.crons = json().map((s: { cron: string }) => s.cron);
			return ok({ schedules: json() });
		}
		if (method === "GET" && rest === "/schedules") return ok({ schedules: script.crons.map((cron) => ({ cron })) });
		if (method === "GET" && rest.startsWith("/deployments")) return ok({ deployments: [] });
		if (method === "GET" && rest.startsWith("/versions")) return ok({ items: [] });
		if (method === "GET" && rest === "/environments/production/routes") return ok([]);
		if (method === "GET" && rest === "/routes") return ok([]);
		if (method === "GET" && rest === "/domains/records") return ok([]);
	}
	return undefined;
}

/** A script upload (multipart: `metadata` JSON plus modules): its bindings, secrets and migration tag. */
async function upload(account: Account, name: string, body: Buffer, req: IncomingMessage): Promise<Reply> {
	const form = await new Request("http://stand-in/", { method: "PUT", headers: { "content-type": req.headers["content-type"] ?? "" }, body: new Uint8Array(body) }).formData();
	const metadata = JSON.parse(String(form.get("metadata")));
	const script: Script = account.scripts.get(name) ?? { secrets: new Map(), bindings: [], uploads: 0, crons: [], workersDev: false };
	account.scripts.set(name, script);
	script.uploads++;
	const bindings: Array<Record<string, unknown>> = metadata.bindings ?? [];
	for (const b of bindings) if (b.type === "secret_text") script.secrets.set(String(b.name), String(b.text));
	// A binding wrangler inherits from the deployed Worker keeps what it had.
	script.bindings = bindings.filter((b) => b.type !== "secret_text" && b.type !== "inherit").concat(script.bindings.filter((old) => bindings.some((b) => b.type === "inherit" && b.name === old.name)));
	if (metadata.migrations?.new_tag) script.migrationTag = metadata.migrations.new_tag;
	const etag = createHash("sha256").update(body).digest("hex");
	return ok({ id: name, etag, handlers: ["fetch", "queue", "scheduled"], modified_on: new Date().toISOString(), created_on: new Date().toISOString(), usage_model: "standard", has_assets: true, deployment_id: randomUUID() });
}

export function emptyAccount(plan: Account["plan"] = "paid"): Account {
	return { authorized: true, plan, databases: new Map(), buckets: new Map(), queues: new Map(), scripts: new Map() };
}

/** Starts the stand-in on a free loopback port. */
export async function startCloudflareApiStandIn(account: Account = emptyAccount()): Promise<StandIn> {
	const requests: Recorded[] = [];
	const server: Server = createServer(async (req, res) => {
		const url = new URL(req.url ?? "/", "http://stand-in");
		const path = url.pathname.replace(/^\/client\/v4/, "");
		const record: Recorded = { method: req.method ?? "GET", path, search: url.search };
		requests.push(record);
		const body = await bodyOf(req);
		if (!String(req.headers["content-type"]).startsWith("multipart/") && /^\s*[[{]/.test(body.toString("utf8", 0, 16))) record.body = JSON.parse(body.toString());
		let reply: Reply | undefined;
		try {
			reply = await answer(account, record.method, path, url.searchParams, body, req);
		} catch (e) {
			reply = error(500, 10000, `stand-in failed on ${record.method} ${path}: ${(e as Error).stack}`);
		}
		if (!reply) {
			record.unhandled = true;
			reply = error(404, 10000, `the Cloudflare API stand-in does not know ${record.method} ${path}`);
		}
		res.writeHead(reply.status ?? 200, { "content-type": "application/json" });
		res.end(JSON.stringify(reply.raw));
	});
	await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/client/v4`,
		account,
		requests,
		close: () => new Promise((done) => server.close(() => done())),
	};
}
