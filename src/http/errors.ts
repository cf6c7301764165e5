import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The closed set of error codes of the API contract, each with its HTTP status. */
export const ERROR_STATUS = {
	UNAUTHORIZED: 401,
	FORBIDDEN: 403,
	NOT_FOUND: 404,
	VALIDATION_ERROR: 400,
	PAYLOAD_TOO_LARGE: 413,
	QUOTA_EXCEEDED: 413,
	UNSUPPORTED_MEDIA_TYPE: 415,
	INSUFFICIENT_CREDITS: 402,
	TEMPLATE_NOT_FOUND: 404,
	TEMPLATE_ERROR: 422,
	RATE_LIMITED: 429,
	CONCURRENCY_LIMITED: 429,
	CONFLICT: 409,
	IDEMPOTENCY_MISMATCH: 422,
	DOCUMENT_TOO_LARGE: 422,
	RESOURCE_FAILED: 422,
	RENDER_FAILED: 502,
	RENDER_TIMEOUT: 504,
	SERVICE_UNAVAILABLE: 503,
	RENDERER_BUSY: 503,
	INTERNAL: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * The one error type handlers throw. `message` and `details` go on the wire; `internal` is
 * logged and never sent.
 *
 * @example throw new ApiError("NOT_FOUND", "API key not found")
 */
export class ApiError extends Error {
	constructor(
		readonly code: ErrorCode,
		message: string,
		readonly details?: Record<string, unknown>,
		readonly internal?: unknown,
		/** Extra response headers, e.g. `Retry-After`. */
		readonly headers?: Record<string, string>,
	) {
		super(message);
	}

	get status(): ContentfulStatusCode {
		return ERROR_STATUS[this.code];
	}
}

export function errorBody(error: ApiError, requestId: string) {
	return {
		error: {
			code: error.code,
			message: error.message,
			...(error.details ? { details: error.details } : {}),
			request_id: requestId,
		},
	};
}
