import { randomBase62 } from "../auth/api-key";

/**
 * Hosted PDFs in R2, keyed `<accountId>/<random>.pdf`: the name carries 130 random bits, so the
 * URL itself is the capability (DokJet's `/upload/<account>/<name>.pdf` shape). Each object
 * records its expiry; `GET /upload/…` refuses expired files, and an R2 lifecycle rule deletes
 * them in production (docs/operations.md: deploying).
 */
export interface StoredPdf {
	key: string;
	expiresAt: Date;
}

export async function storePdf(
	bucket: R2Bucket,
	accountId: string,
	pdf: Uint8Array,
	filename: string,
	retentionHours: number,
): Promise<StoredPdf> {
	const key = `${accountId}/${randomBase62(22)}.pdf`;
	const expiresAt = new Date(Date.now() + retentionHours * 3600_000);
	await bucket.put(key, pdf, {
		httpMetadata: { contentType: "application/pdf", contentDisposition: contentDisposition(filename) },
		customMetadata: { expires_at: expiresAt.toISOString() },
	});
	return { key, expiresAt };
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

/** `inline; filename="…"` with an RFC 5987 fallback for non-ASCII names. */
export function contentDisposition(filename: string): string {
	const ascii = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
	return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
