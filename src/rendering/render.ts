import type { KeyMode } from "../auth/api-key";
import { planLimits } from "../credits/plans";
import { ApiError } from "../http/errors";
import { loadOptions, type PageOptions } from "./page-options";
import type { DocumentLimits, RenderResult } from "./renderer";
import type { FailedResource } from "./resources";
import type { OutboundPolicy } from "../outbound/public-url";
import { fleetConfig } from "./fleet/config";
import { Directory, dispatch, type FleetPorts } from "./fleet/dispatch";
import { nearestEnabled, type Region } from "./fleet/regions";
import { rendererName } from "./fleet/placement";
import { fleetStub, rendererStub } from "./fleet/stubs";

/** The largest document Quire makes; bigger ones are refused (422, refunded) rather than stored and sent. */
export const MAX_PAGES = 500;
export const MAX_PDF_BYTES = 50 * 1024 * 1024;

export interface RenderedPdf {
	pdf: Uint8Array<ArrayBuffer>;
	pages: number;
	/** Resources the page asked for that the outbound guard refused (up to 20). */
	blocked: string[];
	/** Resources that failed to load (HTTP error, network error, still loading when printed; up to 20). */
	failed: FailedResource[];
	/** The renderer that printed it (`weur-2`), for `Server-Timing`. */
	renderer: string;
}

/**
 * How long a document may take, on top of its `wait_timeout_ms`, from the moment it has a page to
 * its last PDF byte: a client waits for a sync render; an async job has longer. Past it the page
 * is closed whatever its scripts are doing (504 `RENDER_TIMEOUT`, charged).
 */
export const RENDER_LIMIT_MS = { sync: 20_000, async: 60_000 } as const;

/** Whose document this is and how it was asked for: the account's plan and settings, and the mode. */
export interface RenderFor {
	accountId: string;
	plan: string;
	/** Rendered pages may load nothing remote (the account's setting). */
	blockRemote: boolean;
	/** `false`: the page's scripts don't run (the request's `javascript`, else the account's). */
	javascript: boolean;
	/** Test mode: the PDF is stamped TEST on every page once printed, where the page can't reach it. */
	mode: KeyMode;
	async: boolean;
	/** The request's `fail_on_resource_error`: a resource that failed to load fails the document (422, refunded). */
	failOnResourceError?: boolean;
	/** Where it renders: the client's region (sync) or the one recorded at submission (async); default the first enabled region. */
	region?: Region;
}

/**
 * HTML → PDF through the Renderer Durable Object, with its failures in the API's terms:
 * a page range past the end or a selector that is not one is the client's (400), a page
 * Chromium can't print is 422, a `wait_for_selector` that never matched and a document stopped
 * at its render limit are 504 (the latter charged: see {@link isCharged}), anything else 502.
 * With `failOnResourceError`, a resource that failed to load is 422 `RESOURCE_FAILED`.
 */
export async function renderPdf(env: Env, html: string, options: PageOptions, doc: RenderFor): Promise<RenderedPdf> {
	// Loopback only in local development; private, link-local and metadata addresses never;
	// nothing remote at all for an account that asked so.
	const policy = { allowLoopback: env.ALLOW_LOOPBACK === "true", blockRemote: doc.blockRemote };
	const limits = {
		account: doc.accountId,
		slots: planLimits(doc.plan, env).render_slots,
		deadlineMs: loadOptions(options).waitTimeoutMs + RENDER_LIMIT_MS[doc.async ? "async" : "sync"],
		javascript: doc.javascript,
	};
	const { renderer, result } = await renderOnFleet(env, html, options, policy, limits, doc);
	if (!result.ok) throw renderError(result, doc.async);
	if (doc.failOnResourceError && result.failed.length > 0) throw resourceFailed(result.failed);
	const pages = countPages(result.pdf);
	if (pages > MAX_PAGES) throw new ApiError("DOCUMENT_TOO_LARGE", `The document has ${pages} pages; the limit is ${MAX_PAGES}. Nothing was charged`);
	if (result.pdf.byteLength > MAX_PDF_BYTES) throw new ApiError("DOCUMENT_TOO_LARGE", `The PDF is over ${MAX_PDF_BYTES / 1024 / 1024} MB. Nothing was charged`);
	const reported = { blocked: result.blocked, failed: result.failed, renderer };
	if (doc.mode === "live") return { pdf: result.pdf, pages, ...reported };
	// Imported when first needed: the PDF library (about 1 MB) is then never evaluated in an isolate that only makes live documents.
	const { stampTestWatermark } = await import("./watermark");
	const stamped = await stampTestWatermark(result.pdf).catch((cause: unknown) => {
		throw new ApiError("RENDER_FAILED", "Rendering failed; nothing was charged", undefined, `stamping TEST: ${String(cause)}`);
	});
	return { pdf: stamped, pages, ...reported };
}

/** What this isolate knows of each fleet's renderers' load: the hot path's map (see {@link dispatch}). */
const directories = new Map<string, Directory>();

/**
 * Renders on the fleet, in the document's region: a warm renderer with a free page, else one the
 * fleet's registry names or brings up. When the fleet is at its limits past the wait it allows,
 * 503 `RENDERER_BUSY` with `Retry-After`, before anything is charged.
 */
