import { env } from "cloudflare:workers";
import { getDocumentProxy } from "unpdf";
import { expect } from "vitest";
import { ApiError } from "../../src/http/errors";
import type { PrintOptions } from "../../src/rendering/page-options";
import { renderPdf } from "../../src/rendering/render";
import { postJson, signUp } from "../helpers";

/**
 * Real PDFs for the finishing steps' tests, printed by the real renderer (Chromium), and what
 * pdf.js reads back of a finished one.
 */

/** `html` printed through the renderer as a live document would be, with the `pdf` object's print settings when given. */
export async function printed(html: string, print: Pick<PrintOptions, "outline" | "tagged"> = {}): Promise<Uint8Array<ArrayBuffer>> {
	const options: PrintOptions = { ...print };
	const doc = { accountId: `pdf-tests-${crypto.randomUUID()}`, plan: "free", blockRemote: true, javascript: false, mode: "live" as const, async: false };
	return (await renderPdf(env, html, options, doc)).pdf;
}

/** The built-in invoice with its sample data, through `POST /v1/generate` (the document the bench measures). */
export async function invoice(): Promise<Uint8Array<ArrayBuffer>> {
	const { key } = await signUp();
	const res = await postJson("/v1/generate", { template_id: "invoices/invoice", data: { client: "Acme Corp", total: "$564" } }, { "X-API-Key": key });
	expect(res.status).toBe(200);
	return new Uint8Array(await res.arrayBuffer());
}

/** `pages` pages, each with its number as text ("page 1", …) and a heading, tagged as Chromium tags it. */
export function pagesHtml(pages: number): string {
	return Array.from({ length: pages }, (_, i) => `<h1>Section ${i + 1}</h1><p style="${i < pages - 1 ? "page-break-after:always" : ""}">page ${i + 1}</p>`).join("");
}

/** pdf.js's view of a PDF (a copy: pdf.js detaches the buffer it is given). */
export function open(pdf: Uint8Array, password?: string) {
	return getDocumentProxy(pdf.slice(), password === undefined ? {} : { password });
}

/** The ApiError `run` throws (it must throw one), to check its code and fields. */
export async function apiErrorOf(run: () => unknown): Promise<{ code: string; fields: Array<{ path: string; message: string }> }> {
	try {
		await run();
	} catch (error) {
		expect(error).toBeInstanceOf(ApiError);
		const { code, details } = error as ApiError;
		return { code, fields: (details?.fields ?? []) as Array<{ path: string; message: string }> };
	}
	throw new Error("expected an ApiError, and nothing was thrown");
}

/** The files embedded in a PDF as pdf.js lists them: name, description and bytes. */
export async function attachmentsOf(pdf: Uint8Array, password?: string): Promise<Array<{ filename: string; description: string; content: Uint8Array }>> {
	const doc = await open(pdf, password);
	const files = [];
	for (const [id, file] of (await doc.getAttachments()) ?? new Map()) {
		const content = file.content ?? (await doc.getAttachmentContent(id));
		files.push({ filename: file.filename, description: file.description, content: content ?? new Uint8Array() });
	}
	return files;
}

/** The information dictionary and the parsed XMP packet (names lowercased, as pdf.js keys them), as pdf.js reads them. */
export async function metadataOf(pdf: Uint8Array, password?: string): Promise<{ info: Record<string, unknown>; metadata: { get(name: string): unknown; getRaw(): string } }> {
	const { info, metadata } = await (await open(pdf, password)).getMetadata();
	return { info: info as Record<string, unknown>, metadata };
}
