import type { KeyMode } from "../auth/api-key";
import { ApiError } from "../http/errors";
import type { PageOptions } from "./page-options";
import { rendererFor, type RenderResult } from "./renderer";

/** The largest document Quire makes; bigger ones are refused (422, refunded) rather than stored and sent. */
export const MAX_PAGES = 500;
export const MAX_PDF_BYTES = 50 * 1024 * 1024;

export interface RenderedPdf {
	pdf: Uint8Array<ArrayBuffer>;
	pages: number;
	/** Resources the page asked for that the outbound guard refused (up to 20). */
	blocked: string[];
}

/**
 * HTML → PDF through the Renderer Durable Object, with its failures in the API's terms:
 * a page range past the end or a selector that is not one is the client's (400), a timeout
 * (a `wait_for_selector` that never matched included) is 504, anything else 502.
 * A test-mode document is stamped TEST on every page once printed, where the page can't reach it.
 */
export async function renderPdf(env: Env, html: string, options: PageOptions, caller: { blockRemote: boolean; mode: KeyMode }): Promise<RenderedPdf> {
	// Loopback only in local development; private, link-local and metadata addresses never;
	// nothing remote at all for an account that asked so.
	const policy = { allowLoopback: env.ALLOW_LOOPBACK === "true", blockRemote: caller.blockRemote };
	const result = await rendererFor(env)
		.render(html, options, policy)
		.catch((cause: unknown): RenderResult => ({ ok: false, reason: "failed", message: String(cause) }));
	if (!result.ok) throw renderError(result);
	const pages = countPages(result.pdf);
	if (pages > MAX_PAGES) throw new ApiError("DOCUMENT_TOO_LARGE", `The document has ${pages} pages; the limit is ${MAX_PAGES}. Nothing was charged`);
	if (result.pdf.byteLength > MAX_PDF_BYTES) throw new ApiError("DOCUMENT_TOO_LARGE", `The PDF is over ${MAX_PDF_BYTES / 1024 / 1024} MB. Nothing was charged`);
	if (caller.mode === "live") return { pdf: result.pdf, pages, blocked: result.blocked };
	// Imported when first needed: the PDF library (about 1 MB) is then never evaluated in an isolate that only makes live documents.
	const { stampTestWatermark } = await import("./watermark");
	const stamped = await stampTestWatermark(result.pdf).catch((cause: unknown) => {
		throw new ApiError("RENDER_FAILED", "Rendering failed; nothing was charged", undefined, `stamping TEST: ${String(cause)}`);
	});
	return { pdf: stamped, pages, blocked: result.blocked };
}

function renderError(failure: Extract<RenderResult, { ok: false }>): ApiError {
	switch (failure.reason) {
		case "bad_page_range":
			return new ApiError("VALIDATION_ERROR", failure.message, { fields: [{ path: "options.page_ranges", message: failure.message }] });
		case "bad_selector":
			return new ApiError("VALIDATION_ERROR", failure.message, { fields: [{ path: "options.wait_for_selector", message: failure.message }] });
		case "timeout":
			return new ApiError("RENDER_TIMEOUT", `${failure.message.replace(/\.$/, "")}; nothing was charged`);
		default:
			return new ApiError("RENDER_FAILED", "Rendering failed; nothing was charged", undefined, failure.message);
	}
}

/** Pages of a PDF written by Chromium (Skia writes one uncompressed `/Type /Page` object per page). */
export function countPages(pdf: Uint8Array): number {
	const text = new TextDecoder("latin1").decode(pdf);
	return text.match(/\/Type\s*\/Page(?![A-Za-z])/g)?.length ?? 0;
}
