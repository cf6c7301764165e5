import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../auth/middleware";
import { ROLES } from "../../auth/roles";
import { createLoginToken, inviteMember, listMembers, LOGIN_LINK_MINUTES, removeMember } from "../../auth/sessions";
import type { Member } from "../../db/schema";
import { sendEmail } from "../../email/outbox";
import { ApiError } from "../../http/errors";
import { publicOrigin } from "../../http/public-origin";
import { rateLimit } from "../../http/rate-limit";
import { DeletedSchema, errorResponses, SECURITY } from "../../http/schemas";
import type { App } from "../../http/app-env";
import { log } from "../../log";

const RoleSchema = z.enum(ROLES).openapi({ description: "`owner` (everything, and people), `developer` (keys, templates, documents) or `viewer` (read only).", example: "developer" });

const MemberSchema = z
	.object({
		id: z.string().openapi({ description: "The member's id, for DELETE /v1/members/{id}.", example: "mem_3kTz9QmW1xYbVc2L" }),
		email: z.string().openapi({ description: "Lower-cased.", example: "colleague@example.com" }),
		role: RoleSchema,
		invited_at: z.string().openapi({ description: "When they were invited (or the account made, for its first owner).", example: "2026-12-01T10:30:00.000Z" }),
		joined_at: z.string().nullable().openapi({ description: "Their first sign-in; null while the invitation is pending.", example: null }),
	})
	.openapi("Member");

const memberView = (m: Member) => ({ id: m.id, email: m.email, role: m.role, invited_at: m.invitedAt, joined_at: m.joinedAt });

const InviteSchema = z
	.object({
		email: z.email().max(254).openapi({ description: "The colleague's address.", example: "colleague@example.com" }),
		role: RoleSchema,
	})
	.strict()
	.openapi("InviteMember");

const listRoute = createRoute({
	method: "get",
	path: "/v1/members",
	tags: ["Members"],
	operationId: "listMembers",
	summary: "The account's members",
	description: "Everyone who can sign in to the account by email, owners first. Any role may read it.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	responses: {
		200: { description: "The members", content: { "application/json": { schema: z.object({ data: z.array(MemberSchema).openapi({ description: "The members, owners first." }) }).openapi("MemberList") } } },
		...errorResponses(401, 429, 503),
	},
});

const inviteRoute = createRoute({
	method: "post",
	path: "/v1/members",
	tags: ["Members"],
	operationId: "inviteMember",
	summary: "Invite a member",
	description:
		`Adds the address with a role and emails it a sign-in link (valid ${LOGIN_LINK_MINUTES} minutes; later, the address signs in from the dashboard as usual). ` +
		"Owners only, signed in by session: an API key or another role gets 403. 409 when the address already belongs to an account (this one or another).",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	request: { body: { required: true, content: { "application/json": { schema: InviteSchema } } } },
	responses: {
		201: { description: "The invited member", content: { "application/json": { schema: z.object({ data: MemberSchema.openapi({ description: "The invited member." }) }).openapi("InvitedMember") } } },
		...errorResponses(400, 401, 403, 409, 413, 429, 503),
	},
});

const removeRoute = createRoute({
	method: "delete",
	path: "/v1/members/{id}",
	tags: ["Members"],
	operationId: "removeMember",
	summary: "Remove a member",
	description: "Removes the member and ends their sessions at once. The account's last owner can't be removed (409). Owners only, signed in by session.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	request: { params: z.object({ id: z.string().max(100).openapi({ example: "mem_3kTz9QmW1xYbVc2L" }) }) },
	responses: {
		200: { description: "Removed", content: { "application/json": { schema: DeletedSchema } } },
		...errorResponses(401, 403, 404, 409, 429, 503),
	},
});

export function registerMembers(app: App) {
	app.openapi(listRoute, async (c) => {
		const rows = await listMembers(c.var.db, c.var.auth.accountId);
		return c.json({ data: rows.map(memberView) }, 200);
	});

	app.openapi(inviteRoute, async (c) => {
		const { email, role } = c.req.valid("json");
		const member = await inviteMember(c.var.db, c.var.auth.accountId, email.toLowerCase(), role);
		if (!member) throw new ApiError("CONFLICT", "This address already belongs to an account: it can't be invited");
		const token = await createLoginToken(c.var.db, member.email);
		const link = `${publicOrigin(c.env, c.req.url)}/auth/callback?token=${token}`;
		// The member exists either way; a lost email only means they ask for a link at sign-in.
		await sendEmail(c.env, {
			to: member.email,
			subject: "You are invited to a Quire account",
			text: `You were invited to a Quire account as ${role}. Sign in:\n\n${link}\n\nThe link works once, within ${LOGIN_LINK_MINUTES} minutes; afterwards, sign in at ${publicOrigin(c.env, c.req.url)}/dashboard with this address.\n`,
		}).catch((error: unknown) => log.warn("invitation_email_failed", { request_id: c.var.requestId }, error));
		return c.json({ data: memberView(member) }, 201);
	});

	app.openapi(removeRoute, async (c) => {
		const outcome = await removeMember(c.var.db, c.var.auth.accountId, c.req.valid("param").id);
		if (outcome === "not_found") throw new ApiError("NOT_FOUND", "Member not found");
		if (outcome === "last_owner") throw new ApiError("CONFLICT", "The account's last owner can't be removed: invite another owner first");
		return c.json({ data: { deleted: true as const } }, 200);
	});
}
