import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { ApiError } from "../../../http/errors";
import { rateLimit } from "../../../http/rate-limit";
import { errorResponses, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { readAsset } from "../../../assets/store";
import { ASSET_TYPES } from "../../../assets/sniff";

const route = createRoute({
	method: "get",
	path: "/v1/assets/{id}/content",
	tags: ["Assets"],
	operationId: "getAssetContent",
	summary: "Download an asset",
	description:
		"The asset's bytes, with its `type` as `Content-Type`: for the account's own tools (a dashboard's thumbnails). Templates use the asset's `url` instead, which only the renderer answers. " +
		"Served so that it can run nothing and load nothing from the API's origin (`Content-Security-Policy: default-src 'none'; sandbox`), an SVG included. Another account's asset is 404.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	request: { params: z.object({ id: z.string().openapi({ description: "The asset's id (`ast_…`).", example: "ast_7bQ2c9LmXw4RtZ1a" }) }) },
	responses: {
		200: {
			description: "The asset's bytes",
			content: Object.fromEntries(ASSET_TYPES.map((type) => [type, { schema: z.string().openapi({ format: "binary" }) }])),
		},
		...errorResponses(401, 404, 429, 503),
	},
});

export function registerGetAssetContent(app: App) {
	app.openapi(route, async (c) => {
		const { id } = c.req.valid("param");
		const asset = await readAsset(c.env, c.var.db, c.var.auth.accountId, { id });
		if (!asset) throw new ApiError("NOT_FOUND", "Asset not found");
		return new Response(asset.bytes, {
			headers: {
				"Content-Type": asset.type,
				"Cache-Control": "private, max-age=300",
				"X-Content-Type-Options": "nosniff",
				"Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; sandbox",
			},
		});
	});
}
