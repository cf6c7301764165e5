import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { bodyLimit } from "hono/body-limit";
import { timing } from "hono/timing";
import type { App, AppEnv } from "./http/app-env";
import { ApiError, errorBody } from "./http/errors";
import { withRoleForbidden } from "./http/schemas";
import { requestContext } from "./http/request-context";
import { log } from "./log";
import { registerAdminCredits } from "./routes/admin/credits";
import { registerAdminFleet } from "./routes/admin/fleet";
import { registerAdminPlan } from "./routes/admin/plan";
import { registerAdminStats } from "./routes/admin/stats";
import { registerDocs } from "./routes/docs";
import { registerHealth } from "./routes/health";
import { registerDashboardPage } from "./routes/pages/dashboard";
import { registerHomePage } from "./routes/pages/home";
import { registerSignupPage } from "./routes/pages/signup";
import { registerUpload } from "./routes/upload";
import { registerGetAccount } from "./routes/v1/account/get";
import { registerUpdateAccount } from "./routes/v1/account/update";
import { registerCreateAccount } from "./routes/v1/accounts";
import { registerGetAssetContent } from "./routes/v1/assets/content";
import { registerDeleteAsset } from "./routes/v1/assets/delete";
import { registerListAssets } from "./routes/v1/assets/list";
import { registerUploadAsset } from "./routes/v1/assets/upload";
import { registerGetCredits } from "./routes/v1/credits";
import { registerDeleteFile } from "./routes/v1/files/delete";
import { registerListFiles } from "./routes/v1/files/list";
import { registerGenerate } from "./routes/v1/generate";
import { registerMerge } from "./routes/v1/merge";
import { registerCreateBatch } from "./routes/v1/batch/create";
import { registerGetBatch } from "./routes/v1/batch/get";
import { registerListGenerations } from "./routes/v1/generations";
import { registerCreateKey } from "./routes/v1/keys/create";
import { registerDeleteKey } from "./routes/v1/keys/delete";
import { registerListKeys } from "./routes/v1/keys/list";
import { registerGetTask } from "./routes/v1/tasks/get";
import { registerListTasks } from "./routes/v1/tasks/list";
import { registerCreateTemplate } from "./routes/v1/templates/create";
import { registerDeleteTemplate } from "./routes/v1/templates/delete";
import { registerGetTemplate } from "./routes/v1/templates/get";
import { registerListTemplates } from "./routes/v1/templates/list";
import { registerPinTemplate } from "./routes/v1/templates/pin";
import { registerPreviewTemplate } from "./routes/v1/templates/preview";
import { registerUpdateTemplate } from "./routes/v1/templates/update";
import { registerGetUsage } from "./routes/v1/usage";
import { registerGetWebhookSecret } from "./routes/v1/webhook-secret/get";
import { registerAuthCallback } from "./routes/auth/callback";
import { registerConfirmEmail } from "./routes/auth/confirm-email";
import { registerChangeAccountEmail } from "./routes/v1/account/email";
import { registerMembers } from "./routes/v1/members";
import { registerCurrentSession } from "./routes/v1/sessions/current";
import { registerEmailSignIn } from "./routes/v1/sessions/email";
import { registerSessions } from "./routes/v1/sessions/list";
import { registerRotateWebhookSecret } from "./routes/v1/webhook-secret/rotate";
import { registerCreateWebhookEndpoint } from "./routes/v1/webhook-endpoints/create";
import { registerDeleteWebhookEndpoint } from "./routes/v1/webhook-endpoints/delete";
import { registerListWebhookDeliveries } from "./routes/v1/webhook-endpoints/deliveries";
import { registerListWebhookEndpoints } from "./routes/v1/webhook-endpoints/list";
import { registerResendWebhookDelivery } from "./routes/v1/webhook-endpoints/resend";
import { registerUpdateWebhookEndpoint } from "./routes/v1/webhook-endpoints/update";

/** Largest request body accepted, on every route. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * Whether an unexpected error is a binding that failed (D1, a Durable Object, R2, a queue): the
 * client should retry later, so 503 rather than 500. Handlers already turn the failures they
 * expect into ApiErrors that say what was (not) charged; this is the net under the rest.
 */
