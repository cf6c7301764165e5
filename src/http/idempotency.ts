import { z } from "@hono/zod-openapi";
import { sha256Hex, type KeyMode } from "../auth/api-key";
import type { MiddlewareHandler } from "hono";
import { creditsFor } from "../credits/client";
import type { StoredResponse } from "../credits/credits";
import type { AppEnv } from "./app-env";
import { ApiError } from "./errors";
import { log, settle } from "../log";

/** Bodies up to this size are recorded in the account's Credits object; larger ones (PDFs) in R2. */
export const MAX_INLINE_BODY_BYTES = 64 * 1024;
/** How long a request waits for another one holding the same key before it gets 409. */
export const IDEMPOTENCY_WAIT_MS = 10_000;
/** The response headers recorded and replayed; the rest (X-Request-Id, Server-Timing…) belong to each request. */
const REPLAYED_HEADERS = ["content-type", "content-disposition", "x-credits-left", "x-pages", "x-response-time-ms", "x-blocked-resources", "x-failed-resources", "x-missing-variables", "retry-after", "location"];
/**
 * Statuses that say "not now" rather than "not this": nothing was done, and a retry with the same
 * key may succeed later (after a top-up, past a rate limit, once a dependency is back), so the key
 * is released instead of recording them. So is every 5xx.
 */
const RELEASED_STATUSES = new Set([401, 402, 403, 429]);
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

export const IDEMPOTENCY_DESCRIPTION =
	"Optional. 1 to 255 printable ASCII characters, unique per operation (a UUID, say). The first response for a key is recorded for 24 h, per account: " +
	"a retry with the same key, method, path and byte-identical body gets it again (status, body and headers such as `X-Credits-Left` as they were, plus `Idempotent-Replayed: true`) and charges nothing. " +
	"The same key with another body or endpoint, or from a key of the other mode (live or test), is 422 `IDEMPOTENCY_MISMATCH`. While the first request runs, others with the key wait for its result (up to 10 s), then get 409 `CONFLICT` with `Retry-After`. " +
	"5xx, 401, 402, 403 and 429 responses are not recorded: the key is released, so a retry runs again.";

/** The `Idempotency-Key` request header, for a route's `request.headers` (documentation; `idempotency()` checks it). Lower case, as Hono reads headers. */
export const IdempotencyHeadersSchema = z.object({
	"idempotency-key": z
		.string()
		.regex(KEY_PATTERN)
		.optional()
		.openapi({ description: IDEMPOTENCY_DESCRIPTION, example: "9f6c2e1a-5b7d-4c3e-8a2f-0d1e2f3a4b5c" }),
});

/**
 * What a retry must repeat exactly: method, path, the raw body bytes and the calling key's mode,
 * so that a test key can't replay what a live key did (a live key's creation, a charged PDF).
 * A live key's fingerprint is as it was before modes counted, so records made then still match.
 */
export async function requestFingerprint(method: string, path: string, body: ArrayBuffer, mode: KeyMode): Promise<string> {
	const head = new TextEncoder().encode(`${method.toUpperCase()} ${path}${mode === "test" ? " test" : ""}\n`);
	const bytes = new Uint8Array(head.byteLength + body.byteLength);
	bytes.set(head);
	bytes.set(new Uint8Array(body), head.byteLength);
	return sha256Hex(bytes);
}

/** Where a large recorded body is kept in R2: never under a `/upload/…` name. */
export async function idempotencyBlobKey(accountId: string, key: string): Promise<string> {
	return `idempotency/${accountId}/${await sha256Hex(new TextEncoder().encode(key))}`;
}

function unavailable(cause: unknown): never {
	throw new ApiError("SERVICE_UNAVAILABLE", "The idempotency store is unavailable; nothing was done or charged", undefined, cause);
}

/**
 * `Idempotency-Key` support for a POST route; goes after `apiKeyAuth` (keys are per account).
 * Without the header it does nothing at all. With it, the account's Credits object (one thread,
 * so concurrent requests with a key are serialised) decides whether this request runs, waits for
 * the one running, replays the recorded response, or is refused (IDEMPOTENCY_MISMATCH).
 *
 * A route whose response holds a secret passes `record`: it maps the JSON body to what is
 * recorded, and so replayed, instead (the secret left out). A secret is never recorded.
 *
 * @example createRoute({ …, middleware: [apiKeyAuth(), idempotency()] as const })
 */
