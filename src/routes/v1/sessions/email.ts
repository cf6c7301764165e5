import { createRoute, z } from "@hono/zod-openapi";
import { clientKey, rateLimiterFor } from "../../../rate-limits/rate-limiter";
import { createLoginToken, LINKS_PER_ADDRESS_PER_HOUR, LINKS_PER_IP_PER_HOUR, LOGIN_LINK_MINUTES } from "../../../auth/sessions";
import { sendEmail } from "../../../email/outbox";
import { ApiError } from "../../../http/errors";
import { publicOrigin } from "../../../http/public-origin";
import { errorResponses } from "../../../http/schemas";
import type { App } from "../../../http/app-env";

const EmailSignInSchema = z
	.object({ email: z.email().max(254).openapi({ description: "The address to send the sign-in link to (at most 254 characters).", example: "you@example.com" }) })
	.openapi("EmailSignInRequest");

const AcceptedSchema = z
	.object({ data: z.object({ sent: z.literal(true).openapi({ description: "Always `true`, whether or not the address has an account." }) }).openapi({ description: "The outcome, the same for every address." }) })
	.openapi("EmailSignInAccepted");

const route = createRoute({
	method: "post",
	path: "/v1/sessions/email",
	tags: ["Sessions"],
	operationId: "emailSignInLink",
	security: [],
	summary: "Email a sign-in link",
	description:
		`Sends a link to \`/auth/callback?token=…\`, usable once within ${LOGIN_LINK_MINUTES} minutes: following it signs in (a session cookie) and lands on \`/dashboard\`. ` +
		"An address that is a member (or invited) signs in to its account; any other gets a new free account. " +
		"The answer is 202 either way, so it never tells whether an address has an account. " +
		`At most ${LINKS_PER_ADDRESS_PER_HOUR} links an hour per address and ${LINKS_PER_IP_PER_HOUR} per client IP: past either, 429 \`RATE_LIMITED\` with \`Retry-After\`.`,
	request: { body: { required: true, content: { "application/json": { schema: EmailSignInSchema } } } },
	responses: {
		202: { description: "The link is on its way (if the address can receive it)", content: { "application/json": { schema: AcceptedSchema } } },
		...errorResponses(400, 413, 429, 503),
	},
});

export function registerEmailSignIn(app: App) {
	app.openapi(route, async (c) => {
		const email = c.req.valid("json").email.toLowerCase();
		await limit(c.env, `signin-ip:${clientKey(c.req.header("cf-connecting-ip"))}`, LINKS_PER_IP_PER_HOUR, "from your address");
		await limit(c.env, `signin-email:${email}`, LINKS_PER_ADDRESS_PER_HOUR, "to this email address");
		const token = await createLoginToken(c.var.db, email);
		const link = `${publicOrigin(c.env, c.req.url)}/auth/callback?token=${token}`;
		await sendEmail(c.env, {
			to: email,
			subject: "Your Quire sign-in link",
			text: `Sign in to Quire:\n\n${link}\n\nThe link works once, within ${LOGIN_LINK_MINUTES} minutes. If you did not ask for it, ignore this email.\n`,
		}).catch((cause: unknown) => {
			throw new ApiError("SERVICE_UNAVAILABLE", "The sign-in email could not be sent; try again shortly", undefined, cause);
		});
		return c.json({ data: { sent: true as const } }, 202);
	});
}

/** Counts one link against an hourly limit (a RateLimiter object per key); past it, 429. */
async function limit(env: Env, key: string, perHour: number, what: string): Promise<void> {
	const { ok, rate } = await rateLimiterFor(env, key)
		.hit(perHour, 3600_000)
		.catch((cause: unknown) => {
			throw new ApiError("SERVICE_UNAVAILABLE", "Sign-in is unavailable; try again shortly", undefined, cause);
		});
	if (!ok) throw new ApiError("RATE_LIMITED", `Too many sign-in links ${what}: at most ${perHour} an hour`, { limit: rate.limit, reset: rate.reset }, undefined, { "Retry-After": String(rate.reset) });
}
