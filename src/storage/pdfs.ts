import { z } from "@hono/zod-openapi";
import { and, desc, eq, getTableColumns, gt, inArray, lte, sql } from "drizzle-orm";
import { newId, randomBase62, type KeyMode } from "../auth/api-key";
import { createDb, type Db } from "../db";
import { files, generations, type StoredFile } from "../db/schema";
import { type Cursor, olderThan } from "../http/pagination";

/**
 * Hosted PDFs in R2, keyed `<accountId>/<random>.pdf`: the name carries 130 random bits, so the
 * URL itself is the capability (DokJet's `/upload/<account>/<name>.pdf` shape). Each object
 * records its expiry; `GET /upload/…` refuses expired files, and an R2 lifecycle rule deletes
 * them in production (docs/operations.md: deploying), after {@link purgeExpiredFiles} has deleted
 * them within the hour. Each object has a row in D1's `files`,
 * by which the account lists (GET /v1/files) and deletes (DELETE /v1/files/{id}) it.
 */
export interface StoredPdf {
	/** The `files` row's id, `file_…`. */
	id: string;
	/** The R2 key: the URL's path after `/upload/`. */
	key: string;
	expiresAt: Date;
}

/** What {@link storePdf} stores, and what made it. */
export interface NewStoredPdf {
	accountId: string;
	/** The key mode that made it (a test key may delete only test files). */
	mode: KeyMode;
	pdf: Uint8Array;
	filename: string;
	pages: number;
	/** How long it stays downloadable: {@link retentionHours}'s answer. */
	expiresInHours: number;
	/** The sync request that made it (its `X-Request-Id`)… */
	requestId?: string;
	/** …or the async task. */
	taskId?: string;
}

/**
 * Stores a PDF in R2 and records it in `files`: the one place a hosted PDF is made. A row that
 * can't be written takes its object with it, so every downloadable file is one the account can
 * list and delete. A task has one file: a redelivered job that stored its PDF before failing
 * gets that file back rather than a second one.
 *
 * @example await storePdf(c.env, { accountId, mode, pdf, filename, pages, expiresInHours: 24, requestId })
 */
export async function storePdf(env: { PDFS: R2Bucket; DB: D1Database }, file: NewStoredPdf): Promise<StoredPdf> {
	const db = createDb(env.DB);
	if (file.taskId) {
		const stored = await db.select().from(files).where(and(eq(files.taskId, file.taskId), eq(files.accountId, file.accountId))).get();
		if (stored) return { id: stored.id, key: stored.r2Key, expiresAt: new Date(stored.expiresAt) };
	}
	const id = newId("file");
	const key = `${file.accountId}/${randomBase62(22)}.pdf`;
	const createdAt = new Date();
	const expiresAt = new Date(createdAt.getTime() + file.expiresInHours * 3600_000);
	await env.PDFS.put(key, file.pdf, {
		httpMetadata: { contentType: "application/pdf", contentDisposition: contentDisposition(file.filename) },
		customMetadata: { expires_at: expiresAt.toISOString() },
	});
	const row = {
		id,
		accountId: file.accountId,
		r2Key: key,
		filename: file.filename,
		mode: file.mode,
		pages: file.pages,
		bytes: file.pdf.byteLength,
		createdAt: createdAt.toISOString(),
		expiresAt: expiresAt.toISOString(),
		requestId: file.requestId ?? null,
		taskId: file.taskId ?? null,
	};
	try {
		await db.insert(files).values(row).run();
	} catch (error) {
		await env.PDFS.delete(key).catch(() => {});
		throw error;
	}
	return { id, key, expiresAt };
}

/**
 * A page of the account's unexpired files, newest first: `limit + 1` rows, for `toPage`. Each
 * with the template that made it, read from the generation log (keyed by the task id of an
 * async document, the request id of a sync one); null for inline HTML, merges and batch outputs.
 */
