import { z } from "@hono/zod-openapi";
import { ApiError } from "../../../http/errors";
import type { AuthContext } from "../../../http/app-env";

export const SessionSchema = z
	.object({
		id: z.string().openapi({ description: "The session's id, for DELETE /v1/sessions/{id}.", example: "ses_3kTz9QmW1xYbVc2L" }),
		created_at: z.string().openapi({ description: "When it signed in (ISO 8601, UTC).", example: "2026-12-01T10:30:00.000Z" }),
		expires_at: z.string().openapi({ description: "When it ends unless revoked first.", example: "2026-12-08T10:30:00.000Z" }),
		user_agent: z.string().nullable().openapi({ description: "The browser's User-Agent (first 200 characters).", example: "Mozilla/5.0 …" }),
		ip: z.string().nullable().openapi({ description: "The client IP it signed in from.", example: "203.0.113.7" }),
		current: z.boolean().openapi({ description: "`true` for the session making this request.", example: true }),
	})
	.openapi("Session");

/** The member and session of a cookie request; 403 for an API key (these routes are about people). */
export function sessionOnly(auth: AuthContext): { memberId: string; sessionId: string } {
	if (auth.via !== "session" || !auth.memberId) throw new ApiError("FORBIDDEN", "Only a member signed in by email has a session: an API key has none");
	return { memberId: auth.memberId, sessionId: auth.keyId };
}

export function sessionView(row: { id: string; createdAt: string; expiresAt: string; userAgent: string | null; ip: string | null }, currentId: string) {
	return { id: row.id, created_at: row.createdAt, expires_at: row.expiresAt, user_agent: row.userAgent, ip: row.ip, current: row.id === currentId };
}
