import { z } from "@hono/zod-openapi";

import { liveKeyNeeded } from "../auth/middleware";
import { ERROR_STATUS, type ErrorCode } from "./errors";

const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

export const ErrorSchema = z
	.object({
		error: z.object({
			code: z.enum(ERROR_CODES).openapi({ description: "What went wrong, one of a closed set; each code has one HTTP status.", example: "VALIDATION_ERROR" }),
			message: z.string().openapi({ description: "A human-readable sentence; not meant to be parsed.", example: "Invalid request: data: expected an object" }),
			details: z
				.record(z.string(), z.unknown())
				.optional()
				.openapi({ description: "More about the error, depending on the code: `fields` (each bad field's `path` and `message`) for VALIDATION_ERROR, `limit` and `reset` for RATE_LIMITED…", example: { fields: [{ path: "data", message: "expected an object" }] } }),
			request_id: z.string().optional().openapi({ description: "The request's id, also in the `X-Request-Id` header: quote it when reporting a problem.", example: "req_9f6c2e1a5b7d4c3e8a2f0d1e2f3a4b5c" }),
		}).openapi({ description: "The error. A stack trace is never sent." }),
	})
	.openapi("Error");

/** Resources a rendered page asked for and did not get: generate's answers, tasks, and RESOURCE_FAILED's details. */
export const FailedResourcesSchema = z.array(
	z.object({
		url: z.string().openapi({ description: "The resource's URL (its last redirect hop).", example: "https://example.com/logo.png" }),
		reason: z.string().openapi({
			description:
				"Why it failed: `HTTP <status>`, Chromium's network error (`net::ERR_NAME_NOT_RESOLVED`, `net::ERR_CONNECTION_REFUSED`, `net::ERR_CERT_…`), `timed out after <wait_timeout_ms> ms`, or `still loading when the page was printed`.",
			example: "HTTP 404",
		}),
	}),
);

/** A typical message for each error code: the examples of the OpenAPI document's error responses. */
const ERROR_EXAMPLES: Record<ErrorCode, { message: string; details?: Record<string, unknown> }> = {
	UNAUTHORIZED: { message: "Missing API key: send it as X-API-Key: <key> or Authorization: Bearer <key>" },
	FORBIDDEN: { message: "Cannot delete the API key used to authenticate this request" },
	NOT_FOUND: { message: "API key not found" },
	VALIDATION_ERROR: { message: "Invalid request: template_id: send exactly one of template_id and html", details: { fields: [{ path: "template_id", message: "send exactly one of template_id and html" }] } },
	PAYLOAD_TOO_LARGE: { message: "Request body too large: at most 5 MB" },
	QUOTA_EXCEEDED: { message: "The account's assets would take more than 50 MB; delete some first", details: { assets: 12, bytes: 51380224, max_assets: 200, max_bytes: 52428800 } },
	UNSUPPORTED_MEDIA_TYPE: { message: "The file is not one of the asset types (image/png, image/jpeg, image/svg+xml, font/woff2, font/woff, font/ttf, font/otf); its type is read from its content, not its name" },
	INSUFFICIENT_CREDITS: { message: "Not enough credits: your monthly allowance and purchased credits are used up", details: { credits_left: 0 } },
	TEMPLATE_NOT_FOUND: { message: "Template \"invoices/monthly\" not found" },
	TEMPLATE_ERROR: { message: "Template error on line 12: Unclosed section \"items\"", details: { line: 12 } },
	RATE_LIMITED: { message: "Too many requests: your plan allows 60 a minute; try again in 17 s", details: { limit: 60, reset: 17 } },
	CONCURRENCY_LIMITED: { message: "Your plan renders at most 3 documents at once; wait for one to finish, or use async_mode", details: { concurrency: 3 } },
	CONFLICT: { message: "An account with this email already exists" },
	IDEMPOTENCY_MISMATCH: { message: "This Idempotency-Key was used in the last 24 h with a different request (body, method or path) or by a key of the other mode (live or test): repeat that request exactly, or use a new key" },
	DOCUMENT_TOO_LARGE: { message: "The document has 612 pages; the limit is 500. Nothing was charged" },
	RESOURCE_FAILED: {
		message: "A resource failed to load (fail_on_resource_error): https://example.com/logo.png (HTTP 404). Nothing was charged",
		details: { failed_resources: [{ url: "https://example.com/logo.png", reason: "HTTP 404" }] },
	},
	RENDER_FAILED: { message: "Rendering failed; nothing was charged" },
	RENDER_TIMEOUT: { message: "Rendering took too long; nothing was charged" },
	SERVICE_UNAVAILABLE: { message: "A service Quire depends on is unavailable; try again shortly" },
	RENDERER_BUSY: { message: "Every renderer of the region is busy; try again in 2 s, or use async_mode (queued jobs wait for a renderer). Nothing was charged" },
	INTERNAL: { message: "Internal error" },
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
	400: "Invalid request (VALIDATION_ERROR); details name each bad field",
	401: "Missing, malformed, unknown or revoked API key (UNAUTHORIZED)",
	402: "Not enough credits (INSUFFICIENT_CREDITS)",
	403: "Not allowed (FORBIDDEN)",
	404: "Not found (NOT_FOUND, TEMPLATE_NOT_FOUND)",
	409: "Conflict (CONFLICT), e.g. a request with the same Idempotency-Key still in progress (with Retry-After)",
	413: "Request body too large (PAYLOAD_TOO_LARGE), or the account's asset quota reached (QUOTA_EXCEEDED)",
	415: "The uploaded file's content is not a type the route accepts (UNSUPPORTED_MEDIA_TYPE)",
	422: "Template does not parse (TEMPLATE_ERROR); the document is over the limits (DOCUMENT_TOO_LARGE: rendered HTML, section repeats, pages, PDF size; nothing charged); Idempotency-Key reused with a different request (IDEMPOTENCY_MISMATCH); with `fail_on_resource_error`, a resource failed to load (RESOURCE_FAILED, `details.failed_resources`; nothing charged)",
	429: "Too many requests (RATE_LIMITED: past the plan's requests a minute, the sign-up limit per IP, or the test-mode daily cap), or too many renders in flight (CONCURRENCY_LIMITED); with Retry-After",
	500: "Unexpected error (INTERNAL); the request id identifies it in the logs",
	502: "Rendering failed (RENDER_FAILED); nothing charged",
	503: "A dependency is unavailable (SERVICE_UNAVAILABLE), or every renderer of the region stayed busy (RENDERER_BUSY, with Retry-After); nothing charged",
	504: "Rendering timed out (RENDER_TIMEOUT); nothing charged",
};

