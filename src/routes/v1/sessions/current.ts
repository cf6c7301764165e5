import { createRoute, z } from "@hono/zod-openapi";
import { deleteCookie } from "hono/cookie";
import { eq } from "drizzle-orm";
import { apiKeyAuth } from "../../../auth/middleware";
import { revokeSession, SESSION_COOKIE } from "../../../auth/sessions";
import { accounts, members } from "../../../db/schema";
import { ApiError } from "../../../http/errors";
import { rateLimit } from "../../../http/rate-limit";
import { DeletedSchema, errorResponses, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { sessionOnly } from "./schema";

const WhoAmISchema = z
	.object({
		data: z.object({
			member: z.object({
				id: z.string().openapi({ example: "mem_3kTz9QmW1xYbVc2L" }),
				email: z.string().openapi({ example: "you@example.com" }),
				role: z.enum(["owner", "developer", "viewer"]).openapi({ description: "What the member may do (docs/accounts.md#roles).", example: "owner" }),
			}).openapi({ description: "The member signed in." }),
			account: z.object({
				id: z.string().openapi({ example: "acc_3kTz9QmW1xYbVc2L" }),
				email: z.string().openapi({ description: "The account's email.", example: "you@example.com" }),
				plan: z.string().openapi({ example: "free" }),
			}).openapi({ description: "Their account." }),
			session: z.object({ id: z.string().openapi({ description: "This session's id.", example: "ses_3kTz9QmW1xYbVc2L" }) }).openapi({ description: "This session." }),
		}).openapi({ description: "Who is signed in." }),
	})
	.openapi("CurrentSession");

const getRoute = createRoute({
	method: "get",
	path: "/v1/session",
	tags: ["Sessions"],
	operationId: "getSession",
	summary: "Who is signed in",
	description: "The member signed in by the session cookie, their role, and the account. An API key gets 403 (it has no session).",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	responses: {
		200: { description: "The session's member and account", content: { "application/json": { schema: WhoAmISchema } } },
		...errorResponses(401, 403, 429, 503),
	},
});

const deleteRoute = createRoute({
	method: "delete",
	path: "/v1/session",
	tags: ["Sessions"],
	operationId: "signOut",
	summary: "Sign out",
	description: "Ends this session at once (its cookie no longer opens anything) and clears the cookie.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	responses: {
		200: { description: "Signed out", content: { "application/json": { schema: DeletedSchema } } },
		...errorResponses(401, 403, 429, 503),
	},
});

export function registerCurrentSession(app: App) {
	app.openapi(getRoute, async (c) => {
		const { memberId, sessionId } = sessionOnly(c.var.auth);
		const row = await c.var.db
			.select({ id: members.id, email: members.email, role: members.role, accountId: accounts.id, accountEmail: accounts.email, plan: accounts.plan })
			.from(members)
			.innerJoin(accounts, eq(accounts.id, members.accountId))
			.where(eq(members.id, memberId))
			.get();
		if (!row) throw new ApiError("UNAUTHORIZED", "Your session has ended: sign in again");
		return c.json({ data: { member: { id: row.id, email: row.email, role: row.role }, account: { id: row.accountId, email: row.accountEmail, plan: row.plan }, session: { id: sessionId } } }, 200);
	});

	app.openapi(deleteRoute, async (c) => {
		const { memberId, sessionId } = sessionOnly(c.var.auth);
		await revokeSession(c.var.db, memberId, sessionId);
		deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true, httpOnly: true, sameSite: "Strict" });
		return c.json({ data: { deleted: true as const } }, 200);
	});
}
