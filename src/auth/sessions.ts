import { and, asc, desc, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../db";
import { accounts, emailChanges, loginTokens, members, sessions, type Member, type Role } from "../db/schema";
import { hashKey, newId, randomBase62 } from "./api-key";

/** A sign-in link works this long, once. */
export const LOGIN_LINK_MINUTES = 15;
/** A session lasts this long from sign-in; signing in again makes a new one. */
export const SESSION_DAYS = 7;
/** The session cookie's name. */
export const SESSION_COOKIE = "quire_session";
/** Sign-in links one address may be sent an hour, and one client IP may ask for. */
export const LINKS_PER_ADDRESS_PER_HOUR = 5;
export const LINKS_PER_IP_PER_HOUR = 20;

/** A random secret of 43 base62 characters (~256 bits), for links and cookies; only its SHA-256 is stored. */
function newSecret(): string {
	return randomBase62(43);
}

/** Stores a new single-use sign-in token for `email` and returns it (the only time it exists in plain text). */
export async function createLoginToken(db: Db, email: string, now = new Date()): Promise<string> {
	const token = newSecret();
	const expiresAt = new Date(now.getTime() + LOGIN_LINK_MINUTES * 60_000).toISOString();
	await db.insert(loginTokens).values({ tokenHash: await hashKey(token), email, createdAt: now.toISOString(), expiresAt }).run();
	return token;
}

/**
 * Uses a sign-in token: the address it was sent to, or null when it is unknown, used or expired.
 * One UPDATE, so two clicks on the same link can't both sign in.
 */
export async function consumeLoginToken(db: Db, token: string): Promise<string | null> {
	const now = new Date().toISOString();
	const row = await db
		.update(loginTokens)
		.set({ usedAt: now })
		.where(and(eq(loginTokens.tokenHash, await hashKey(token)), isNull(loginTokens.usedAt), gt(loginTokens.expiresAt, now)))
		.returning({ email: loginTokens.email })
		.get();
	return row?.email ?? null;
}

/**
 * The rows of a new free account and its first owner, the address that made it: sign-up
 * (POST /v1/accounts) and a first sign-in by email both make an account this way.
 */
export function newAccountRows(email: string, createdAt: string) {
	const account = { id: newId("acc"), email, plan: "free", createdAt };
	const owner: Member = { id: newId("mem"), accountId: account.id, email, role: "owner", invitedAt: createdAt, joinedAt: createdAt };
	return { account, owner };
}

/**
 * The member an address signs in as: an existing or invited member (marked joined), or else the
 * owner of a new free account made for it, as sign-up does (without an API key: a member makes
 * keys in the dashboard).
 */
export async function memberForSignIn(db: Db, email: string): Promise<Member> {
	const now = new Date().toISOString();
	const existing = await db.select().from(members).where(eq(members.email, email)).get();
	if (existing) {
		if (!existing.joinedAt) await db.update(members).set({ joinedAt: now }).where(eq(members.id, existing.id)).run();
		return { ...existing, joinedAt: existing.joinedAt ?? now };
	}
	const { account, owner } = newAccountRows(email, now);
	try {
		await db.batch([db.insert(accounts).values(account), db.insert(members).values(owner)]);
		return owner;
	} catch (error) {
		// The same link's address signing in twice at once: the other request made the account.
		const made = await db.select().from(members).where(eq(members.email, email)).get();
		if (made) return made;
		throw error;
	}
}

/** What is kept of the browser: its User-Agent, cut short, and its IP. */
export interface ClientSummary {
	userAgent: string | null;
	ip: string | null;
}

/** Starts a session for a member and returns the cookie's token (stored only as its SHA-256). */
export async function createSession(db: Db, member: Pick<Member, "id" | "accountId">, client: ClientSummary, now = new Date()): Promise<{ token: string; id: string; expiresAt: string }> {
	const token = newSecret();
	const id = newId("ses");
	const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000).toISOString();
	await db
		.insert(sessions)
		.values({ id, tokenHash: await hashKey(token), memberId: member.id, accountId: member.accountId, createdAt: now.toISOString(), expiresAt, userAgent: client.userAgent?.slice(0, 200) ?? null, ip: client.ip })
		.run();
	return { token, id, expiresAt };
}

/** A live session and who it signs in. */
export interface SessionCaller {
	sessionId: string;
	memberId: string;
	email: string;
	role: Role;
	accountId: string;
	plan: string;
	blockRemote: boolean;
	javascript: boolean;
	expiresInHours: number | null;
}

