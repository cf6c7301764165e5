import type { MiddlewareHandler } from "hono";
import { endTime, startTime } from "hono/timing";
import { eq } from "drizzle-orm";
import { accounts, apiKeys } from "../db/schema";
import { ApiError } from "../http/errors";
import type { AppEnv } from "../http/app-env";
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

/**
 * Authenticates the request by API key and puts the caller in `c.var.auth`.
 * A key of the wrong shape or checksum is refused before any database read.
 */
export function apiKeyAuth(): MiddlewareHandler<AppEnv> {
	return async function apiKeyAuth(c, next) {
		const key = readKey(c.req.raw.headers);
		if (!key) throw new ApiError("UNAUTHORIZED", "Missing API key: send it as X-API-Key: <key> or Authorization: Bearer <key>");
		const mode = parseKey(key);
		if (!mode) throw new ApiError("UNAUTHORIZED", "Invalid API key");

		startTime(c, "auth");
		const hash = await hashKey(key);
		const row = await c.var.db
			.select({ keyId: apiKeys.id, keyHash: apiKeys.keyHash, lastUsedAt: apiKeys.lastUsedAt, accountId: accounts.id, plan: accounts.plan })
			.from(apiKeys)
			.innerJoin(accounts, eq(apiKeys.accountId, accounts.id))
			.where(eq(apiKeys.keyHash, hash))
			.get()
			.catch((cause: unknown) => {
				throw new ApiError("SERVICE_UNAVAILABLE", "The key store is unavailable; try again shortly", undefined, cause);
			});
		if (!row || !sameDigest(row.keyHash, hash)) throw new ApiError("UNAUTHORIZED", "Invalid API key");

		endTime(c, "auth");
		c.set("auth", { accountId: row.accountId, keyId: row.keyId, mode, plan: row.plan });

		const now = Date.now();
		if (!row.lastUsedAt || now - Date.parse(row.lastUsedAt) > LAST_USED_RESOLUTION_MS) {
			const touch = c.var.db.update(apiKeys).set({ lastUsedAt: new Date(now).toISOString() }).where(eq(apiKeys.id, row.keyId));
			c.executionCtx.waitUntil(touch.run().catch(() => {}));
		}
		await next();
	};
}
