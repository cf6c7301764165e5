import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sentEmails } from "../../src/email/outbox";
import { call } from "../helpers";
import { follow, linkFor, newEmail, requestLink, signInByEmail, withCookie } from "../helpers-auth";

/** The newest email-change confirmation link sent to `email`. */
function confirmationFor(email: string): string {
	const mail = sentEmails.findLast((m) => m.to === email && m.subject.includes("new email"));
	const link = mail && /https?:\/\/\S+\/auth\/confirm-email\?token=\S+/.exec(mail.text)?.[0];
	if (!link) throw new Error(`no confirmation link for ${email}`);
	return link;
}

async function confirm(link: string): Promise<string | null> {
	const url = new URL(link);
	return (await call(`${url.pathname}${url.search}`, { redirect: "manual" })).headers.get("location");
}

async function accountEmail(cookie: string): Promise<string> {
	return ((await (await withCookie(cookie, "/v1/session")).json()) as { data: { account: { email: string } } }).data.account.email;
}

describe("changing the account's email", () => {
	it("applies only once both addresses confirm; the owner then signs in with the new one", async () => {
		const owner = await signInByEmail(newEmail("old"));
		const next = newEmail("new");
		const res = await withCookie(owner.cookie, "/v1/account/email", { method: "POST", body: { email: next } });
		expect(res.status).toBe(202);
		expect(await res.json()).toEqual({ data: { pending_email: next } });

		expect(await confirm(confirmationFor(next))).toBe("/dashboard?email=confirmed");
		expect(await accountEmail(owner.cookie)).toBe(owner.email); // one side is not enough
		expect(await confirm(confirmationFor(next))).toBe("/dashboard?email=invalid"); // single use
		expect(await confirm(confirmationFor(owner.email))).toBe("/dashboard?email=changed");
		expect(await accountEmail(owner.cookie)).toBe(next);

		// The new address signs in to the same account, as its owner.
		const { cookie } = await follow(await requestLink(next));
		const me = (await (await withCookie(cookie!, "/v1/session")).json()) as { data: { member: { role: string }; account: { email: string } } };
		expect(me.data).toMatchObject({ member: { role: "owner" }, account: { email: next } });
	});

	it("refuses an address already taken (409), an expired link, and anyone but an owner's session", async () => {
		const owner = await signInByEmail(newEmail("owner"));
		const other = await signInByEmail(newEmail("other"));
		expect((await withCookie(owner.cookie, "/v1/account/email", { method: "POST", body: { email: other.email } })).status).toBe(409);

		const next = newEmail("late");
		expect((await withCookie(owner.cookie, "/v1/account/email", { method: "POST", body: { email: next } })).status).toBe(202);
		await env.DB.prepare("UPDATE email_changes SET expires_at = ? WHERE new_email = ?").bind(new Date(Date.now() - 1000).toISOString(), next).run();
		expect(await confirm(confirmationFor(next))).toBe("/dashboard?email=invalid");
		expect(await confirm(confirmationFor(owner.email))).toBe("/dashboard?email=invalid");
		expect(await accountEmail(owner.cookie)).toBe(owner.email);

		const developer = newEmail("dev");
		expect((await withCookie(owner.cookie, "/v1/members", { method: "POST", body: { email: developer, role: "developer" } })).status).toBe(201);
		const dev = await follow(linkFor(developer)!);
		const refused = await withCookie(dev.cookie!, "/v1/account/email", { method: "POST", body: { email: newEmail() } });
		expect(refused.status).toBe(403);
	});
});
