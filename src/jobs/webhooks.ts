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

export async function webhookSecret(masterKey: string, accountId: string, generation: number): Promise<string> {
	const bytes = await hmac(masterKey, `${accountId}:${generation}`);
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

/** One POST of `body` to `url`. Redirects are not followed: a redirect could lead to a private address. */
export async function deliver(url: string, body: string, signature: string): Promise<DeliveryAttempt> {
	const at = new Date().toISOString();
	try {
		const res = await fetch(url, {
			method: "POST",
			headers: { "Content-Type": "application/json", "User-Agent": "Quire-Webhooks/1", "Quire-Signature": signature },
			body,
			redirect: "manual",
			signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
		});
		await res.body?.cancel();
		return { at, status: res.status };
	} catch (error) {
		return { at, error: error instanceof Error ? error.message : String(error) };
	}
}

/** Network errors, 429 and 5xx are worth another try; other answers are final. */
export function shouldRetry(attempt: DeliveryAttempt): boolean {
	return attempt.status === undefined || attempt.status === 429 || attempt.status >= 500;
}
