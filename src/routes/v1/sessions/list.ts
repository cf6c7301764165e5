import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { listSessions, revokeSession } from "../../../auth/sessions";
import { ApiError } from "../../../http/errors";
import { rateLimit } from "../../../http/rate-limit";
import { DeletedSchema, errorResponses, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { SessionSchema, sessionOnly, sessionView } from "./schema";

const listRoute = createRoute({
	method: "get",
	path: "/v1/sessions",
	tags: ["Sessions"],
	operationId: "listSessions",
	summary: "Your sessions",
	description: "The signed-in member's live sessions (browsers signed in), newest first. An API key gets 403.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	responses: {
		200: { description: "The member's sessions", content: { "application/json": { schema: z.object({ data: z.array(SessionSchema).openapi({ description: "The member's live sessions, newest first." }) }).openapi("SessionList") } } },
		...errorResponses(401, 403, 429, 503),
	},
});

const revokeRoute = createRoute({
	method: "delete",
	path: "/v1/sessions/{id}",
	tags: ["Sessions"],
	operationId: "revokeSession",
	summary: "Revoke one of your sessions",
	description: "Ends one of the signed-in member's sessions at once (another browser's, or this one). 404 for any id that is not one of the member's live sessions.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	request: { params: z.object({ id: z.string().max(100).openapi({ example: "ses_3kTz9QmW1xYbVc2L" }) }) },
	responses: {
		200: { description: "Revoked", content: { "application/json": { schema: DeletedSchema } } },
		...errorResponses(401, 403, 404, 429, 503),
	},
});

export function registerSessions(app: App) {
	app.openapi(listRoute, async (c) => {
		const { memberId, sessionId } = sessionOnly(c.var.auth);
		const rows = await listSessions(c.var.db, memberId);
		return c.json({ data: rows.map((row) => sessionView(row, sessionId)) }, 200);
	});

	app.openapi(revokeRoute, async (c) => {
		const { memberId } = sessionOnly(c.var.auth);
		if (!(await revokeSession(c.var.db, memberId, c.req.valid("param").id))) throw new ApiError("NOT_FOUND", "Session not found");
		return c.json({ data: { deleted: true as const } }, 200);
	});
}