export function listFiles(db: Db, accountId: string, limit: number, cursor: Cursor | null, now = new Date()): Promise<Array<StoredFile & { templateId: string | null }>> {
	return db
		.select({ ...getTableColumns(files), templateId: generations.templateId })
		.from(files)
		.leftJoin(generations, and(eq(generations.accountId, files.accountId), eq(generations.id, sql`coalesce(${files.taskId}, ${files.requestId})`)))
		.where(and(eq(files.accountId, accountId), gt(files.expiresAt, now.toISOString()), olderThan(files.createdAt, files.id, cursor)))
		.orderBy(desc(files.createdAt), desc(files.id))
		.limit(limit + 1)
		.all();
}

/** The account's file `id` (expired or not), or null: another account's file is not found either. */
export function findFile(db: Db, accountId: string, id: string): Promise<StoredFile | undefined> {
	return db.select().from(files).where(and(eq(files.id, id), eq(files.accountId, accountId))).get();
}

/**
 * Deletes a stored file: its R2 object first (the URL answers 404 from then on), then its row.
 * If the row's deletion fails, a retry finds the row and deletes both again (R2's delete is idempotent).
 */
export async function deleteFile(env: { PDFS: R2Bucket }, db: Db, file: StoredFile): Promise<void> {
	await env.PDFS.delete(file.r2Key);
	await db.delete(files).where(eq(files.id, file.id)).run();
}

/** Expired files deleted per round: D1 binds at most 100 parameters to a statement. */
const PURGE_BATCH = 100;

/**
 * Deletes every expired file, its R2 object and then its row, a batch at a time. The cron
 * trigger runs it hourly, so an expired PDF leaves R2 within the hour; the bucket's lifecycle
 * rule, which must outlast the longest retention, is only the backstop. A run that fails midway
 * leaves rows for the next run (R2's delete is idempotent). Returns how many files it deleted.
 */
export async function purgeExpiredFiles(env: { PDFS: R2Bucket; DB: D1Database }, now = new Date()): Promise<number> {
	const db = createDb(env.DB);
	let purged = 0;
	for (;;) {
		const expired = await db.select({ id: files.id, key: files.r2Key }).from(files).where(lte(files.expiresAt, now.toISOString())).limit(PURGE_BATCH).all();
		if (expired.length === 0) return purged;
		await env.PDFS.delete(expired.map((file) => file.key));
		await db.delete(files).where(inArray(files.id, expired.map((file) => file.id))).run();
		purged += expired.length;
		if (expired.length < PURGE_BATCH) return purged;
	}
}

/** The stored PDF, or null when there is none or it has expired. */
export async function fetchPdf(bucket: R2Bucket, key: string): Promise<R2ObjectBody | null> {
	const object = await bucket.get(key);
	if (!object) return null;
	const expiresAt = Date.parse(object.customMetadata?.expires_at ?? "");
	return expiresAt > Date.now() ? object : null;
}

/**
 * What a PDF's file name may hold: no control characters (a header can't carry them) and no
 * unpaired surrogates (`encodeURIComponent` throws on them, so the name can't be encoded for
 * {@link contentDisposition}). Requests are refused on it before anything is charged or queued.
 */
export const STORABLE_FILENAME = /^[^\p{Cc}\p{Cs}]*$/u;

/** An optional file name a request gives (`filename`): 1 to 200 characters, {@link STORABLE_FILENAME}. */
export function filenameField(description: string, example: string) {
	return (
		z
			.string()
			.min(1)
			.max(200)
			.regex(STORABLE_FILENAME, "must not contain control characters or unpaired surrogates")
			.optional()
			// zod-to-openapi would write the regex's flags into the pattern (`…$/u`), which nothing matches.
			.openapi({ pattern: STORABLE_FILENAME.source, description, example })
	);
}

/** `inline; filename="…"` with an RFC 5987 fallback for non-ASCII names. */
export function contentDisposition(filename: string): string {
	const ascii = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
	return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
