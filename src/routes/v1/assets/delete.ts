import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { ApiError } from "../../../http/errors";
import { rateLimit } from "../../../http/rate-limit";
import { DeletedSchema, errorResponses, LIVE_KEY_ONLY, liveKeyForbidden, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { deleteAsset, findAsset } from "../../../assets/store";

const route = createRoute({
	method: "delete",
	path: "/v1/assets/{id}",
	tags: ["Assets"],
	operationId: "deleteAsset",
	summary: "Delete an asset",
	description:
		"Deletes an image or font at once: documents rendered from then on get 404 for its URL (reported in `failed_resources`). Another account's asset is 404. " + LIVE_KEY_ONLY,
	security: SECURITY,
	middleware: [apiKeyAuth({ live: true }), rateLimit()] as const,
	request: { params: z.object({ id: z.string().openapi({ description: "The asset's id (`ast_…`).", example: "ast_7bQ2c9LmXw4RtZ1a" }) }) },
	responses: {
		200: { description: "Deleted", content: { "application/json": { schema: DeletedSchema } } },
		...errorResponses(401, 404, 429, 503),
		...liveKeyForbidden(),
	},
});

export function registerDeleteAsset(app: App) {
	app.openapi(route, async (c) => {
		const { id } = c.req.valid("param");
		const asset = await findAsset(c.var.db, c.var.auth.accountId, { id });
		if (!asset) throw new ApiError("NOT_FOUND", "Asset not found");
		await deleteAsset(c.env, c.var.db, asset).catch((cause: unknown) => {
			throw new ApiError("SERVICE_UNAVAILABLE", "The asset could not be deleted; try again", undefined, cause);
		});
		return c.json({ data: { deleted: true as const } }, 200);
	});
}
