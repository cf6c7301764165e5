import { z } from "@hono/zod-openapi";
import { ASSET_TYPES } from "../../../assets/sniff";
import { assetUrl } from "../../../assets/url";
import type { Asset } from "../../../db/schema";

export const AssetSchema = z
	.object({
		id: z.string().openapi({ description: "The asset's id, for DELETE /v1/assets/{id}.", example: "ast_7bQ2c9LmXw4RtZ1a" }),
		name: z.string().openapi({ description: "The name it was uploaded with (`?name=`), unique in the account: `{{#asset}}<name>{{/asset}}` in a template writes its URL.", example: "logo.png" }),
		type: z.enum(ASSET_TYPES).openapi({ description: "Its MIME type, read from its content (never from the name).", example: "image/png" }),
		size: z.number().int().openapi({ description: "Its size in bytes.", example: 18342 }),
		url: z.string().openapi({
			description:
				"Where the account's templates and inline HTML find it, in `src`, `href` and CSS `url()`. The renderer answers it from storage, for this account's documents only; " +
				"the host `assets.quire.invalid` never resolves, so it is not a download link.",
			example: "https://assets.quire.invalid/ast_7bQ2c9LmXw4RtZ1a/logo.png",
		}),
		created_at: z.string().openapi({ description: "When it was uploaded (ISO 8601, UTC).", example: "2026-12-01T10:30:00.000Z" }),
	})
	.openapi("Asset", { description: "An image or font of the account, for its templates and inline HTML." });

/** An `assets` row as the API shows it. */
export function assetView(asset: Asset): z.infer<typeof AssetSchema> {
	return { id: asset.id, name: asset.name, type: asset.type as z.infer<typeof AssetSchema>["type"], size: asset.size, url: assetUrl(asset.id, asset.name), created_at: asset.createdAt };
}
