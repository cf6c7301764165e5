import type { Db } from "../db";
import { checkPdfSpec, mergePdfSpecs, type PdfSpec } from "../pdf/spec";
import type { PageOptions } from "../rendering/page-options";
import { missingVariablesError, prepareDocument, type DocumentSource } from "../templates/document";
import { resolveTemplate } from "../templates/resolve";

/**
 * The pipeline's first steps: validate and resolve the template. Everything a client can get
 * wrong about a document is found here, before a credit is reserved.
 */

/** One document as a client asks for it: POST /v1/generate's document fields (and a merge's or a batch's document). */
export interface DocumentRequest {
	template_id?: string;
	template_version?: number;
	html?: string;
	data: Record<string, unknown>;
	options: PageOptions;
	pdf?: PdfSpec;
	filename?: string;
	/** A variable `data` lacks is a 400 rather than blank. */
	strict?: boolean;
}

/** A document ready to render: checked, its template applied. Plain JSON, so a queued job carries it in R2. */
export interface PreparedDocument {
	html: string;
	options: PageOptions;
	/** The template's default `pdf` with the request's parts over it; absent when neither has one. */
	pdf?: PdfSpec;
	filename: string;
}

export interface Prepared {
	document: PreparedDocument;
	/** The request's `template_id` (null for inline HTML), for the generation log and the task. */
	templateId: string | null;
	/** Template variables the data left blank. */
	missing: string[];
}

/**
 * Resolves the template (404 when there is none), checks the data against its schema (400),
 * renders the Mustache (422 for a template that does not parse), refuses blank variables under
 * `strict` (400), and merges and checks the `pdf` spec (400 naming each `pdf.<field>`).
 */
export async function prepare(db: Db, accountId: string, request: DocumentRequest): Promise<Prepared> {
	const template = request.template_id !== undefined ? await resolveTemplate(db, accountId, request.template_id, request.template_version) : null;
	const source: DocumentSource = template ?? { html: request.html!, schema: null, options: {} };
	const title = template?.name ?? request.filename?.replace(/\.pdf$/i, "") ?? "Document";
	const { html, options, missing } = prepareDocument(source, request.data, request.options, title);
	if (request.strict && missing.length > 0) throw missingVariablesError(missing);
	const pdf = mergePdfSpecs(source.pdf ?? undefined, request.pdf);
	checkPdfSpec(pdf);
	const filename = pdfFilename(request.filename ?? request.template_id?.split("/").pop() ?? "document");
	return { document: { html, options, ...(pdf ? { pdf } : {}), filename }, templateId: request.template_id ?? null, missing };
}

/** A safe file name ending in `.pdf`. */
export function pdfFilename(name: string): string {
	const base = name.replace(/\.pdf$/i, "").replace(/[\u0000-\u001f\/\\:*?"<>|]+/g, "_").trim() || "document";
	return `${base}.pdf`;
}
