/**
 * Signed webhooks. The body is the task object; the `Quire-Signature` header is
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the account's webhook secret>`.
 *
 * The secret is never stored: it is HMAC-SHA256(WEBHOOK_SECRET_KEY, "<account id>:<generation>"),
 * so rotating it only bumps the account's generation, and D1 holds nothing that signs.
 */

const encoder = new TextEncoder();
/** A receiver gets this long to answer one delivery. */
const DELIVERY_TIMEOUT_MS = 10_000;
/** Deliveries of one task's webhook, the first included. */
export const WEBHOOK_MAX_ATTEMPTS = 5;

async function hmac(key: string, message: string): Promise<Uint8Array> {
	const cryptoKey = await crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
	return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message)));
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

/** An account's webhook secret (POST /v1/webhook-secret), of its current generation. */
export async function webhookSecret(masterKey: string, accountId: string, generation: number): Promise<string> {
	return derivedSecret(masterKey, `${accountId}:${generation}`);
}

/**
 * A webhook endpoint's own secret, derived like the account's (the endpoint id, `we_…`, can never
 * equal a generation number), so D1 holds nothing that signs.
 */
export function endpointSecret(masterKey: string, accountId: string, endpointId: string): Promise<string> {
	return derivedSecret(masterKey, `${accountId}:${endpointId}`);
}

async function derivedSecret(masterKey: string, message: string): Promise<string> {
	const bytes = await hmac(masterKey, message);
	return `whsec_${btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

/** The `Quire-Signature` header value for `body` sent at `timestamp` (unix seconds). */
export async function signatureHeader(secret: string, body: string, timestamp: number): Promise<string> {
	return `t=${timestamp},v1=${hex(await hmac(secret, `${timestamp}.${body}`))}`;
}

export interface DeliveryAttempt {
	at: string;
	status?: number;
	error?: string;
}

/** What one POST got back: the attempt as tasks record it, how long it took, and the start of the answer. */
export interface Sent {
	attempt: DeliveryAttempt;
	durationMs: number;
	/** The first {@link EXCERPT_CHARS} characters of the receiver's answer (empty without one). */
	excerpt: string;
}

/** How much of a receiver's answer an endpoint's delivery log keeps. */
export const EXCERPT_CHARS = 512;

/** One POST of `body` to `url`. Redirects are not followed: a redirect could lead to a private address. */
export async function deliver(url: string, body: string, signature: string): Promise<DeliveryAttempt> {
	return (await send(url, body, signature)).attempt;
}

/**
 * One POST of `body` to `url`, timed, reading at most the start of the answer (a receiver that
 * streams forever can't hold the delivery). `headers` are added to the signed request's own.
 */
export async function send(url: string, body: string, signature: string, headers: Record<string, string> = {}): Promise<Sent> {
	const at = new Date().toISOString();
	const started = Date.now();
	try {
		const res = await fetch(url, {
			method: "POST",
			headers: { "Content-Type": "application/json", "User-Agent": "Quire-Webhooks/1", "Quire-Signature": signature, ...headers },
			body,
			redirect: "manual",
			signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
		});
		const excerpt = await readStart(res, EXCERPT_CHARS).catch(() => "");
		return { attempt: { at, status: res.status }, durationMs: Date.now() - started, excerpt };
	} catch (error) {
		return { attempt: { at, error: error instanceof Error ? error.message : String(error) }, durationMs: Date.now() - started, excerpt: "" };
	}
}

/** The first `chars` characters of a response's body; the rest is not read. */
async function readStart(res: Response, chars: number): Promise<string> {
	if (!res.body) return "";
	const reader = res.body.getReader();
	const decoder = new TextDecoder();
	let text = "";
	try {
		while (text.length < chars) {
			const { done, value } = await reader.read();
			if (done) break;
			text += decoder.decode(value, { stream: true });
		}
	} finally {
		await reader.cancel().catch(() => {});
	}
	return text.slice(0, chars);
}

/** Network errors, 429 and 5xx are worth another try; other answers are final. */
export function shouldRetry(attempt: DeliveryAttempt): boolean {
	return attempt.status === undefined || attempt.status === 429 || attempt.status >= 500;
}
