import { createRoute, z } from "@hono/zod-openapi";
import { confirmEmailChange } from "../../auth/email-change";
import type { App } from "../../http/app-env";

const route = createRoute({
	method: "get",
	path: "/auth/confirm-email",
	tags: ["Accounts"],
	operationId: "confirmAccountEmail",
	security: [],
	summary: "Follow an email-change confirmation link",
	description:
		"One of the two links of `POST /v1/account/email`. A 303 to `/dashboard?email=<outcome>`: `changed` (both addresses confirmed: the account's email is the new one), " +
		"`confirmed` (the other address has yet to confirm), `invalid` (unknown, used or expired link) or `taken` (the new address was taken meanwhile).",
	request: { query: z.object({ token: z.string().max(100).optional().openapi({ description: "The token from the email." }) }) },
	responses: { 303: { description: "To the dashboard, with the outcome" } },
});

export function registerConfirmEmail(app: App) {
	app.openapi(route, async (c) => {
		const token = c.req.valid("query").token;
		const outcome = token ? await confirmEmailChange(c.var.db, token) : "invalid";
		return c.redirect(`/dashboard?email=${outcome}`, 303);
	});
}
