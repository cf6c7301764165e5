import { z } from "@hono/zod-openapi";

export const ErrorSchema = z
	.object({
		error: z.object({
			code: z.string().openapi({ example: "VALIDATION_ERROR" }),
			message: z.string().openapi({ example: "data: expected an object" }),
			details: z.record(z.string(), z.unknown()).optional(),
			request_id: z.string().optional(),
		}),
	})
	.openapi("Error");

/** OpenAPI response entries for the error statuses a route can answer. */
export function errorResponses(...statuses: number[]) {
	const descriptions: Record<number, string> = {
		400: "Invalid request (VALIDATION_ERROR); details name each bad field",
		401: "Missing, malformed, unknown or revoked API key (UNAUTHORIZED)",
		402: "Not enough credits (INSUFFICIENT_CREDITS)",
		403: "Not allowed (FORBIDDEN)",
		404: "Not found (NOT_FOUND, TEMPLATE_NOT_FOUND)",
		409: "Conflict (CONFLICT), e.g. a request with the same Idempotency-Key still in progress (with Retry-After)",
		413: "Request body too large (PAYLOAD_TOO_LARGE)",
		422: "Template does not parse (TEMPLATE_ERROR); the document is over the limits (DOCUMENT_TOO_LARGE: rendered HTML, section repeats, pages, PDF size; nothing charged); Idempotency-Key reused with a different request (IDEMPOTENCY_MISMATCH)",
		429: "Too many requests (RATE_LIMITED: past the plan's requests a minute, the sign-up limit per IP, or the test-mode daily cap), or too many renders in flight (CONCURRENCY_LIMITED); with Retry-After",
		502: "Rendering failed (RENDER_FAILED); nothing charged",
		503: "A dependency is unavailable (SERVICE_UNAVAILABLE); nothing charged",
		504: "Rendering timed out (RENDER_TIMEOUT); nothing charged",
	};
	return Object.fromEntries(
		statuses.map((s) => [s, { description: descriptions[s] ?? "Error", content: { "application/json": { schema: ErrorSchema } } }]),
	);
}

/** Either header authenticates: `X-API-Key: <key>` or `Authorization: Bearer <key>`. */
export const SECURITY: Array<Record<string, string[]>> = [{ ApiKeyHeader: [] }, { BearerAuth: [] }];
