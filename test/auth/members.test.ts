import { describe, expect, it } from "vitest";
import { sentEmails } from "../../src/email/outbox";
import { follow, linkFor, newEmail, signInByEmail, withCookie } from "../helpers-auth";

type MemberView = { id: string; email: string; role: string; joined_at: string | null };

async function members(cookie: string): Promise<MemberView[]> {
	return ((await (await withCookie(cookie, "/v1/members")).json()) as { data: MemberView[] }).data;
}

describe("members", () => {
	it("invites by email; the invitee signs in to the inviting account with their role, and is gone at once when removed", async () => {
		const owner = await signInByEmail(newEmail("owner"));
		const email = newEmail("viewer");
		const invited = await withCookie(owner.cookie, "/v1/members", { method: "POST", body: { email: email.toUpperCase(), role: "viewer" } });
		expect(invited.status).toBe(201);
		const { data: member } = (await invited.json()) as { data: MemberView };
		expect(member).toMatchObject({ email, role: "viewer", joined_at: null });
		expect(sentEmails.findLast((m) => m.to === email)?.subject).toMatch(/invited/);

		const { cookie } = await follow(linkFor(email)!);
		const me = (await (await withCookie(cookie!, "/v1/session")).json()) as { data: { member: { role: string }; account: { email: string } } };
		expect(me.data.member.role).toBe("viewer");
		expect(me.data.account.email).toBe(owner.email);
		expect((await members(owner.cookie)).find((m) => m.email === email)?.joined_at).not.toBeNull();

		// A viewer reads but can't create a key.
		expect((await withCookie(cookie!, "/v1/keys")).status).toBe(200);
		expect((await withCookie(cookie!, "/v1/keys", { method: "POST", body: { name: "nope" } })).status).toBe(403);

		const removed = await withCookie(owner.cookie, `/v1/members/${member.id}`, { method: "DELETE" });
		expect(removed.status).toBe(200);
		expect((await withCookie(cookie!, "/v1/keys")).status).toBe(401);
		expect((await members(owner.cookie)).map((m) => m.email)).toEqual([owner.email]);
	});

	it("keeps the last owner, and refuses an address that already belongs to an account", async () => {
		const owner = await signInByEmail(newEmail("owner"));
		const [self] = await members(owner.cookie);
		const refused = await withCookie(owner.cookie, `/v1/members/${self!.id}`, { method: "DELETE" });
		expect(refused.status).toBe(409);
		expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/last owner/);
		expect((await withCookie(owner.cookie, "/v1/credits")).status).toBe(200);

		// With a second owner, the first may leave (positive control for the 409).
		const second = newEmail("second");
		expect((await withCookie(owner.cookie, "/v1/members", { method: "POST", body: { email: second, role: "owner" } })).status).toBe(201);
		const other = await signInByEmail(newEmail("other"));
		const taken = await withCookie(owner.cookie, "/v1/members", { method: "POST", body: { email: other.email, role: "viewer" } });
		expect(taken.status).toBe(409);
		expect((await withCookie(owner.cookie, "/v1/members", { method: "POST", body: { email: second, role: "viewer" } })).status).toBe(409);
		expect((await withCookie(owner.cookie, `/v1/members/${self!.id}`, { method: "DELETE" })).status).toBe(200);
		expect((await withCookie(owner.cookie, "/v1/credits")).status).toBe(401);
	});

	it("refuses a bad invitation with 400 naming each field", async () => {
		const owner = await signInByEmail();
		const res = await withCookie(owner.cookie, "/v1/members", { method: "POST", body: { email: "x", role: "admin" } });
		expect(res.status).toBe(400);
		const paths = ((await res.json()) as { error: { details: { fields: Array<{ path: string }> } } }).error.details.fields.map((f) => f.path);
		expect(paths.sort()).toEqual(["email", "role"]);
	});
});

describe("cross-account isolation", () => {
	it("an account's owner sees and touches none of another account's members or sessions", async () => {
		const a = await signInByEmail(newEmail("a"));
		const b = await signInByEmail(newEmail("b"));
		const [bMember] = await members(b.cookie);
		const bSessions = ((await (await withCookie(b.cookie, "/v1/sessions")).json()) as { data: Array<{ id: string }> }).data;
		expect(bSessions).toHaveLength(1);

		expect((await members(a.cookie)).map((m) => m.email)).toEqual([a.email]);
		expect(((await (await withCookie(a.cookie, "/v1/sessions")).json()) as { data: Array<{ id: string }> }).data.map((s) => s.id)).not.toContain(bSessions[0]!.id);
		expect((await withCookie(a.cookie, `/v1/members/${bMember!.id}`, { method: "DELETE" })).status).toBe(404);
		expect((await withCookie(a.cookie, `/v1/sessions/${bSessions[0]!.id}`, { method: "DELETE" })).status).toBe(404);
		// B is untouched (and its own revocation works: positive control).
		expect((await withCookie(b.cookie, "/v1/credits")).status).toBe(200);
		expect((await members(b.cookie))).toHaveLength(1);
		expect((await withCookie(b.cookie, `/v1/sessions/${bSessions[0]!.id}`, { method: "DELETE" })).status).toBe(200);
		expect((await withCookie(b.cookie, "/v1/credits")).status).toBe(401);
	});

	it("a session sees its own account's keys only", async () => {
		const a = await signInByEmail(newEmail("a"));
		const b = await signInByEmail(newEmail("b"));
		const created = (await (await withCookie(a.cookie, "/v1/keys", { method: "POST", body: { name: "A's key" } })).json()) as { data: { id: string } };
		const bKeys = ((await (await withCookie(b.cookie, "/v1/keys")).json()) as { data: Array<{ id: string }> }).data;
		expect(bKeys.map((k) => k.id)).not.toContain(created.data.id);
		expect((await withCookie(b.cookie, `/v1/keys/${created.data.id}`, { method: "DELETE" })).status).toBe(404);
		expect((await withCookie(a.cookie, `/v1/keys/${created.data.id}`, { method: "DELETE" })).status).toBe(200);
	});
});
