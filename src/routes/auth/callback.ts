import { createRoute, z } from "@hono/zod-openapi";
import { setCookie } from "hono/cookie";
import { consumeLoginToken, createSession, memberForSignIn, SESSION_COOKIE, SESSION_DAYS } from "../../auth/sessions";
import type { App } from "../../http/app-env";

const route = createRoute({
	method: "get",
	path: "/auth/callback",
	tags: ["Sessions"],
	operationId: "signInCallback",
	security: [],
	summary: "Follow a sign-in link",
	description:
		"The link of `POST /v1/sessions/email`. A valid token (unused, unexpired) starts a session: the `quire_session` cookie (`HttpOnly`, `Secure`, `SameSite=Strict`, " +
		`${SESSION_DAYS} days) and a 303 to \`/dashboard\`. Otherwise a 303 to \`/dashboard?signin=expired\`, which asks for a new link.`,
	request: { query: z.object({ token: z.string().max(100).optional().openapi({ description: "The token from the email." }) }) },
	responses: {
		303: { description: "To the dashboard, signed in (`Set-Cookie`) or not" },
	},
});

export function registerAuthCallback(app: App) {
	app.openapi(route, async (c) => {
		const token = c.req.valid("query").token;
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