export function idempotency({ record }: { record?: (body: unknown) => unknown } = {}): MiddlewareHandler<AppEnv> {
	return async function idempotency(c, next) {
		const key = c.req.header("idempotency-key");
		if (key === undefined) return next();
		if (!KEY_PATTERN.test(key)) {
			const message = "must be 1 to 255 printable ASCII characters";
			throw new ApiError("VALIDATION_ERROR", `Idempotency-Key: ${message}`, { fields: [{ path: "Idempotency-Key", message }] });
		}
		const { accountId, keyId, mode } = c.var.auth;
		const owner = c.var.requestId;
		const credits = creditsFor(c.env, accountId);
		// The body stays cached on the request for the route's validator.
		const fingerprint = await requestFingerprint(c.req.method, new URL(c.req.url).pathname, await c.req.arrayBuffer(), mode);
		const begun = await credits.beginIdempotent(key, fingerprint, owner, { waitMs: IDEMPOTENCY_WAIT_MS, keyId }).catch(unavailable);

		if (begun.state === "revoked_key") throw new ApiError("UNAUTHORIZED", "Invalid API key");
		if (begun.state === "mismatch") {
			throw new ApiError(
				"IDEMPOTENCY_MISMATCH",
				"This Idempotency-Key was used in the last 24 h with a different request (body, method or path) or by a key of the other mode (live or test): repeat that request exactly, or use a new key",
			);
		}
		if (begun.state === "in_progress") {
			throw new ApiError("CONFLICT", "A request with this Idempotency-Key is still in progress: retry shortly to get its result", undefined, undefined, {
				"Retry-After": "1",
			});
		}
		if (begun.state === "done") return replay(c.env, begun.response);

		try {
			await next();
		} catch (error) {
			// Hono turns errors into responses before they reach here; this is for anything that escapes.
			await settle(c.var.db, "idempotency_release", owner, () => credits.abandonIdempotent(key, owner));
			throw error;
		}
		const status = c.res.status;
		if (status >= 500 || RELEASED_STATUSES.has(status)) {
			await settle(c.var.db, "idempotency_release", owner, () => credits.abandonIdempotent(key, owner));
			return;
		}
		const sent = await c.res.arrayBuffer();
		c.res = new Response(sent, c.res);
		const headers = Object.fromEntries(REPLAYED_HEADERS.flatMap((name) => (c.res.headers.has(name) ? [[name, c.res.headers.get(name)!]] : [])));
		try {
			// A body `record` can't map (not JSON) throws: nothing is recorded rather than the body as it is.
			const bytes = record ? (new TextEncoder().encode(JSON.stringify(record(JSON.parse(new TextDecoder().decode(sent))))).buffer as ArrayBuffer) : sent;
			const blobKey = bytes.byteLength > MAX_INLINE_BODY_BYTES ? await idempotencyBlobKey(accountId, key) : null;
			if (blobKey) await c.env.PDFS.put(blobKey, bytes, { customMetadata: { expires_at: new Date(begun.expires_at).toISOString() } });
			await credits.finishIdempotent(key, owner, { status, headers, body: blobKey ? null : bytes, blob_key: blobKey });
		} catch (cause) {
			// The work is done (and maybe charged): the client gets it. The key stays held until its
			// lease ends, so a retry meanwhile gets 409 rather than a second charge.
			log.error("idempotency_record_failed", { request_id: owner }, cause);
		}
	};
}

/** The recorded response again, marked as a replay. */
async function replay(env: Env, recorded: StoredResponse): Promise<Response> {
	let body: BodyInit | null = recorded.body;
	if (recorded.blob_key) {
		const object = await env.PDFS.get(recorded.blob_key).catch(unavailable);
		if (!object) unavailable(new Error(`idempotency blob ${recorded.blob_key} missing`));
		body = object.body;
	}
	return new Response(body, { status: recorded.status, headers: { ...recorded.headers, "Idempotent-Replayed": "true" } });
}
