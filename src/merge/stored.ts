import { ApiError } from "../http/errors";
import { fetchPdf } from "../storage/pdfs";

const MISSING = "no stored PDF of this account at this url (deleted, expired, or never made)";

/** `/upload/<account>/<random>.pdf`: the path of every hosted PDF's URL (see src/routes/upload.ts). */
const UPLOAD_PATH = /^\/upload\/(acc_[0-9A-Za-z]{16})\/([0-9A-Za-z]{22}\.pdf)$/;

/**
 * The R2 key of a hosted PDF's `url`, when it is one of `accountId`'s; else why not. Only the path
 * counts (the origin may be an older PUBLIC_ORIGIN): the file is read from R2 directly, never
 * fetched, so no URL a client sends makes Quire call anything.
 */
export function storedPdfKey(url: string, accountId: string): { key: string } | { refused: string } {
	const path = URL.canParse(url) ? new URL(url).pathname : null;
	const match = path ? UPLOAD_PATH.exec(path) : null;
	if (!match) return { refused: "not the url of a PDF Quire stored (https://…/upload/<account>/<name>.pdf)" };
	// Another account's file is answered exactly as a missing one: its existence is not disclosed.
	if (match[1] !== accountId) return { refused: MISSING };
	return { key: `${match[1]}/${match[2]}` };
}

/**
 * Checks the hosted PDFs that `urls` name (`null` entries are skipped): all `accountId`'s own and
 * unexpired, or one 400 naming each bad `documents.<i>.url`; and their total size within
 * `maxBytes`, before any is read into memory. Returns each one's R2 key, for {@link readStoredPdf}.
 */
export async function checkStoredPdfs(bucket: R2Bucket, accountId: string, urls: Array<string | null>, maxBytes: number): Promise<Array<string | null>> {
	const fields: Array<{ path: string; message: string }> = [];
	const found = await Promise.all(
		urls.map(async (url, i) => {
			if (url === null) return null;
			const stored = storedPdfKey(url, accountId);
			const object = "key" in stored ? await fetchPdf(bucket, stored.key) : null;
			await object?.body.cancel();
			if (!object) fields.push({ path: `documents.${i}.url`, message: "refused" in stored ? stored.refused : MISSING });
			return object ? { key: object.key, size: object.size } : null;
		}),
	);
	if (fields.length > 0) {
		fields.sort((a, b) => a.path.localeCompare(b.path, "en", { numeric: true }));
		throw new ApiError("VALIDATION_ERROR", `Invalid request: ${fields.map((f) => `${f.path}: ${f.message}`).join("; ")}`, { fields });
	}
	const total = found.reduce((n, object) => n + (object?.size ?? 0), 0);
	if (total > maxBytes) throw new ApiError("DOCUMENT_TOO_LARGE", `The stored PDFs add up to ${Math.ceil(total / 1024 / 1024)} MB; a merge takes at most ${maxBytes / 1024 / 1024} MB. Nothing was charged`);
	return found.map((object) => object?.key ?? null);
}

/** A stored PDF checked by {@link checkStoredPdfs}; gone since (expired, deleted) fails the merge, refunded. */
export async function readStoredPdf(bucket: R2Bucket, key: string): Promise<Uint8Array> {
	const object = await fetchPdf(bucket, key).catch((cause: unknown) => {
		throw new ApiError("SERVICE_UNAVAILABLE", "PDF storage is unavailable; nothing was charged", undefined, cause);
	});
	if (!object) throw new ApiError("VALIDATION_ERROR", `url: ${MISSING}`, { fields: [{ path: "url", message: MISSING }] });
	return new Uint8Array(await object.arrayBuffer());
}