/** Headers some error statuses carry. */
const ERROR_HEADERS: Record<number, Record<string, { description: string; schema: { type: "integer" } }>> = {
	409: { "Retry-After": { description: "Idempotency-Key in use: seconds to wait before retrying.", schema: { type: "integer" } } },
	429: { "Retry-After": { description: "Seconds to wait before retrying.", schema: { type: "integer" } } },
	503: { "Retry-After": { description: "RENDERER_BUSY: seconds to wait before retrying.", schema: { type: "integer" } } },
};

/**
 * OpenAPI response entries for the error statuses a route can answer, each with an example per
 * error code of that status. 500 (INTERNAL) is added: any route can answer it.
 */
export function errorResponses(...statuses: number[]) {
	return Object.fromEntries(
		[...new Set([...statuses, 500])].map((status) => {
			const codes = ERROR_CODES.filter((code) => ERROR_STATUS[code] === status);
			if (codes.length === 0) throw new Error(`no error code has HTTP status ${status}`);
			const examples = Object.fromEntries(
				codes.map((code) => [code, { summary: code, value: { error: { code, ...ERROR_EXAMPLES[code], request_id: "req_9f6c2e1a5b7d4c3e8a2f0d1e2f3a4b5c" } } }]),
			);
			const headers = ERROR_HEADERS[status];
			return [status, { description: ERROR_DESCRIPTIONS[status] ?? "Error", ...(headers ? { headers } : {}), content: { "application/json": { schema: ErrorSchema, examples } } }];
		}),
	);
}

/** Said in the description of each route a test key may not use (`apiKeyAuth({ live: true })`, `requireLiveKey`). */
export const LIVE_KEY_ONLY = "Needs a live key (`qk_live_…`): a test key gets 403 `FORBIDDEN`.";

/**
 * The 403 response of a route that needs a live key, in place of the generic one:
 * `{ ...errorResponses(401, 429), ...liveKeyForbidden() }`. `other`: the route's other reason for a 403.
 */
export function liveKeyForbidden(other?: { when: string; message: string }) {
	const example = (summary: string, message: string) => ({ summary, value: { error: { code: "FORBIDDEN", message, request_id: "req_9f6c2e1a5b7d4c3e8a2f0d1e2f3a4b5c" } } });
	const examples = {
		FORBIDDEN: example("FORBIDDEN: a test key", liveKeyNeeded()),
		...(other ? { FORBIDDEN_OTHER: example(`FORBIDDEN: ${other.when}`, other.message) } : {}),
	};
	return {
		403: {
			description: `A test key (\`qk_test_…\`) on an action that needs a live key (FORBIDDEN)${other ? `; or ${other.when}` : ""}`,
			content: { "application/json": { schema: ErrorSchema, examples } },
		},
	};
}

/** `{"data":{"deleted":true}}`, pdfapi.dev's answer to a deletion. */
export const DeletedSchema = z
	.object({ data: z.object({ deleted: z.literal(true).openapi({ description: "Always `true`: it is gone, effective at once.", example: true }) }).openapi({ description: "The outcome." }) })
	.openapi("Deleted");

/** Either header authenticates: `X-API-Key: <key>` or `Authorization: Bearer <key>`. */
export const SECURITY: Array<Record<string, string[]>> = [{ ApiKeyHeader: [] }, { BearerAuth: [] }];
