import { setCookie } from "hono/cookie";
import { consumeLoginToken, createSession, memberForSignIn, SESSION_COOKIE, SESSION_DAYS } from "../../auth/sessions";
import type { App } from "../../http/app-env";

const PATH = "/auth/callback";

/**
 * `GET /auth/callback?token=…`: the link of `POST /v1/sessions/email` (a link target, not an API
 * call, so not in the OpenAPI document). A valid token (unused, unexpired) starts a session: the
 * `quire_session` cookie (HttpOnly, Secure, SameSite=Strict) and a 303 to `/dashboard`; otherwise a
 * 303 to `/dashboard?signin=expired`, which asks for a new link.
 */
export function registerAuthCallback(app: App) {
	app.get(PATH, async (c) => {
		const token = c.req.query("token");
		const email = token ? await consumeLoginToken(c.var.db, token) : null;
		if (!email) return c.redirect("/dashboard?signin=expired", 303);
		const member = await memberForSignIn(c.var.db, email);
		const ip = c.req.header("cf-connecting-ip") ?? null;
		const session = await createSession(c.var.db, member, { userAgent: c.req.header("user-agent") ?? null, ip });
		setCookie(c, SESSION_COOKIE, session.token, { path: "/", httpOnly: true, secure: true, sameSite: "Strict", maxAge: SESSION_DAYS * 86_400 });
		c.header("Cache-Control", "no-store");
		return c.redirect("/dashboard", 303);
	});
}
