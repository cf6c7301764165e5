import { beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../../src/db/schema";
import { call, signUp } from "../helpers";
import { follow, linkFor, newEmail, signInByEmail, withCookie } from "../helpers-auth";

/**
 * Every authenticated route, with a request that its least role passes (the answer is then the
 * route's own: 200, 201, 400 for the deliberately empty body, 404 for a made-up id) and that a lower
 * role is refused with 403 before the route runs. DELETE /v1/session (sign-out, any role) is
 * tested in sessions.test.ts: here it would end the session the table uses.
 */
const ACTIONS: Array<{ method: string; path: string; body?: unknown; role: Role }> = [
	{ method: "GET", path: "/v1/account", role: "viewer" },
	{ method: "POST", path: "/v1/account/email", body: {}, role: "owner" },
	{ method: "PATCH", path: "/v1/account", body: {}, role: "developer" },
	{ method: "GET", path: "/v1/credits", role: "viewer" },
	{ method: "GET", path: "/v1/usage", role: "viewer" },
	{ method: "GET", path: "/v1/generations", role: "viewer" },
	{ method: "POST", path: "/v1/generate", body: {}, role: "developer" },
	{ method: "POST", path: "/v1/merge", body: {}, role: "developer" },
	{ method: "POST", path: "/v1/batch", body: {}, role: "developer" },
	{ method: "GET", path: "/v1/batches/batch_none", role: "viewer" },
	{ method: "GET", path: "/v1/files", role: "viewer" },
	{ method: "DELETE", path: "/v1/files/file_none", role: "developer" },
	{ method: "GET", path: "/v1/tasks", role: "viewer" },
	{ method: "GET", path: "/v1/tasks/task_none", role: "viewer" },
	{ method: "GET", path: "/v1/keys", role: "viewer" },
	{ method: "POST", path: "/v1/keys", body: {}, role: "developer" },
	{ method: "DELETE", path: "/v1/keys/key_none", role: "developer" },
	{ method: "GET", path: "/v1/templates", role: "viewer" },
	{ method: "GET", path: "/v1/templates/none", role: "viewer" },
	{ method: "POST", path: "/v1/templates", body: {}, role: "developer" },
	{ method: "POST", path: "/v1/templates/preview", body: {}, role: "developer" },
	{ method: "PUT", path: "/v1/templates/none", body: {}, role: "developer" },
	{ method: "DELETE", path: "/v1/templates/none", role: "developer" },
	{ method: "PATCH", path: "/v1/templates/none", body: {}, role: "developer" },
	{ method: "GET", path: "/v1/assets", role: "viewer" },
	{ method: "POST", path: "/v1/assets", role: "developer" },
	{ method: "GET", path: "/v1/assets/ast_none/content", role: "viewer" },
	{ method: "DELETE", path: "/v1/assets/ast_none", role: "developer" },
	{ method: "GET", path: "/v1/webhook-endpoints", role: "viewer" },
	{ method: "POST", path: "/v1/webhook-endpoints", body: {}, role: "developer" },
	{ method: "PATCH", path: "/v1/webhook-endpoints/we_none", body: {}, role: "developer" },
	{ method: "DELETE", path: "/v1/webhook-endpoints/we_none", role: "developer" },
	{ method: "GET", path: "/v1/webhook-endpoints/we_none/deliveries", role: "viewer" },
	{ method: "POST", path: "/v1/webhook-endpoints/we_none/deliveries/whd_none/resend", role: "developer" },
	{ method: "GET", path: "/v1/webhook-secret", role: "viewer" },
	{ method: "POST", path: "/v1/webhook-secret", role: "developer" },
	{ method: "GET", path: "/v1/session", role: "viewer" },
	{ method: "GET", path: "/v1/sessions", role: "viewer" },
	{ method: "DELETE", path: "/v1/sessions/ses_none", role: "viewer" },
	{ method: "GET", path: "/v1/members", role: "viewer" },
	{ method: "POST", path: "/v1/members", body: {}, role: "owner" },
	{ method: "DELETE", path: "/v1/members/mem_none", role: "owner" },
];

const RANK: Record<Role, number> = { viewer: 0, developer: 1, owner: 2 };

/** An account's owner signed in by email, and a developer and a viewer it invited, each signed in. */
async function team(): Promise<Record<Role, string>> {
	const owner = await signInByEmail(newEmail("owner"));
	const cookies = { owner: owner.cookie } as Record<Role, string>;
	for (const role of ["developer", "viewer"] as const) {
		const email = newEmail(role);
		const invited = await withCookie(owner.cookie, "/v1/members", { method: "POST", body: { email, role } });
		expect(invited.status).toBe(201);
		const { cookie } = await follow(linkFor(email)!);
		cookies[role] = cookie!;
	}
	return cookies;
}

describe("roles", () => {
	let cookies: Record<Role, string>;
	beforeAll(async () => {
		cookies = await team();
	});

	it("the table lists every route a session can call (from /openapi.json)", async () => {
		const doc = (await (await call("/openapi.json")).json()) as { paths: Record<string, Record<string, { security?: Array<Record<string, unknown>>; responses: Record<string, unknown> }>> };
		const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
			Object.entries(ops)
				.filter(([, op]) => op.security?.some((s) => "SessionCookie" in s))
				.map(([method]) => `${method.toUpperCase()} ${path}`),
		);
		const template = (path: string) =>
			path
				.replace(/\/(batch|file|task|key|ses|mem|ast|we)_none(?=$|\/)/, "/{id}")
				.replace(/\/whd_none\//, "/{delivery_id}/")
				.replace(/\/templates\/none$/, "/templates/{id}");
		const tabled = [...ACTIONS.map((a) => `${a.method} ${template(a.path)}`), "DELETE /v1/session"];
		expect(documented.length).toBeGreaterThan(20);
		// Each documents the 403 a role or CSRF refusal answers.
		const without403 = Object.entries(doc.paths).flatMap(([path, ops]) =>
			Object.entries(ops)
				.filter(([, op]) => op.security?.some((s) => "SessionCookie" in s) && !op.responses["403"])
				.map(([method]) => `${method} ${path}`),
		);
		expect(without403).toEqual([]);
		expect([...new Set(tabled)].sort()).toEqual([...new Set(documented)].sort());
	});

	for (const role of ["owner", "developer", "viewer"] as const) {
		it(`a ${role} may do exactly what the table allows`, async () => {
			for (const action of ACTIONS) {
				const res = await withCookie(cookies[role], action.path, { method: action.method, body: action.body });
				const allowed = RANK[role] >= RANK[action.role];
				const what = `${role} ${action.method} ${action.path} -> ${res.status}`;
				if (allowed) {
					expect(res.status, what).not.toBe(403);
					expect(res.status, what).toBeLessThan(500);
				} else {
					expect(res.status, what).toBe(403);
					expect(((await res.json()) as { error: { message: string } }).error.message, what).toContain(`needs the ${action.role} role`);
				}
			}
		});
	}

	it("an API key acts as a developer: owner-only actions need an owner's session", async () => {
		const { key } = await signUp();
		const invite = await call("/v1/members", { method: "POST", headers: { "X-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify({ email: newEmail(), role: "viewer" }) });
		expect(invite.status).toBe(403);
		expect(((await invite.json()) as { error: { message: string } }).error.message).toMatch(/owner signed in/);
		// Positive control: a developer action works with the key.
		const created = await call("/v1/keys", { method: "POST", headers: { "X-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify({ name: "k" }) });
		expect(created.status).toBe(201);
		expect((await call("/v1/members", { headers: { "X-API-Key": key } })).status).toBe(200);
	});
});