export async function renderOnFleet(
	env: Env,
	html: string,
	options: PageOptions,
	policy: OutboundPolicy,
	limits: DocumentLimits,
	doc: Pick<RenderFor, "region" | "async">,
	config = fleetConfig(env),
): Promise<{ renderer: string; result: RenderResult }> {
	const region = nearestEnabled(doc.region, config.regions);
	const wait = config.busyWaitMs[doc.async ? "async" : "sync"];
	const ports: FleetPorts<RenderResult> = {
		render: (name, waitMs) => rendererStub(env, name).render(html, options, policy, limits, { name, config, waitMs, queueMs: wait }),
		place: (where, exclude) => fleetStub(env, config).place(config, where, exclude),
		sleep: (ms) => scheduler.wait(ms),
		now: Date.now,
	};
	const directory = directories.get(config.name) ?? directories.set(config.name, new Directory(config.idleMs)).get(config.name)!;
	const dispatched = await dispatch(region, ports, directory, wait, rendererName(config.name, region, 0)).catch(
		(cause: unknown) => ({ ok: true as const, renderer: region, value: { ok: false as const, reason: "failed" as const, message: String(cause) } }),
	);
	if (dispatched.ok) return { renderer: dispatched.renderer, result: dispatched.value };
	const seconds = Math.max(1, Math.ceil(dispatched.retryAfterMs / 1000));
	throw new ApiError(
		"RENDERER_BUSY",
		`Every renderer of the region is busy; try again in ${seconds} s, or use async_mode (queued jobs wait for a renderer). Nothing was charged`,
		undefined,
		`region ${region} at its limits`,
		{ "Retry-After": String(seconds) },
	);
}

function resourceFailed(failed: FailedResource[]): ApiError {
	const first = failed.slice(0, 3).map(({ url, reason }) => `${url} (${reason})`);
	const more = failed.length > first.length ? `, and ${failed.length - first.length} more` : "";
	const message = `${failed.length === 1 ? "A resource" : `${failed.length} resources`} failed to load (fail_on_resource_error): ${first.join(", ")}${more}. Nothing was charged`;
	return new ApiError("RESOURCE_FAILED", message, { failed_resources: failed });
}

/**
 * Whether a failed document is still charged: one stopped at its render limit used the browser
 * for all of it (and a free document that always runs out its time would be a free CPU).
 * Every other failure is refunded.
 */
export function isCharged(error: unknown): boolean {
	return error instanceof ApiError && error.details?.charged === true;
}

function renderError(failure: Extract<RenderResult, { ok: false }>, async: boolean): ApiError {
	switch (failure.reason) {
		case "bad_page_range":
			return new ApiError("VALIDATION_ERROR", failure.message, { fields: [{ path: "options.page_ranges", message: failure.message }] });
		case "bad_selector":
			return new ApiError("VALIDATION_ERROR", failure.message, { fields: [{ path: "options.wait_for_selector", message: failure.message }] });
		case "timeout":
			return new ApiError("RENDER_TIMEOUT", `${failure.message.replace(/\.$/, "")}; nothing was charged`);
		case "stopped": {
			const advice = async
				? "Make it lighter: fewer pages, or scripts that finish."
				: `If it is just large, use async_mode (${RENDER_LIMIT_MS.async / 1000} s on top of wait_timeout_ms); if its scripts never finish, fix them.`;
			return new ApiError("RENDER_TIMEOUT", `${failure.message}. ${advice} It is charged: it used its whole render time`, { charged: true });
		}
		case "crashed":
			return new ApiError("RENDER_FAILED", `${failure.message}; nothing was charged`);
		case "print_failed":
			return new ApiError(
				"TEMPLATE_ERROR",
				"Chromium could not print this document. The usual causes: a CSS @page size over 200 inches a side, or a header/footer template that loads something (a <link> or @import). Nothing was charged",
				undefined,
				failure.message,
			);
		default:
			return new ApiError("RENDER_FAILED", "Rendering failed; nothing was charged", undefined, failure.message);
	}
}

/** Pages of a PDF written by Chromium (Skia writes one uncompressed `/Type /Page` object per page). */
export function countPages(pdf: Uint8Array): number {
	// A byte scan: decoding the PDF to a string first costs milliseconds per document.
	const TYPE = [0x2f, 0x54, 0x79, 0x70, 0x65]; // "/Type"
	const PAGE = [0x2f, 0x50, 0x61, 0x67, 0x65]; // "/Page"
	const at = (i: number, bytes: number[]) => bytes.every((byte, k) => pdf[i + k] === byte);
	let pages = 0;
	for (let i = pdf.indexOf(0x2f); i !== -1; i = pdf.indexOf(0x2f, i + 1)) {
		if (!at(i, TYPE)) continue;
		let j = i + TYPE.length;
		while (isSpace(pdf[j])) j++;
		if (at(j, PAGE) && !isLetter(pdf[j + PAGE.length])) pages++;
	}
	return pages;
}

function isSpace(byte: number | undefined): boolean {
	return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0x0c || byte === 0x00;
}

function isLetter(byte: number | undefined): boolean {
	return byte !== undefined && ((byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a));
}
