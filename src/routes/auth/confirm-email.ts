import { confirmEmailChange } from "../../auth/email-change";
import type { App } from "../../http/app-env";

const PATH = "/auth/confirm-email";

/**
 * `GET /auth/confirm-email?token=…`: one of the two links of `POST /v1/account/email` (a link
 * target, not in the OpenAPI document). A 303 to `/dashboard?email=<outcome>`: `changed`,
 * `confirmed` (the other address has yet to), `invalid` (unknown, used or expired) or `taken`.
 */
export function registerConfirmEmail(app: App) {
	app.get(PATH, async (c) => {
		const token = c.req.query("token");
		const outcome = token ? await confirmEmailChange(c.var.db, token) : "invalid";
		return c.redirect(`/dashboard?email=${outcome}`, 303);
	});
}
