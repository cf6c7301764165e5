import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { endTime, startTime } from "hono/timing";
import { eq } from "drizzle-orm";
import { apiKeys } from "../db/schema";
import { ApiError } from "../http/errors";
import type { AppEnv, AuthContext } from "../http/app-env";
import { publicOrigin } from "../http/public-origin";
import { hashKey, parseKey } from "./api-key";
import { hasRole, neededRole } from "./roles";
import { SESSION_COOKIE, sessionCaller } from "./sessions";

/** `last_used_at` is written at most this often per key, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** The key from `X-API-Key: <key>` (DokJet) or `Authorization: Bearer <key>` (pdfapi.dev). */
export function readKey(headers: Headers): string | null {
	const direct = headers.get("x-api-key")?.trim();
	if (direct) return direct;
	const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
	return bearer?.[1] ?? null;
}

/** Constant-time comparison of two equal-length hex digests. */
export function sameDigest(a: string, b: string): boolean {
	const encoder = new TextEncoder();
	const left = encoder.encode(a);
	const right = encoder.encode(b);
	return left.byteLength === right.byteLength && crypto.subtle.timingSafeEqual(left, right);
}

interface KeyRow {
	key_id: string;
	key_hash: string;
	last_used_at: string | null;
	account_id: string;
	plan: string;
	block_remote_resources: number;
	javascript: number;
	expires_in_hours: number | null;
}

const KEY_LOOKUP = `SELECT k.id AS key_id, k.key_hash, k.last_used_at, a.id AS account_id, a.plan, a.block_remote_resources, a.javascript, a.expires_in_hours
	FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.key_hash = ?`;

/**
 * Refuses a test key (403) an action that needs a live key. A test key is for trying the API at
 * no cost: it may read, generate test documents, create or delete test keys and delete test
 * files, but nothing that changes what live keys do or make (live keys, the webhook secret,
 * settings, templates, live files).
 *
 * @example if (mode === "live") requireLiveKey(c.var.auth, "Creating a live key")
 */
export function requireLiveKey(auth: AuthContext, action?: string): void {
	if (auth.mode !== "live") throw new ApiError("FORBIDDEN", liveKeyNeeded(action));
}

/** The message of {@link requireLiveKey}'s 403. */
export function liveKeyNeeded(action = "This action"): string {
	return `${action} needs a live API key (qk_live_…): a test key may only read, generate test documents, create or delete test keys and delete test files`;
}

/**
 * Authenticates the request by API key, or without one by a member's session cookie
 * (docs/accounts.md), puts the caller in `c.var.auth`, and checks the caller's role against the
 * request ({@link neededRole}). A key of the wrong shape or checksum is refused before any database
 * read. A cookie request that changes something must come from Quire's own pages ({@link checkCsrf}).
 *
 * With `nearby: true` the one D1 read goes through a Sessions API session that may be answered
 * by a read replica near the user. A replica can lag a key's deletion, so such routes must also
 * present the key id to the account's Credits object, which refuses revoked keys (it is told of
 * every deletion before the deletion returns). The other routes read the primary.
 *
 * With `live: true` a test key is refused with 403 ({@link requireLiveKey}), before anything else
 * runs (an idempotent replay included).
 *
 * @example app.openapi(createRoute({ …, middleware: [apiKeyAuth({ nearby: true })] }), handler)
 */
