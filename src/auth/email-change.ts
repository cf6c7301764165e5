import { and, eq, gt, isNull, or, sql } from "drizzle-orm";
import type { Db } from "../db";
import { accounts, emailChanges, members } from "../db/schema";
import { hashKey, newId, randomBase62 } from "./api-key";

/** Both confirmation links work this long. */
export const EMAIL_CHANGE_MINUTES = 60;

/** A pending change and its two tokens (the only time they exist in plain text). */
export interface PendingChange {
	oldEmail: string;
	newEmail: string;
	oldToken: string;
	newToken: string;
}

/**
 * Records a change of the account's email to `newEmail`, to be confirmed by both addresses.
 * Null when `newEmail` already belongs to an account or a member (it could never apply).
 */
export async function requestEmailChange(db: Db, accountId: string, newEmail: string, now = new Date()): Promise<PendingChange | null> {
	const account = await db.select({ email: accounts.email }).from(accounts).where(eq(accounts.id, accountId)).get();
	if (!account) return null;
	const taken = await db.select({ id: members.id }).from(members).where(and(eq(members.email, newEmail), sql`${members.email} <> ${account.email}`)).get();
	const takenByAccount = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.email, newEmail)).get();
	if (taken || takenByAccount) return null;
	const change = { oldEmail: account.email, newEmail, oldToken: randomBase62(43), newToken: randomBase62(43) };
	await db
		.insert(emailChanges)
		.values({
			id: newId("emc"),
			accountId,
			oldEmail: change.oldEmail,
			newEmail,
			oldTokenHash: await hashKey(change.oldToken),
			newTokenHash: await hashKey(change.newToken),
			createdAt: now.toISOString(),
			expiresAt: new Date(now.getTime() + EMAIL_CHANGE_MINUTES * 60_000).toISOString(),
		})
		.run();
	return change;
}

/**
 * Confirms one side of a change with its token. `"changed"` when this was the second confirmation
 * (the account's email, and the member who had the old address, now have the new one),
 * `"confirmed"` when the other address has yet to confirm, `"invalid"` for an unknown, used or
 * expired token, `"taken"` when the new address was taken meanwhile.
 */
export async function confirmEmailChange(db: Db, token: string): Promise<"changed" | "confirmed" | "invalid" | "taken"> {
	const now = new Date().toISOString();
	const hash = await hashKey(token);
	const change = await db
		.select()
		.from(emailChanges)
		.where(and(or(eq(emailChanges.oldTokenHash, hash), eq(emailChanges.newTokenHash, hash)), gt(emailChanges.expiresAt, now)))
		.get();
	if (!change) return "invalid";
	const side = change.oldTokenHash === hash ? emailChanges.oldConfirmedAt : emailChanges.newConfirmedAt;
	const marked = await db
		.update(emailChanges)
		.set(change.oldTokenHash === hash ? { oldConfirmedAt: now } : { newConfirmedAt: now })
		.where(and(eq(emailChanges.id, change.id), isNull(side)))
		.returning()
		.get();
	if (!marked) return "invalid";
	if (!marked.oldConfirmedAt || !marked.newConfirmedAt) return "confirmed";
	try {
		await db.batch([
			db.update(accounts).set({ email: change.newEmail }).where(and(eq(accounts.id, change.accountId), eq(accounts.email, change.oldEmail))),
			db.update(members).set({ email: change.newEmail }).where(and(eq(members.accountId, change.accountId), eq(members.email, change.oldEmail))),
		]);
	} catch (error) {
		if (/UNIQUE constraint failed/.test(String((error as Error)?.cause ?? error))) return "taken";
		throw error;
	}
	return "changed";
}
