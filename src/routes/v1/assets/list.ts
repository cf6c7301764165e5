import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { errorResponses, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { ASSET_LIMITS, assetUsage, listAssets } from "../../../assets/store";
import { AssetSchema, assetView } from "./schema";

const AssetListSchema = z
	.object({
		data: z.array(AssetSchema).openapi({ description: "Every asset of the account, by name (an account holds at most 200, so there is one page)." }),
		quota: z
			.object({
				assets: z.number().int().openapi({ description: "Assets stored.", example: 3 }),
				bytes: z.number().int().openapi({ description: "Bytes stored.", example: 412331 }),
				max_assets: z.number().int().openapi({ example: ASSET_LIMITS.accountAssets }),
				max_bytes: z.number().int().openapi({ example: ASSET_LIMITS.accountBytes }),
				max_asset_bytes: z.number().int().openapi({ description: "The largest one asset may be.", example: ASSET_LIMITS.assetBytes }),
			})
			.openapi({ description: "What the account stores against its limits." }),
	})
	.openapi("AssetList");

const route = createRoute({
	method: "get",
	path: "/v1/assets",
	tags: ["Assets"],
	operationId: "listAssets",
	summary: "List assets",
	description: "The account's images and fonts, by name, and how much of its quota they use.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	responses: {
		200: { description: "The account's assets", content: { "application/json": { schema: AssetListSchema } } },
		...errorResponses(401, 429, 503),
	},
});

export function registerListAssets(app: App) {
	app.openapi(route, async (c) => {
		const { accountId } = c.var.auth;
		const [rows, usage] = await Promise.all([listAssets(c.var.db, accountId), assetUsage(c.var.db, accountId)]);
		const quota = { ...usage, max_assets: ASSET_LIMITS.accountAssets, max_bytes: ASSET_LIMITS.accountBytes, max_asset_bytes: ASSET_LIMITS.assetBytes };
		return c.json({ data: rows.map(assetView), quota }, 200);
	});
}
