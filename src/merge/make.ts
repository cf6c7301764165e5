import type { PreparedDocument } from "../generation/prepare";
import { renderDocument } from "../generation/pipeline";
import { ApiError } from "../http/errors";
import { mergePdfsCounted, UnmergeablePdfError } from "../pdf/merge";
import type { PdfSpec } from "../pdf/spec";
import { MAX_PAGES, MAX_PDF_BYTES, type RenderedPdf, type RenderFor } from "../rendering/render";
import type { FailedResource } from "../rendering/resources";
import { readStoredPdf } from "./stored";

/** Documents one merge takes at most (POST /v1/merge's `documents`). */
export const MAX_MERGE_DOCUMENTS = 20;

/**
 * One part of a merge, in order: a document to render (checked and prepared, as generate's are),
 * or a PDF the account already has stored (its R2 key, checked by `checkStoredPdfs`). Plain JSON,
 * so an async merge carries its parts in R2.
 */
export type MergePart = { document: PreparedDocument } | { stored: string };

const ENCRYPTED = "this PDF is encrypted, and an encrypted PDF can't be merged: merge the unencrypted documents, and encrypt the result with the top-level pdf.encryption";

/** What a merge made: the one PDF, and what rendering its parts reported. */
export type Merged = RenderedPdf;

/**
 * Renders every document part (each with its own options and `pdf` finishing, in parallel: the
 * renderer queues them behind the account's render slots), reads the stored ones, merges them in
 * the order given, checks the result against the page and size limits (422 DOCUMENT_TOO_LARGE),
 * and finishes the merged PDF with `spec` (encryption last). A part that fails fails the merge,
 * with its error (its index in the message, its fields as `documents.<i>.…`).
 */
export async function makeMerged(env: Env, parts: MergePart[], renderFor: RenderFor, spec: PdfSpec | undefined): Promise<Merged> {
	const made = await Promise.all(
		parts.map(async (part, index) => {
			try {
				if ("document" in part) return await renderDocument(env, part.document, renderFor);
				return { pdf: await readStoredPdf(env.PDFS, part.stored), pages: 0, blocked: [], failed: [], renderer: "" };
			} catch (error) {
				throw ofPart(error, index);
			}
		}),
	);
	const bytes = made.reduce((n, part) => n + part.pdf.byteLength, 0);
	if (bytes > MAX_PDF_BYTES) throw new ApiError("DOCUMENT_TOO_LARGE", `The merged documents add up to over ${MAX_PDF_BYTES / 1024 / 1024} MB. Nothing was charged`);
	const merged = await mergePdfsCounted(made.map((part) => part.pdf)).catch((cause: unknown) => {
		// A stored PDF that was encrypted when it was made: the client's to fix.
		if (cause instanceof UnmergeablePdfError && cause.encrypted) throw ofPart(new ApiError("VALIDATION_ERROR", `url: ${ENCRYPTED}`, { fields: [{ path: "url", message: ENCRYPTED }] }), cause.index);
		throw new ApiError("RENDER_FAILED", "Merging the PDFs failed; nothing was charged", undefined, cause);
	});
	if (merged.pages > MAX_PAGES) throw new ApiError("DOCUMENT_TOO_LARGE", `The merged document has ${merged.pages} pages; the limit is ${MAX_PAGES}. Nothing was charged`);
	if (merged.pdf.byteLength > MAX_PDF_BYTES) throw new ApiError("DOCUMENT_TOO_LARGE", `The merged PDF is over ${MAX_PDF_BYTES / 1024 / 1024} MB. Nothing was charged`);
	const pdf = spec ? await finish(merged.pdf, spec) : merged.pdf;
	// Every renderer that printed a part, for `Server-Timing`.
	const renderer = [...new Set(made.map((part) => part.renderer).filter(Boolean))].join(",");
	return { pdf, pages: merged.pages, renderer, blocked: made.flatMap((part) => part.blocked).slice(0, 20), failed: made.flatMap((part): FailedResource[] => part.failed).slice(0, 20) };
}

/** The merged PDF's finishing steps; imported when first needed, like the pipeline's. */
async function finish(pdf: Uint8Array, spec: PdfSpec): Promise<Uint8Array<ArrayBuffer>> {
	const { finishPdf } = await import("../pdf/finish");
	return finishPdf(pdf, spec).catch((cause: unknown) => {
		if (cause instanceof ApiError) throw cause;
		throw new ApiError("RENDER_FAILED", "Finishing the merged PDF failed; nothing was charged", undefined, cause);
	});
}

/**
 * A part's failure as the merge's: the same code, said of `documents.<index>`, its fields under
 * that path. Never charged, even a part stopped at its render limit: a merge is all or nothing.
 */
export function ofPart(error: unknown, index: number): unknown {
	if (!(error instanceof ApiError)) return error;
	const { charged: _charged, ...rest } = error.details ?? {};
	const fields = rest.fields as Array<{ path: string; message: string }> | undefined;
	const details = { ...rest, document: index, ...(fields ? { fields: fields.map((f) => ({ ...f, path: `documents.${index}.${f.path}` })) } : {}) };
	const message = error.message.startsWith(`documents.${index}`) ? error.message : `documents.${index}: ${error.message}`;
	return new ApiError(error.code, message, details, error.internal, error.headers);
}
