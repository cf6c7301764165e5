import type { Db } from "../db";
import { prepare } from "../generation/prepare";
import { MAX_PDF_BYTES } from "../rendering/render";
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
		const prepared = await prepare(db, accountId, { ...rest, data }).catch((error: unknown) => {
			throw ofPart(error, index);
		});
		parts.push({ document: prepared.document });
	}
	return { parts, rendered: parts.filter((part) => "document" in part).length };
}
