import { eq } from "drizzle-orm";
import type { Db } from "../db";
import { accounts } from "../db/schema";
import { ApiError } from "../http/errors";
import { refuseTarget } from "../outbound/public-url";
import { deliver, type DeliveryAttempt, signatureHeader, webhookSecret } from "./webhooks";

/**
 * A `webhook_url` is checked before anything is charged or queued: a public http(s) address
 * (the outbound guard's rule), and an account with a webhook secret to sign deliveries with.
 * Async generate, async merge and batches all take one.
 */
export async function checkWebhookTarget(env: Env, db: Db, accountId: string, url: string): Promise<void> {
	const refused = refuseTarget(url, { allowLoopback: env.ALLOW_LOOPBACK === "true" });
	if (refused) throw webhookUrlError(refused);
	const account = await db.select({ generation: accounts.webhookSecretGeneration }).from(accounts).where(eq(accounts.id, accountId)).get();
	if (!account?.generation) throw webhookUrlError("create a webhook secret first (POST /v1/webhook-secret): deliveries are signed with it");
}

function webhookUrlError(message: string): ApiError {
	return new ApiError("VALIDATION_ERROR", `webhook_url: ${message}`, { fields: [{ path: "webhook_url", message }] });
}

/** The attempt's error when the account has no secret to sign with: nothing was sent. */
export const NO_WEBHOOK_SECRET = "the account has no webhook secret";

/**
 * POSTs `payload` to `url`, signed with the account's webhook secret exactly as task webhooks are
 * (`Quire-Signature: t=…,v1=…`, see ./webhooks.ts). An account without a secret (deleted since)
 * gets no delivery, said as the attempt's error.
 */
export async function deliverSigned(env: Env, db: Db, accountId: string, url: string, payload: unknown): Promise<DeliveryAttempt> {
	const account = await db.select({ generation: accounts.webhookSecretGeneration }).from(accounts).where(eq(accounts.id, accountId)).get();
	if (!account?.generation || !env.WEBHOOK_SECRET_KEY) return { at: new Date().toISOString(), error: NO_WEBHOOK_SECRET };
	const secret = await webhookSecret(env.WEBHOOK_SECRET_KEY, accountId, account.generation);
	const body = JSON.stringify(payload);
	return deliver(url, body, await signatureHeader(secret, body, Math.floor(Date.now() / 1000)));
}
