import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth, requireLiveKey } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { deleteKey, keyMode } from "../../../auth/keys";
import { creditsFor } from "../../../credits/client";
import { ApiError } from "../../../http/errors";
import { DeletedSchema, errorResponses, LIVE_KEY_ONLY, liveKeyForbidden, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";

const route = createRoute({
	method: "delete",
	path: "/v1/keys/{id}",
	tags: ["API keys"],
	operationId: "deleteKey",
	summary: "Delete an API key",
	description:
		"pdfapi.dev's key deletion: immediate (the key's next request is refused) and cannot be undone. The key that authenticates this request can't delete itself (403). " +
		`Deleting a live key: ${LIVE_KEY_ONLY} A test key may delete test keys.`,
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	request: { params: z.object({ id: z.string().openapi({ description: "The key's id (`key_…`), as GET /v1/keys lists it.", example: "key_7bQ2c9LmXw4RtZ1a" }) }) },
	responses: {
		200: { description: "Deleted", content: { "application/json": { schema: DeletedSchema } } },
		...errorResponses(401, 404, 429, 503),
		...liveKeyForbidden({ when: "the key that authenticates the request", message: "Cannot delete the API key used to authenticate this request" }),
	},
});

export function registerDeleteKey(app: App) {
	app.openapi(route, async (c) => {
		const { id } = c.req.valid("param");
		if (id === c.var.auth.keyId) throw new ApiError("FORBIDDEN", "Cannot delete the API key used to authenticate this request");
		const { accountId, mode } = c.var.auth;
		// A key's mode never changes, so reading it before the deletion can't race.
		const target = await keyMode(c.var.db, accountId, id);
		if (!target) throw new ApiError("NOT_FOUND", "API key not found");
		if (mode === "test" && target === "live") requireLiveKey(c.var.auth, "Deleting a live key");
		// Revoked first, then deleted: routes that read keys from a D1 replica ask the Credits object,
		// which must know before the row goes. If revoking fails the key stays in D1 and a retry
		// (revocation is idempotent) finishes the job; the other order left a retry with 404 and
		// the revocation never recorded.
		await creditsFor(c.env, accountId)
			.revokeKey(id)
			.catch((cause: unknown) => {
				throw new ApiError("SERVICE_UNAVAILABLE", "The key could not be deleted; try again", undefined, cause);
			});
		if (!(await deleteKey(c.var.db, accountId, id))) throw new ApiError("NOT_FOUND", "API key not found");
		return c.json({ data: { deleted: true as const } }, 200);
	});
}
