import type { Db } from "../db";
import { prepare } from "../generation/prepare";
import { MAX_PDF_BYTES } from "../rendering/render";
import { ApiError } from "../http/errors";
import { ofPart, type MergePart } from "./make";
import type { MergeDocument } from "./schemas";
import { checkStoredPdfs } from "./stored";

/**
 * A merge's documents checked and prepared, before any credit is reserved: each render through
 * the pipeline's `prepare` (template, data, `pdf`; its errors said of `documents.<i>`), each
 * stored PDF checked to be the account's own and unexpired. `rendered` is what the merge costs.
 */
export async function prepareParts(env: Env, db: Db, accountId: string, documents: MergeDocument[]): Promise<{ parts: MergePart[]; rendered: number }> {
	const stored = await checkStoredPdfs(env.PDFS, accountId, documents.map((d) => d.url ?? null), MAX_PDF_BYTES);
	const parts: MergePart[] = [];
	for (const [index, document] of documents.entries()) {
		const key = stored[index];
		if (key) {
			parts.push({ stored: key });
			continue;
		}
		const { data = {}, ...rest } = document;
		if (rest.pdf?.encryption) throw encryptedPart(index);
		const prepared = await prepare(db, accountId, { ...rest, data }).catch((error: unknown) => {
			throw ofPart(error, index);
		});
		parts.push({ document: prepared.document });
	}
	return { parts, rendered: parts.filter((part) => "document" in part).length };
}

/** An encrypted PDF can't be merged (pdf-lib copies no encrypted page): the merged result is what gets encrypted. */
export function encryptedPart(index: number): ApiError {
	const message = "an encrypted document can't be merged: encrypt the merged result with the top-level pdf.encryption";
	return new ApiError("VALIDATION_ERROR", `documents.${index}.pdf.encryption: ${message}`, { document: index, fields: [{ path: `documents.${index}.pdf.encryption`, message }] });
}
