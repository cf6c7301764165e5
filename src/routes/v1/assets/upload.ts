import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { ApiError } from "../../../http/errors";
import { rateLimit } from "../../../http/rate-limit";
import { errorResponses, LIVE_KEY_ONLY, liveKeyForbidden, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { ASSET_LIMITS, createAsset, refuseAssetName } from "../../../assets/store";
import { AssetSchema, assetView } from "./schema";

const MB = 1024 * 1024;

const route = createRoute({
	method: "post",
	path: "/v1/assets",
	tags: ["Assets"],
	operationId: "uploadAsset",
	summary: "Upload an image or font",
	description:
		"Stores the request body (the file's bytes, any `Content-Type`) as an asset of the account, for its templates and inline HTML: PNG, JPEG, SVG, WOFF2, WOFF, TTF or OTF, " +
		"recognised by content, not by name (415 `UNSUPPORTED_MEDIA_TYPE`). " +
		`At most ${ASSET_LIMITS.assetBytes / MB} MB an asset (413 \`PAYLOAD_TOO_LARGE\`), and ${ASSET_LIMITS.accountBytes / MB} MB or ${ASSET_LIMITS.accountAssets} assets an account (413 \`QUOTA_EXCEEDED\`). ` +
		"A name the account already uses is 409: delete that asset first. " +
		"Use the returned `url` in `src`, `href` or CSS `url()` (a font in `@font-face` is embedded in the PDF), or `{{#asset}}logo.png{{/asset}}` in a template (docs/template-helpers.md). " +
		`${LIVE_KEY_ONLY} (An asset shapes live documents too.)`,
	security: SECURITY,
	middleware: [apiKeyAuth({ live: true }), rateLimit()] as const,
	request: {
		query: z.object({
			name: z
				.string()
				.refine((name) => refuseAssetName(name) === null, { message: "must be a file name of 1 to 100 characters, without /, \\ or control characters" })
				.openapi({ description: "The asset's name in the account, e.g. its file name.", example: "logo.png" }),
		}),
		body: { required: true, content: { "application/octet-stream": { schema: z.string().openapi({ format: "binary", description: "The file's bytes." }) } } },
	},
	responses: {
		201: { description: "The stored asset", content: { "application/json": { schema: z.object({ data: AssetSchema }).openapi("AssetEnvelope") } } },
		...errorResponses(400, 401, 409, 413, 415, 429, 503),
		...liveKeyForbidden(),
	},
});

export function registerUploadAsset(app: App) {
	app.openapi(route, async (c) => {
		const { name } = c.req.valid("query");
		const bytes = new Uint8Array(await c.req.arrayBuffer());
		const asset = await createAsset(c.env, c.var.db, c.var.auth.accountId, name, bytes).catch((cause: unknown) => {
			if (cause instanceof ApiError) throw cause;
			throw new ApiError("SERVICE_UNAVAILABLE", "The asset could not be stored; try again", undefined, cause);
		});
		return c.json({ data: assetView(asset) }, 201);
	});
}