function isDependencyFailure(error: unknown): boolean {
	const text = `${(error as Error)?.name ?? ""} ${(error as Error)?.message ?? ""} ${String((error as Error)?.cause ?? "")}`;
	return (error as { remote?: boolean })?.remote === true || /D1_|SQLITE_|\bR2\b|Durable Object|Network connection lost|Queue/i.test(text);
}

/** HTTP errors raised by Hono itself (malformed JSON, wrong content type…) in the contract's terms. */
function fromHttpException(error: HTTPException): ApiError {
	if (error.status === 413) return new ApiError("PAYLOAD_TOO_LARGE", "Request body too large");
	if (error.status === 415) return new ApiError("VALIDATION_ERROR", "Content-Type must be application/json");
	if (error.status === 401) return new ApiError("UNAUTHORIZED", error.message || "Unauthorized");
	if (error.status < 500) return new ApiError("VALIDATION_ERROR", error.message || "Bad request");
	return new ApiError("INTERNAL", "Internal error", undefined, error);
}

export function createApp(): App {
	const app = new OpenAPIHono<AppEnv>({
		// Schema failures become the contract's 400, naming each bad field.
		defaultHook: (result) => {
			if (result.success) return;
			const fields = result.error.issues.map((issue) => ({ path: issue.path.join(".") || "(body)", message: issue.message }));
			const summary = fields.map((f) => `${f.path}: ${f.message}`).join("; ");
			throw new ApiError("VALIDATION_ERROR", `Invalid request: ${summary}`, { fields });
		},
	});

	app.use(requestContext());
	app.use(
		bodyLimit({
			maxSize: MAX_BODY_BYTES,
			onError: () => {
				throw new ApiError("PAYLOAD_TOO_LARGE", `Request body too large: at most ${MAX_BODY_BYTES / 1024 / 1024} MB`);
			},
		}),
	);
	// Server-Timing: auth, credits, render, store and total, to see where a request's time goes.
	app.use(timing());

	registerHealth(app);
	registerCreateAccount(app);
	registerGetAccount(app);
	registerUpdateAccount(app);
	registerGetCredits(app);
	registerGetUsage(app);
	registerGenerate(app);
	registerMerge(app);
	registerCreateBatch(app);
	registerGetBatch(app);
	registerListGenerations(app);
	registerListFiles(app);
	registerDeleteFile(app);
	registerCreateKey(app);
	registerListKeys(app);
	registerDeleteKey(app);
	registerListTasks(app);
	registerGetTask(app);
	registerListTemplates(app);
	registerPreviewTemplate(app);
	registerCreateTemplate(app);
	registerGetTemplate(app);
	registerUpdateTemplate(app);
	registerPinTemplate(app);
	registerDeleteTemplate(app);
	registerUploadAsset(app);
	registerListAssets(app);
	registerDeleteAsset(app);
	registerGetAssetContent(app);
	registerRotateWebhookSecret(app);
	registerGetWebhookSecret(app);
	registerCreateWebhookEndpoint(app);
	registerListWebhookEndpoints(app);
	registerUpdateWebhookEndpoint(app);
	registerDeleteWebhookEndpoint(app);
	registerListWebhookDeliveries(app);
	registerResendWebhookDelivery(app);
	registerUpload(app);
	registerEmailSignIn(app);
	registerAuthCallback(app);
	registerCurrentSession(app);
	registerSessions(app);
	registerMembers(app);
	registerChangeAccountEmail(app);
	registerConfirmEmail(app);
	registerAdminCredits(app);
	registerAdminPlan(app);
	registerAdminFleet(app);
	registerAdminStats(app);
	registerDocs(app);

	// Web pages (not part of the API document): their scripts call the API above.
	registerHomePage(app);
	registerSignupPage(app);
	registerDashboardPage(app);

	// Every route a session can call may answer the role or CSRF check's 403 (src/auth/roles.ts).
	for (const definition of app.openAPIRegistry.definitions) {
		if (definition.type !== "route" || !definition.route.security?.some((s) => "SessionCookie" in s)) continue;
		definition.route.responses = withRoleForbidden(definition.route.responses) as typeof definition.route.responses;
	}
	app.openAPIRegistry.registerComponent("securitySchemes", "ApiKeyHeader", { type: "apiKey", in: "header", name: "X-API-Key" });
	app.openAPIRegistry.registerComponent("securitySchemes", "BearerAuth", { type: "http", scheme: "bearer" });
	app.openAPIRegistry.registerComponent("securitySchemes", "SessionCookie", { type: "apiKey", in: "cookie", name: "quire_session", description: "A member's session (docs/accounts.md): set by /auth/callback; requests that change something must come from Quire's own origin" });
	app.openAPIRegistry.registerComponent("securitySchemes", "AdminToken", { type: "http", scheme: "bearer", description: "The ADMIN_TOKEN secret" });
	app.doc31("/openapi.json", {
		openapi: "3.1.0",
		info: {
			title: "Quire API",
			version: "1.0.0",
			description: "Template + JSON data to PDF. Errors are `{\"error\":{\"code\",\"message\",\"details\"?,\"request_id\"}}`; every response carries `X-Request-Id`; every authenticated one `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds), for the account's plan.",
		},
		// Relative: the reference at /docs sends its test requests to the origin that serves it.
		servers: [{ url: "/", description: "This server" }],
		tags: [
			{ name: "Meta", description: "Probes." },
			{ name: "Accounts", description: "Sign-up (no key needed) and the account's settings." },
			{ name: "Credits", description: "The balance: a monthly allowance from the plan, plus purchased credits that never expire." },
			{ name: "Generation", description: "Template (or HTML) + JSON data to PDF: synchronously as bytes, base64 or a hosted URL, or as an async task." },
			{ name: "Files", description: "The account's hosted PDFs: listed until they expire, deletable at once." },
			{ name: "API keys", description: "pdfapi.dev's key management: live and test-mode keys; the full key is shown once, at creation." },
			{ name: "Usage", description: "What the account used this period (pdfapi.dev's usage object) and its log of generated documents." },
			{ name: "Templates", description: "The built-in gallery and the account's own Mustache templates, versioned." },
			{ name: "Assets", description: "The account's images and fonts for its templates and inline HTML, served to the renderer only." },
			{ name: "Sessions", description: "Email sign-in (a magic link) and the session cookie the pages use: who is signed in, sign-out, the member's sessions." },
			{ name: "Members", description: "The people of an account and their roles: owner, developer, viewer." },
			{ name: "Webhooks", description: "The secret that signs async tasks' webhook deliveries, and the account's webhook endpoints with their delivery logs." },
			{ name: "Admin", description: "Operator endpoints, authenticated by the ADMIN_TOKEN secret rather than an API key." },
		],
	});

	app.notFound((c) => c.json(errorBody(new ApiError("NOT_FOUND", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), c.var.requestId), 404));

	app.onError((err, c) => {
		const error =
			err instanceof ApiError
				? err
				: err instanceof HTTPException
					? fromHttpException(err)
					: isDependencyFailure(err)
						? new ApiError("SERVICE_UNAVAILABLE", "A service Quire depends on is unavailable; try again shortly", undefined, err)
						: new ApiError("INTERNAL", "Internal error", undefined, err);
		// A client error is the client's news, not the operator's: only 5xx are logged. A render
		// timeout is the document's own doing (a selector that never appears, a page too heavy),
		// so it is a warning rather than an error.
		if (error.code === "RENDER_TIMEOUT") log.warn("request_failed", { request_id: c.var.requestId, code: error.code }, error.internal ?? err);
		else if (error.status >= 500) log.error("request_failed", { request_id: c.var.requestId, code: error.code }, error.internal ?? err);
		const headers = { ...error.headers, "X-Request-Id": c.var.requestId ?? "" };
		return c.json(errorBody(error, c.var.requestId), error.status, headers);
	});

	return app;
}
