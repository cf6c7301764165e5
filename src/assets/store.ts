import { and, asc, count, eq, sum } from "drizzle-orm";
import { newId } from "../auth/api-key";
import type { Db } from "../db";
import { assets, type Asset } from "../db/schema";
import { ApiError } from "../http/errors";
import { sniffAssetType, ASSET_TYPES } from "./sniff";
import type { AssetRef } from "./url";

/** How much an account may store: per asset, and in all (documented in docs/template-helpers.md). */
export const ASSET_LIMITS = { assetBytes: 5 * 1024 * 1024, accountBytes: 50 * 1024 * 1024, accountAssets: 200 } as const;

/** The R2 key of an asset's bytes: under its account, so a key made for one account never reads another's. */
export function assetKey(accountId: string, id: string): string {
	return `assets/${accountId}/${id}`;
}

/**
 * An asset name: a file name without path separators or control characters, at most 100
 * characters. Returns the reason it is not one, or null.
 */
export function refuseAssetName(name: string): string | null {
	if (name.length === 0 || name.length > 100) return "must be 1 to 100 characters";
	// eslint-disable-next-line no-control-regex
	if (/[\u0000-\u001f\u007f/\\]/.test(name)) return "must not contain /, \\ or control characters";
	if (name === "." || name === "..") return "must be a file name";
	return null;
}

/** What the account stores now, against {@link ASSET_LIMITS}. */
export async function assetUsage(db: Db, accountId: string): Promise<{ assets: number; bytes: number }> {
	const row = await db.select({ assets: count(), bytes: sum(assets.size) }).from(assets).where(eq(assets.accountId, accountId)).get();
	return { assets: row?.assets ?? 0, bytes: Number(row?.bytes ?? 0) };
}

/**
 * Stores an uploaded asset: its type read from its bytes (415 when it is none Quire serves), its
 * size and the account's quota checked (413), its name unused in the account (409). The bytes go
 * to R2 before the row, so a listed asset always has them; a row that can't be written takes
 * its object with it. (Two uploads racing past the quota may both land: the quota is a guard
 * against abuse, not an invoice.)
 */
export async function createAsset(env: { PDFS: R2Bucket }, db: Db, accountId: string, name: string, bytes: Uint8Array): Promise<Asset> {
	if (bytes.byteLength === 0) throw new ApiError("VALIDATION_ERROR", "The request body is empty: send the file's bytes as the body", { fields: [{ path: "(body)", message: "is empty" }] });
	if (bytes.byteLength > ASSET_LIMITS.assetBytes) throw new ApiError("PAYLOAD_TOO_LARGE", `An asset may be at most ${ASSET_LIMITS.assetBytes / 1024 / 1024} MB`);
	const type = sniffAssetType(bytes);
	if (!type) throw new ApiError("UNSUPPORTED_MEDIA_TYPE", `The file is not one of the asset types (${ASSET_TYPES.join(", ")}); its type is read from its content, not its name`);
	const usage = await assetUsage(db, accountId);
	if (usage.assets >= ASSET_LIMITS.accountAssets) throw new ApiError("QUOTA_EXCEEDED", `The account has ${usage.assets} assets, the most it may store; delete some first`, quotaDetails(usage));
	if (usage.bytes + bytes.byteLength > ASSET_LIMITS.accountBytes) {
		throw new ApiError("QUOTA_EXCEEDED", `The account's assets would take more than ${ASSET_LIMITS.accountBytes / 1024 / 1024} MB; delete some first`, quotaDetails(usage));
	}
	if (await findAsset(db, accountId, { name })) throw new ApiError("CONFLICT", `An asset named "${name}" exists: delete it first, or upload under another name`);
	const row: Asset = { id: newId("ast"), accountId, name, type, size: bytes.byteLength, createdAt: new Date().toISOString() };
	await env.PDFS.put(assetKey(accountId, row.id), bytes, { httpMetadata: { contentType: type } });
	try {
		await db.insert(assets).values(row).run();
	} catch (error) {
		await env.PDFS.delete(assetKey(accountId, row.id)).catch(() => {});
		// The same name uploaded twice at once: the unique index let one in.
		if (/UNIQUE/i.test(String((error as Error)?.message) + String((error as Error)?.cause))) throw new ApiError("CONFLICT", `An asset named "${name}" exists`);
		throw error;
	}
	return row;
}

function quotaDetails(usage: { assets: number; bytes: number }) {
	return { assets: usage.assets, bytes: usage.bytes, max_assets: ASSET_LIMITS.accountAssets, max_bytes: ASSET_LIMITS.accountBytes };
}

/** The account's assets, by name (at most {@link ASSET_LIMITS}.accountAssets, so one page). */
export function listAssets(db: Db, accountId: string): Promise<Asset[]> {
	return db.select().from(assets).where(eq(assets.accountId, accountId)).orderBy(asc(assets.name)).all();
}

/** The account's asset by id or name, or undefined: another account's asset is not found either. */
export function findAsset(db: Db, accountId: string, ref: AssetRef): Promise<Asset | undefined> {
	const which = "id" in ref ? eq(assets.id, ref.id) : eq(assets.name, ref.name);
	return db.select().from(assets).where(and(which, eq(assets.accountId, accountId))).get();
}

/** Deletes an asset: its bytes first (documents stop finding it at once), then its row. R2's delete is idempotent, so a retry finishes. */
export async function deleteAsset(env: { PDFS: R2Bucket }, db: Db, asset: Asset): Promise<void> {
	await env.PDFS.delete(assetKey(asset.accountId, asset.id));
	await db.delete(assets).where(eq(assets.id, asset.id)).run();
}

/**
 * An asset's bytes and type for a document of `accountId`, or null: the renderer's one way to
 * read an asset. The row is looked up within the account and the key is under it, so another
 * account's id or name finds nothing.
 */
export async function readAsset(env: { PDFS: R2Bucket }, db: Db, accountId: string, ref: AssetRef): Promise<{ type: string; bytes: Uint8Array } | null> {
	const asset = await findAsset(db, accountId, ref);
	if (!asset) return null;
	const object = await env.PDFS.get(assetKey(accountId, asset.id));
	if (!object) return null;
	return { type: asset.type, bytes: new Uint8Array(await object.arrayBuffer()) };
}
