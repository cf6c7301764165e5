import { z } from "@hono/zod-openapi";
import { and, eq, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

/**
 * Keyset pagination, newest first, over `(created_at, id)`: a page is the rows strictly older
 * than the previous page's last one, so rows added meanwhile never shift or repeat a page (as
 * OFFSET would), and each page is one index range read.
 */

/** Where a page ends: the last row's `created_at` and `id`. */
export interface Cursor {
	createdAt: string;
	id: string;
}

/** The opaque `next_cursor`: base64url of the last row's key. */
export function encodeCursor({ createdAt, id }: Cursor): string {
	const bytes = new TextEncoder().encode(JSON.stringify([createdAt, id]));
	return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The cursor's key, or null when `cursor` is not one this API made. */
export function decodeCursor(cursor: string): Cursor | null {
	if (cursor.length > 512) return null;
	try {
		const binary = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
		const key: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))));
		if (!Array.isArray(key) || key.length !== 2) return null;
		const [createdAt, id] = key as unknown[];
		if (typeof createdAt !== "string" || typeof id !== "string" || Number.isNaN(Date.parse(createdAt)) || id === "") return null;
		return { createdAt, id };
	} catch {
		return null;
	}
}

export const PageQuerySchema = z.object({
	limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: "Items per page, 1 to 100.", example: 20 }),
	cursor: z
		.string()
		.optional()
		.refine((cursor) => cursor === undefined || decodeCursor(cursor) !== null, "malformed cursor: pass the previous page's next_cursor unchanged")
		.openapi({ description: "The previous page's `next_cursor`, to get the page after it. Omit for the first page.", example: "WyIyMDI2LTExLTIxVDA2OjUyOjA0LjAwMFoiLCJyZXFfM2tUejkiXQ" }),
});

/** The envelope of a paginated list, around its items' schema. */
export function pageSchema<T extends z.ZodType>(item: T) {
	return z.object({
		data: z.array(item).openapi({ description: "Newest first." }),
		has_more: z.boolean().openapi({ description: "Whether there are older items: fetch them with `cursor=<next_cursor>`.", example: true }),
		next_cursor: z.string().nullable().openapi({ description: "Opaque; null on the last page.", example: "WyIyMDI2LTExLTIxVDA2OjUyOjA0LjAwMFoiLCJyZXFfM2tUejkiXQ" }),
	});
}

/** The condition "older than `cursor`" in `(created_at, id)` order; undefined on the first page. */
export function olderThan(createdAt: SQLiteColumn, id: SQLiteColumn, cursor: Cursor | null): SQL | undefined {
	if (!cursor) return undefined;
	return or(lt(createdAt, cursor.createdAt), and(eq(createdAt, cursor.createdAt), lt(id, cursor.id)));
}

/**
 * A page from `rows`, fetched with `limit + 1` so that the extra row says whether there is more
 * (then dropped). `keyOf` gives a row's `(created_at, id)`.
 */
export function toPage<Row>(rows: Row[], limit: number, keyOf: (row: Row) => Cursor): { rows: Row[]; has_more: boolean; next_cursor: string | null } {
	const hasMore = rows.length > limit;
	const page = hasMore ? rows.slice(0, limit) : rows;
	const last = page.at(-1);
	return { rows: page, has_more: hasMore, next_cursor: hasMore && last ? encodeCursor(keyOf(last)) : null };
}