export function apiKeyAuth({ nearby = false, live = false }: { nearby?: boolean; live?: boolean } = {}): MiddlewareHandler<AppEnv> {
	return async function apiKeyAuth(c, next) {
		const key = readKey(c.req.raw.headers);
		const cookie = key ? undefined : getCookie(c, SESSION_COOKIE);
		if (cookie) {
			await sessionAuth(c, cookie);
			await next();
			return;
		}
		if (!key) throw new ApiError("UNAUTHORIZED", "Missing API key: send it as X-API-Key: <key> or Authorization: Bearer <key>");
		const mode = parseKey(key);
		if (!mode) throw new ApiError("UNAUTHORIZED", "Invalid API key");

		startTime(c, "auth");
		const hash = await hashKey(key);
		const source = nearby ? c.env.DB.withSession("first-unconstrained") : c.env.DB;
		const row = await source
			.prepare(KEY_LOOKUP)
			.bind(hash)
			.first<KeyRow>()
			.catch((cause: unknown) => {
				throw new ApiError("SERVICE_UNAVAILABLE", "The key store is unavailable; try again shortly", undefined, cause);
			});
		if (!row || !sameDigest(row.key_hash, hash)) throw new ApiError("UNAUTHORIZED", "Invalid API key");
		endTime(c, "auth");
		const auth: AuthContext = { accountId: row.account_id, via: "key", keyId: row.key_id, memberId: null, role: "developer", mode, plan: row.plan, blockRemote: Boolean(row.block_remote_resources), javascript: Boolean(row.javascript), expiresInHours: row.expires_in_hours };
		c.set("auth", auth);

		const now = Date.now();
		if (!row.last_used_at || now - Date.parse(row.last_used_at) > LAST_USED_RESOLUTION_MS) {
			const touch = c.var.db.update(apiKeys).set({ lastUsedAt: new Date(now).toISOString() }).where(eq(apiKeys.id, row.key_id));
			c.executionCtx.waitUntil(touch.run().catch(() => {}));
		}
		authorize(c, auth);
		if (live) requireLiveKey(auth);
		await next();
	};
}

/** Authenticates by session cookie: a live session of a member still on the account, acting as live. */
async function sessionAuth(c: Context<AppEnv>, token: string): Promise<void> {
	startTime(c, "auth");
	const caller = await sessionCaller(c.var.db, token).catch((cause: unknown) => {
		throw new ApiError("SERVICE_UNAVAILABLE", "The session store is unavailable; try again shortly", undefined, cause);
	});
	if (!caller) throw new ApiError("UNAUTHORIZED", "Your session has ended (signed out, revoked or expired): sign in again");
	endTime(c, "auth");
	const { sessionId, memberId, role, accountId, plan, blockRemote, javascript, expiresInHours } = caller;
	const auth: AuthContext = { accountId, via: "session", keyId: sessionId, memberId, role, mode: "live", plan, blockRemote, javascript, expiresInHours };
	c.set("auth", auth);
	checkCsrf(c);
	authorize(c, auth);
}

/**
 * Refuses (403) a cookie request that may change something unless it comes from Quire's own
 * origin: its `Origin`, or without one its `Referer`. The cookie is `SameSite=Strict` too; this
 * holds where SameSite doesn't (a sibling subdomain is same-site).
 */
export function checkCsrf(c: Context<AppEnv>): void {
	if (c.req.method === "GET" || c.req.method === "HEAD") return;
	const own = publicOrigin(c.env, c.req.url);
	const origin = c.req.header("origin") ?? refererOrigin(c.req.header("referer"));
	if (origin !== own) throw new ApiError("FORBIDDEN", `A request signed in by session cookie must come from ${own} (its Origin or Referer header): refused as possible cross-site request forgery`);
}

function refererOrigin(referer: string | undefined): string | undefined {
	return referer && URL.canParse(referer) ? new URL(referer).origin : undefined;
}

/** Refuses (403) a caller whose role is below what the request needs (src/auth/roles.ts). */
function authorize(c: Context<AppEnv>, auth: AuthContext): void {
	const needed = neededRole(c.req.method, c.req.path);
	if (hasRole(auth.role, needed)) return;
	const what = `${c.req.method} ${c.req.path}`;
	if (auth.via === "key") throw new ApiError("FORBIDDEN", `${what} needs an owner signed in (a session cookie): an API key may not do it`);
	throw new ApiError("FORBIDDEN", `${what} needs the ${needed} role; you are a ${auth.role} of this account`);
}
