import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../db";
import { apiKeys } from "../db/schema";
import { generateKey, hashKey, keyPreview, newId, type KeyMode } from "./api-key";

/** Keys an account may hold at once (the sign-up key included). */
export const MAX_KEYS_PER_ACCOUNT = 20;

export interface IssuedKey {
	/** The full key: returned to the client once, never stored. */
	key: string;
	row: typeof apiKeys.$inferInsert & { createdAt: string };
}

/** A new key and the row that stores it (hash and preview only). Nothing is written. */
export async function issueKey(accountId: string, name: string, mode: KeyMode, createdAt = new Date().toISOString()): Promise<IssuedKey> {
	const key = generateKey(mode);
	const row = { id: newId("key"), accountId, name, keyHash: await hashKey(key), keyPreview: keyPreview(key), mode, createdAt };
	return { key, row };
}

/**
 * Stores a new key unless the account already holds {@link MAX_KEYS_PER_ACCOUNT}. One statement,
 * so two concurrent creations can't both pass the count. Returns the key, or null at the cap.
 */
export async function createKey(db: Db, accountId: string, name: string, mode: KeyMode): Promise<IssuedKey | null> {
	const issued = await issueKey(accountId, name, mode);
	const { id, keyHash, keyPreview: preview, createdAt } = issued.row;
	const result = await db.run(sql`
		INSERT INTO api_keys (id, account_id, name, key_hash, key_preview, mode, created_at)
		SELECT ${id}, ${accountId}, ${name}, ${keyHash}, ${preview}, ${mode}, ${createdAt}
		WHERE (SELECT COUNT(*) FROM api_keys WHERE account_id = ${accountId}) < ${MAX_KEYS_PER_ACCOUNT}`);
	return result.meta.changes === 1 ? issued : null;
}

export function listKeys(db: Db, accountId: string) {
	return db
		.select({ id: apiKeys.id, name: apiKeys.name, keyPreview: apiKeys.keyPreview, createdAt: apiKeys.createdAt, lastUsedAt: apiKeys.lastUsedAt })
		.from(apiKeys)
		.where(eq(apiKeys.accountId, accountId))
		.orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
}

/** The mode of one of the account's keys, or null when it has no key with this id. */
export async function keyMode(db: Db, accountId: string, keyId: string): Promise<KeyMode | null> {
	const row = await db.select({ mode: apiKeys.mode }).from(apiKeys).where(and(eq(apiKeys.id, keyId), eq(apiKeys.accountId, accountId))).get();
	return row?.mode ?? null;
}

/** Deletes one of the account's keys. False when the account has no key with this id. */
export async function deleteKey(db: Db, accountId: string, keyId: string): Promise<boolean> {
	const result = await db.delete(apiKeys).where(and(eq(apiKeys.id, keyId), eq(apiKeys.accountId, accountId))).run();
	return result.meta.changes === 1;
}
