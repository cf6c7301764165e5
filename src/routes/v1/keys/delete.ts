import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { deleteKey } from "../../../auth/keys";
import { creditsFor } from "../../../credits/client";
import { ApiError } from "../../../http/errors";
import { DeletedSchema, errorResponses, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";

const route = createRoute({
	method: "delete",
	path: "/v1/keys/{id}",
	tags: ["API keys"],
	operationId: "deleteKey",
	summary: "Delete an API key",
	description: "pdfapi.dev's key deletion: immediate (the key's next request is refused) and cannot be undone. The key that authenticates this request can't delete itself (403).",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	request: { params: z.object({ id: z.string().openapi({ description: "The key's id (`key_…`), as GET /v1/keys lists it.", example: "key_7bQ2c9LmXw4RtZ1a" }) }) },
	responses: {
		200: { description: "Deleted", content: { "application/json": { schema: DeletedSchema } } },
		...errorResponses(401, 403, 404, 429, 503),
	},
});

export function registerDeleteKey(app: App) {
	app.openapi(route, async (c) => {
		const { id } = c.req.valid("param");
		if (id === c.var.auth.keyId) throw new ApiError("FORBIDDEN", "Cannot delete the API key used to authenticate this request");
		const { accountId } = c.var.auth;
		if (!(await deleteKey(c.var.db, accountId, id))) throw new ApiError("NOT_FOUND", "API key not found");
		// Routes that read keys from a D1 replica ask the Credits object, which must know first.
		await creditsFor(c.env, accountId).revokeKey(id);
		return c.json({ data: { deleted: true as const } }, 200);
	});
}
