import { createRoute } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { ApiError } from "../../../http/errors";
import { errorResponses, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { AccountSchema, accountView } from "./schema";

const route = createRoute({
	method: "get",
	path: "/v1/account",
	tags: ["Accounts"],
	operationId: "getAccount",
	summary: "The account and its settings",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	responses: {
		200: { description: "The account", content: { "application/json": { schema: AccountSchema } } },
		...errorResponses(401, 429, 503),
	},
});

export function registerGetAccount(app: App) {
	app.openapi(route, async (c) => {
		const view = await accountView(c.var.db, c.var.auth.accountId);
		if (!view) throw new ApiError("NOT_FOUND", "Account not found");
		return c.json(view, 200);
	});
}
