import { createRoute, z } from "@hono/zod-openapi";
import { EMAIL_CHANGE_MINUTES, requestEmailChange } from "../../../auth/email-change";
import { apiKeyAuth } from "../../../auth/middleware";
import { sendEmail } from "../../../email/outbox";
import { ApiError } from "../../../http/errors";
import { publicOrigin } from "../../../http/public-origin";
import { rateLimit } from "../../../http/rate-limit";
import { errorResponses, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";

const ChangeEmailSchema = z
	.object({ email: z.email().max(254).openapi({ description: "The account's new email address.", example: "billing@example.com" }) })
	.strict()
	.openapi("ChangeAccountEmail");

const route = createRoute({
	method: "post",
	path: "/v1/account/email",
	tags: ["Accounts"],
	operationId: "changeAccountEmail",
	summary: "Change the account's email (confirmed by both addresses)",
	description:
		`Emails a confirmation link to the current address and one to the new address, each valid ${EMAIL_CHANGE_MINUTES} minutes; the change applies when both were followed ` +
		"(`/auth/confirm-email`), and the member who signed in with the old address signs in with the new one. " +
		"Owners only, signed in by session. 409 when the new address already belongs to an account or a member.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	request: { body: { required: true, content: { "application/json": { schema: ChangeEmailSchema } } } },
	responses: {
		202: {
			description: "Both confirmation emails are on their way",
			content: { "application/json": { schema: z.object({ data: z.object({ pending_email: z.string().openapi({ description: "The new address, applied once both confirm.", example: "billing@example.com" }) }).openapi({ description: "The pending change." }) }).openapi("EmailChangePending") } },
		},
		...errorResponses(400, 401, 403, 409, 413, 429, 503),
	},
});

export function registerChangeAccountEmail(app: App) {
	app.openapi(route, async (c) => {
		const email = c.req.valid("json").email.toLowerCase();
		const change = await requestEmailChange(c.var.db, c.var.auth.accountId, email);
		if (!change) throw new ApiError("CONFLICT", "This address already belongs to an account or a member");
		const origin = publicOrigin(c.env, c.req.url);
		const text = (token: string) =>
			`Someone signed in as an owner asked to change your Quire account's email from ${change.oldEmail} to ${change.newEmail}. ` +
			`It changes once both addresses confirm. Confirm:\n\n${origin}/auth/confirm-email?token=${token}\n\nThe link works once, within ${EMAIL_CHANGE_MINUTES} minutes. If this was not you, ignore it: nothing changes.\n`;
		try {
			await sendEmail(c.env, { to: change.oldEmail, subject: "Confirm your Quire account's new email", text: text(change.oldToken) });
			await sendEmail(c.env, { to: change.newEmail, subject: "Confirm your Quire account's new email", text: text(change.newToken) });
		} catch (cause) {
			throw new ApiError("SERVICE_UNAVAILABLE", "The confirmation emails could not be sent; try again shortly", undefined, cause);
		}
		return c.json({ data: { pending_email: change.newEmail } }, 202);
	});
}
