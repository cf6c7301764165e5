import type { MiddlewareHandler } from "hono";
import { endTime, startTime } from "hono/timing";
import { eq } from "drizzle-orm";
import { apiKeys } from "../db/schema";
import { ApiError } from "../http/errors";
import type { AppEnv, AuthContext } from "../http/app-env";
import { hashKey, parseKey } from "./api-key";

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
 * Authenticates the request by API key and puts the caller in `c.var.auth`.
 * A key of the wrong shape or checksum is refused before any database read.
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
		const auth = { accountId: row.account_id, keyId: row.key_id, mode, plan: row.plan, blockRemote: Boolean(row.block_remote_resources), javascript: Boolean(row.javascript), expiresInHours: row.expires_in_hours };
		c.set("auth", auth);

		const now = Date.now();
		if (!row.last_used_at || now - Date.parse(row.last_used_at) > LAST_USED_RESOLUTION_MS) {
			const touch = c.var.db.update(apiKeys).set({ lastUsedAt: new Date(now).toISOString() }).where(eq(apiKeys.id, row.key_id));
			c.executionCtx.waitUntil(touch.run().catch(() => {}));
		}
		if (live) requireLiveKey(auth);
		await next();
	};
}
