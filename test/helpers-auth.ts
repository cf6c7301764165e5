import { expect } from "vitest";
import { sentEmails } from "../src/email/outbox";
import { BASE, call, postJson, uniqueIp } from "./helpers";

/** Quire's own origin in tests: what a cookie request that changes something must send as `Origin`. */
export const ORIGIN = BASE;

/** A fresh address no test has used. */
export function newEmail(name = "member"): string {
	return `${name}-${crypto.randomUUID().slice(0, 8)}@example.com`;
}

/** The newest sign-in link emailed to `email` (read from the outbox's test record), or null. */
export function linkFor(email: string): string | null {
	const mail = sentEmails.findLast((m) => m.to === email);
	return mail ? (/https?:\/\/\S+\/auth\/callback\?token=\S+/.exec(mail.text)?.[0] ?? null) : null;
}

/** Asks for a sign-in link for `email` (from an address of its own) and returns it. */
export async function requestLink(email: string, ip = uniqueIp()): Promise<string> {
	const before = linkFor(email);
	const res = await postJson("/v1/sessions/email", { email }, { "CF-Connecting-IP": ip });
	expect(res.status).toBe(202);
	const link = linkFor(email);
	expect(link).not.toBeNull();
	expect(link).not.toBe(before);
	return link!;
}

/** Follows a sign-in link: the session cookie's `name=value`, or null when it did not sign in. */
export async function follow(link: string): Promise<{ status: number; location: string | null; cookie: string | null; setCookie: string | null }> {
	const url = new URL(link);
	const res = await call(`${url.pathname}${url.search}`, { redirect: "manual" });
	const setCookie = res.headers.get("set-cookie");
	const cookie = setCookie ? (/^(quire_session=[^;]+)/.exec(setCookie)?.[1] ?? null) : null;
	return { status: res.status, location: res.headers.get("location"), cookie, setCookie };
}

/** Signs `email` in by email (link, callback) and returns its cookie header value. */
export async function signInByEmail(email = newEmail()): Promise<{ email: string; cookie: string }> {
	const { cookie } = await follow(await requestLink(email));
	if (!cookie) throw new Error(`sign-in of ${email} set no cookie`);
	return { email, cookie };
}

/** A request with the session cookie, from Quire's own pages (`Origin`) unless `headers` say otherwise. */
export function withCookie(cookie: string, path: string, { method = "GET", body, headers = {} }: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
	const all: Record<string, string> = { Cookie: cookie, ...(method === "GET" || method === "HEAD" ? {} : { Origin: ORIGIN }), ...headers };
	if (body !== undefined) all["Content-Type"] = "application/json";
	return call(path, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body) });
}
