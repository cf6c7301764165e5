import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { creditsFor } from "../../src/credits/client";
import { createDb } from "../../src/db";
import { type Generation, produce, reserve, type Result } from "../../src/generation/pipeline";
import { prepare } from "../../src/generation/prepare";
import { ApiError } from "../../src/http/errors";
import { creditsLeft, readPdf, signUp } from "../helpers";

/**
 * The pipeline's settlement rules, against the real Credits object, renderer and D1: only the
 * caller that concludes a result settles and logs it; a failure that is not final is thrown with
 * nothing settled (a job's retry); a final one is refunded and logged.
 */

const db = () => createDb(env.DB);

async function reserved(html: string, options = {}) {
	const account = await signUp();
	const auth = { accountId: account.accountId, keyId: account.keyId, mode: "live" as const, plan: "free" };
	const { document } = await prepare(db(), account.accountId, { html, data: {}, options });
	const id = `req_${crypto.randomUUID()}`;
	await reserve(env, id, auth, { sync: true });
	expect(await creditsLeft(account.key)).toBe(49);
	const generation: Generation = { id, accountId: account.accountId, keyId: account.keyId, mode: "live", source: "sync", templateId: null, createdAt: new Date().toISOString() };
	const renderFor = { accountId: account.accountId, plan: "free", blockRemote: false, javascript: true, mode: "live" as const, async: false };
	return { account, document, generation, renderFor };
}

const logRow = (id: string) => env.DB.prepare("SELECT status, error_code, pages FROM generations WHERE id = ?").bind(id).first();

/** True when the reservation was still open: refunding it now gives the credit back. */
async function stillOpen(accountId: string, key: string, id: string): Promise<boolean> {
	const before = await creditsLeft(key);
	const refunded = await creditsFor(env, accountId).refund(id);
	return before === 49 && refunded && (await creditsLeft(key)) === 50;
}

describe("produce", () => {
	it("a concluded document is committed and logged once; one concluded elsewhere settles nothing", async () => {
		const first = await reserved("<p>made</p>");
		const results: Result[] = [];
		const made = await produce(env, db(), { ...first, store: null, conclude: (result) => (results.push(result), true) });
		await made.settled;
		expect(made.concluded).toBe(true);
		expect(results).toHaveLength(1);
		expect(made.result.ok && (await readPdf(made.result.made.pdf)).text).toContain("made");
		expect(await logRow(first.generation.id)).toEqual({ status: "completed", error_code: null, pages: 1 });
		expect(await creditsFor(env, first.account.accountId).refund(first.generation.id)).toBe(false); // committed: a refund can't take it back

		const second = await reserved("<p>made, but the client had left</p>");
		const late = await produce(env, db(), { ...second, store: null, conclude: () => false });
		await late.settled;
		expect(late.concluded).toBe(false);
		expect(await logRow(second.generation.id)).toBeNull();
		expect(await stillOpen(second.account.accountId, second.account.key, second.generation.id)).toBe(true);
	});

	it("a final failure is returned and refunded; one that is not final is thrown with nothing settled", async () => {
		// A page range past the end: the renderer's 400, a failure another attempt would not change.
		const final = await reserved("<p>one page</p>", { page_ranges: "5" });
		const failed = await produce(env, db(), { ...final, store: null, conclude: () => true });
		await failed.settled;
		expect(failed.result.ok).toBe(false);
		expect(!failed.result.ok && (failed.result.error as ApiError).code).toBe("VALIDATION_ERROR");
		expect(await creditsLeft(final.account.key)).toBe(50);
		expect(await logRow(final.generation.id)).toEqual({ status: "failed", error_code: "VALIDATION_ERROR", pages: null });

		const retried = await reserved("<p>one page</p>", { page_ranges: "5" });
		let concluded = false;
		const attempt = produce(env, db(), { ...retried, store: null, isFinal: () => false, conclude: () => (concluded = true) });
		await expect(attempt).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
		expect(concluded).toBe(false);
		expect(await logRow(retried.generation.id)).toBeNull();
		expect(await stillOpen(retried.account.accountId, retried.account.key, retried.generation.id)).toBe(true);
	});

	it("store puts the finished PDF in R2 under the account", async () => {
		const doc = await reserved("<p>stored</p>");
		const { result, settled } = await produce(env, db(), { ...doc, store: { expiresInHours: 1 }, conclude: () => true });
		await settled;
		expect(result.ok).toBe(true);
		const key = result.ok ? result.made.stored!.key : "";
		expect(key.startsWith(`${doc.account.accountId}/`)).toBe(true);
		const object = await env.PDFS.get(key);
		expect((await readPdf(await object!.arrayBuffer())).text).toContain("stored");
	});
});