/** The session a cookie token opens, or null when unknown, revoked or expired (or its member removed). */
export async function sessionCaller(db: Db, token: string): Promise<SessionCaller | null> {
	const now = new Date().toISOString();
	const row = await db
		.select({
			sessionId: sessions.id,
			memberId: members.id,
			email: members.email,
			role: members.role,
			accountId: accounts.id,
			plan: accounts.plan,
			blockRemote: accounts.blockRemoteResources,
			javascript: accounts.javascript,
			expiresInHours: accounts.expiresInHours,
		})
		.from(sessions)
		.innerJoin(members, eq(members.id, sessions.memberId))
		.innerJoin(accounts, eq(accounts.id, sessions.accountId))
		.where(and(eq(sessions.tokenHash, await hashKey(token)), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
		.get();
	return row ?? null;
}

/** A member's live sessions, newest first. */
export function listSessions(db: Db, memberId: string) {
	const now = new Date().toISOString();
	return db
		.select({ id: sessions.id, createdAt: sessions.createdAt, expiresAt: sessions.expiresAt, userAgent: sessions.userAgent, ip: sessions.ip })
		.from(sessions)
		.where(and(eq(sessions.memberId, memberId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
		.orderBy(desc(sessions.createdAt), asc(sessions.id));
}

/** Revokes one of a member's sessions. False when the member has no live session with this id. */
export async function revokeSession(db: Db, memberId: string, sessionId: string): Promise<boolean> {
	const result = await db
		.update(sessions)
		.set({ revokedAt: new Date().toISOString() })
		.where(and(eq(sessions.id, sessionId), eq(sessions.memberId, memberId), isNull(sessions.revokedAt)))
		.run();
	return result.meta.changes === 1;
}

/** The account's members, owners first, then by invitation. */
export function listMembers(db: Db, accountId: string) {
	return db
		.select()
		.from(members)
		.where(eq(members.accountId, accountId))
		.orderBy(sql`CASE ${members.role} WHEN 'owner' THEN 0 WHEN 'developer' THEN 1 ELSE 2 END`, asc(members.invitedAt), asc(members.id));
}

/** Adds an invited member; null when the address already belongs to a member (of any account). */
export async function inviteMember(db: Db, accountId: string, email: string, role: Role): Promise<Member | null> {
	const member: Member = { id: newId("mem"), accountId, email, role, invitedAt: new Date().toISOString(), joinedAt: null };
	const result = await db.insert(members).values(member).onConflictDoNothing().run();
	return result.meta.changes === 1 ? member : null;
}

/**
 * Removes a member and ends their sessions at once. `"last_owner"` when they are the account's
 * only owner (one statement, so two owners removing each other can't leave none), `"not_found"`
 * when the account has no such member.
 */
export async function removeMember(db: Db, accountId: string, memberId: string): Promise<"removed" | "last_owner" | "not_found"> {
	const lastOwner = sql`(SELECT COUNT(*) FROM members o WHERE o.account_id = ${accountId} AND o.role = 'owner') <= 1`;
	const [, removed] = await db.batch([
		db
			.delete(sessions)
			.where(and(eq(sessions.memberId, memberId), eq(sessions.accountId, accountId), sql`NOT EXISTS (SELECT 1 FROM members m WHERE m.id = ${memberId} AND m.role = 'owner' AND ${lastOwner})`)),
		db.delete(members).where(and(eq(members.id, memberId), eq(members.accountId, accountId), sql`NOT (${members.role} = 'owner' AND ${lastOwner})`)),
	]);
	if (removed.meta.changes === 1) return "removed";
	const exists = await db.select({ id: members.id }).from(members).where(and(eq(members.id, memberId), eq(members.accountId, accountId))).get();
	return exists ? "last_owner" : "not_found";
}

/**
 * Deletes what can no longer be used: sign-in links and email changes past their expiry, and
 * sessions expired or revoked more than a day ago (a revoked one stays listed for nobody, but
 * its row helps answer "who was signed in" for a while). Run hourly by the cron.
 */
export async function purgeExpiredSignIns(db: Db, now = new Date()): Promise<number> {
	const nowIso = now.toISOString();
	const dayAgo = new Date(now.getTime() - 86_400_000).toISOString();
	const deleted = await db.batch([
		db.delete(loginTokens).where(lt(loginTokens.expiresAt, nowIso)),
		db.delete(emailChanges).where(lt(emailChanges.expiresAt, nowIso)),
		db.delete(sessions).where(or(lt(sessions.expiresAt, nowIso), lt(sessions.revokedAt, dayAgo))),
	]);
	return deleted.reduce((rows, result) => rows + ((result as D1Result).meta?.changes ?? 0), 0);
}
