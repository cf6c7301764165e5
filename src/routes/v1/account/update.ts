import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { accounts } from "../../../db/schema";
import { ApiError } from "../../../http/errors";
import { errorResponses, LIVE_KEY_ONLY, liveKeyForbidden, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { checkRetention, ExpiresInHoursSchema } from "../../../storage/retention";
import { AccountSchema, accountView } from "./schema";

const SettingsSchema = z
	.object({
		block_remote_resources: z.boolean().optional().openapi({ description: "`true`: rendered pages load nothing remote. Left out: unchanged.", example: true }),
		javascript: z.boolean().optional().openapi({ description: "`false`: rendered pages run no scripts, unless a request sends `javascript: true`. Left out: unchanged.", example: false }),
		expires_in_hours: ExpiresInHoursSchema.nullable()
			.optional()
			.openapi({
				description:
					"The account's default retention of hosted PDFs, in hours: from 1 to the server's maximum (`PDF_RETENTION_MAX_HOURS`, 720 by default; past it: 400). A request's own `expires_in_hours` wins. `null`: back to the server's default (`PDF_RETENTION_HOURS`). Left out: unchanged.",
				example: 168,
			}),
	})
	.strict()
	.openapi("AccountSettings");

const route = createRoute({
	method: "patch",
	path: "/v1/account",
	tags: ["Accounts"],
	operationId: "updateAccount",
	summary: "Change the account's settings",
	description:
		"`block_remote_resources: true`: rendered pages load nothing remote. `javascript: false`: rendered pages run no scripts (a request's own `javascript` wins). " +
		"`expires_in_hours`: how long hosted PDFs stay downloadable unless a request says (`null` clears it). " +
		`Each applies from the next request (and to async jobs submitted from then on). ${LIVE_KEY_ONLY}`,
	security: SECURITY,
	middleware: [apiKeyAuth({ live: true }), rateLimit()] as const,
	request: { body: { required: true, content: { "application/json": { schema: SettingsSchema } } } },
	responses: {
		200: { description: "The account, as changed", content: { "application/json": { schema: AccountSchema } } },
		...errorResponses(400, 401, 413, 429, 503),
		...liveKeyForbidden(),
	},
});

export function registerUpdateAccount(app: App) {
	app.openapi(route, async (c) => {
		const settings = c.req.valid("json");
		const { accountId } = c.var.auth;
		checkRetention(c.env, "expires_in_hours", settings.expires_in_hours);
		const changes = { blockRemoteResources: settings.block_remote_resources, javascript: settings.javascript, expiresInHours: settings.expires_in_hours };
		if (Object.values(changes).some((value) => value !== undefined)) {
			await c.var.db.update(accounts).set(changes).where(eq(accounts.id, accountId)).run();
		}
		const view = await accountView(c.var.db, accountId);
		if (!view) throw new ApiError("NOT_FOUND", "Account not found");
		return c.json(view, 200);
	});
}
