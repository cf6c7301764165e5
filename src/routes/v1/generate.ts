import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../auth/middleware";
import { RATE_LIMIT_DESCRIPTION, rateLimit } from "../../http/rate-limit";
import { setMetric, wrapTime } from "hono/timing";
import { requestRegion } from "../../rendering/fleet/request-region";
import { creditsFor } from "../../credits/client";
import { ApiError } from "../../http/errors";
import { idempotency, IdempotencyHeadersSchema } from "../../http/idempotency";
import { errorResponses, FailedResourcesSchema, SECURITY } from "../../http/schemas";
import type { App, AuthContext } from "../../http/app-env";
import { PageOptionsSchema } from "../../rendering/page-options";
import { PdfSpecSchema } from "../../pdf/spec";
import { RENDER_LIMIT_MS } from "../../rendering/render";
import { contentDisposition, filenameField } from "../../storage/pdfs";
import { checkRetention, ExpiresInHoursSchema, retentionHours } from "../../storage/retention";
import { Buffer } from "node:buffer";
import { newId } from "../../auth/api-key";
import { submitJob } from "../../jobs/submit";
import { checkWebhookTarget } from "../../jobs/signed-webhooks";
import { publicOrigin } from "../../http/public-origin";
import { TEST_DAILY_CAP } from "../../credits/credits";
import { type Generation, produce, reserve, settleGeneration, type Timer } from "../../generation/pipeline";
import { prepare } from "../../generation/prepare";
import { DocumentSourceSchema, MissingVariablesSchema, oneDocumentSource, TEMPLATE_DATA_DESCRIPTION, TemplateDataSchema } from "../../templates/schemas";

const GenerateSchema = oneDocumentSource(
	DocumentSourceSchema.extend({
		data: TemplateDataSchema.default({}).openapi({ description: TEMPLATE_DATA_DESCRIPTION, example: { client: "Acme Corp", total: "$564" } }),
		return_type: z.enum(["binary", "url", "base64"]).default("binary").openapi({ description: "`binary`: the PDF bytes; `url`: a hosted link; `base64`: JSON with the PDF in base64." }),
		async_mode: z
			.boolean()
			.default(false)
			.openapi({
				description: `Queue the job and answer 202 at once with a task to poll (\`check_status_url\`) or a webhook. Its render limit is longer: \`wait_timeout_ms\` + ${RENDER_LIMIT_MS.async / 1000} s (sync: + ${RENDER_LIMIT_MS.sync / 1000} s), for large documents.`,
			}),
		webhook_url: z
			.url()
			.max(2048)
			.optional()
			.openapi({ description: "Async mode only: where to POST the finished task, signed (`Quire-Signature`). A public http(s) URL; needs a webhook secret (POST /v1/webhook-secret)." }),
		options: PageOptionsSchema.default({}).openapi({ description: "Page options. A template's default options apply unless replaced here, option by option." }),
		pdf: PdfSpecSchema.optional().openapi({
			description:
				"What to do with the printed PDF (metadata, outline, tags, watermark, attachments, Factur-X, encryption; each part optional). A template's default `pdf` applies unless replaced here, part by part. Checked before anything is charged.",
		}),
		javascript: z
			.boolean()
			.optional()
			.openapi({
				description:
					"Run the page's scripts (charts, for instance). Default: the account's setting (`PATCH /v1/account`), which is `true` unless changed. `false`: no script of the document runs.",
				example: false,
			}),
		test: z
			.boolean()
			.default(false)
			.openapi({
				description:
					"DocRaptor's `test: true`: this one request is test mode, as if made with a `qk_test_` key: a TEST watermark on every page, no credit spent, counted against the account's test-mode daily cap. `false` with a test-mode key stays test mode: a test key never spends credits.",
				example: true,
			}),
		fail_on_resource_error: z
			.boolean()
			.default(false)
			.openapi({
				description:
					"Refuse a document whose resources did not all load: any entry of `failed_resources` (an HTTP error, a network error, or still loading at `wait_timeout_ms`) makes it 422 `RESOURCE_FAILED`, listing them in `details.failed_resources`, and nothing is charged (async: the task fails). Resources the outbound guard blocked don't count. Default `false`: the PDF is made without them, and they are reported.",
				example: true,
			}),
		dry_run: z
			.boolean()
			.default(false)
			.openapi({ description: "Check everything (template, schema, options, credits) and answer what the document would cost, without rendering or charging." }),
		filename: filenameField("The PDF's file name, without control characters. Default: the template's name, or `document.pdf`. Without `.pdf`, also the PDF's title when the HTML has no `<title>` and the template no name.", "invoice-42.pdf"),
		strict: z
			.boolean()
			.default(false)
			.openapi({
				description:
					"`true`: a template variable `data` lacks (see `missing_variables`) is a 400 `VALIDATION_ERROR` listing each as `data.<path>`, before anything is charged. `false`: it renders blank and is reported.",
				example: true,
			}),
		expires_in_hours: ExpiresInHoursSchema.optional(),
		metadata: z
			.record(z.string(), z.unknown())
			.refine((m) => JSON.stringify(m).length <= 8192, "metadata must be at most 8 KB as JSON")
			.optional()
			.openapi({ description: "Echoed back in task status and webhooks (async mode). At most 8 KB as JSON." }),
	}),
)
	// Inline rather than a named component: openapi-typescript types a `default` as always present
	// in a component schema, but as optional in an inline request body (where the server fills it in).
	.openapi({ example: { template_id: "invoices/invoice", data: { client: "Acme Corp", total: "$564" }, return_type: "url" } });

const CreditsLeftSchema = z.number().int().openapi({ description: "Credits left after this document (also in `X-Credits-Left`).", example: 48 });
const ResponseTimeSchema = z.number().int().openapi({ description: "Time spent on the request, in milliseconds (also in `X-Response-Time-Ms`).", example: 812 });

const BlockedSchema = z
	.array(z.string())
	.optional()
	.openapi({ description: "Resources the page asked for that Quire refused to load (private, loopback, link-local or metadata addresses; up to 20). Also counted in the `X-Blocked-Resources` header." });

const FailedSchema = FailedResourcesSchema.optional()
	.openapi({
		description:
			"Resources the page asked for that did not load, with why (up to 20); the PDF was made without them. Absent when everything loaded. Also counted in the `X-Failed-Resources` header. `fail_on_resource_error: true` turns them into a 422 instead.",
	});

const UrlResponseSchema = z
	.object({
		url: z.string().openapi({ description: "Where to download the PDF (GET /upload/…); no API key needed, the random name is the capability.", example: "https://quire.example/upload/acc_3kTz9QmW1xYbVc2L/k3J9cQ2mXw4RtZ1aBb7LpN.pdf" }),
		credits_left: CreditsLeftSchema,
		response_time_ms: ResponseTimeSchema,
		expires_at: z.string().openapi({ description: "After this instant the URL answers 404 (ISO 8601, UTC): `expires_in_hours` after rendering (default: the account's, else the server's retention). DELETE /v1/files/{id} ends it sooner.", example: "2026-11-22T10:30:00.000Z" }),
		blocked_resources: BlockedSchema,
		failed_resources: FailedSchema,
		missing_variables: MissingVariablesSchema,
	})
	.openapi("GenerateUrlResponse", { description: "The answer to `return_type: \"url\"`: the only one with `url`." });

const TaskQueuedSchema = z
	.object({
		task_id: z.string().openapi({ description: "The task's id.", example: "task_3kTz9QmW1xYbVc2L" }),
		status: z.literal("queued").openapi({ description: "Always `queued`: the job waits in the queue.", example: "queued" }),
		check_status_url: z.string().openapi({ description: "Absolute URL of GET /v1/tasks/<task_id>.", example: "https://quire.example/v1/tasks/task_3kTz9QmW1xYbVc2L" }),
	})
	.openapi("TaskQueued");

const DryRunResponseSchema = z
	.object({
		dry_run: z.literal(true).openapi({ description: "Always `true`: nothing was rendered or charged.", example: true }),
		valid: z.literal(true).openapi({ description: "The request passed every check a real one goes through before rendering." }),
		credits_required: z.number().int().openapi({ description: "What the document would cost: 1, or 0 with a test-mode key." }),
		credits_left: z.number().int().openapi({ description: "The balance now; nothing was charged." }),
		test_documents_left: z.number().int().optional().openapi({ description: "Test-mode keys: documents left today under the daily cap." }),
		missing_variables: MissingVariablesSchema,
	})
	.openapi("GenerateDryRunResponse", { description: "The answer to `dry_run: true`, whatever `return_type`: the only one with `dry_run`." });

const Base64ResponseSchema = z
	.object({
		pdf_base64: z.string().openapi({ description: "The PDF, base64-encoded.", example: "JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoK…" }),
		credits_left: CreditsLeftSchema,
		response_time_ms: ResponseTimeSchema,
		blocked_resources: BlockedSchema,
		failed_resources: FailedSchema,
		missing_variables: MissingVariablesSchema,
	})
	.openapi("GenerateBase64Response", { description: "The answer to `return_type: \"base64\"`: the only one with `pdf_base64`." });

/**
 * The JSON answers of a 200, one of three: each has a property the others lack (`url`,
 * `pdf_base64`, `dry_run`), so a typed client tells them apart with `"url" in answer`.
 */
const GenerateJsonResponseSchema = z
	.union([UrlResponseSchema, Base64ResponseSchema, DryRunResponseSchema])
	.openapi(
		"GenerateJsonResponse",
		{ description: "`return_type: \"url\"` → GenerateUrlResponse, `\"base64\"` → GenerateBase64Response; `dry_run: true` → GenerateDryRunResponse." },
		{ unionPreferredType: "oneOf" },
	);

const route = createRoute({
	method: "post",
	path: "/v1/generate",
	tags: ["Generation"],
	operationId: "generatePdf",
	summary: "Generate a PDF",
	description:
		"Renders a template (or inline HTML) with `data` into a PDF. Costs one credit, reserved before rendering and refunded if rendering fails. " +
		"With a test-mode key (`qk_test_…`), or `test: true`, it costs nothing, every page carries a diagonal TEST watermark, and the account may make a limited number a day (429 past it). " +
		"`return_type` selects the response: PDF bytes (default), `{url, …}` or `{pdf_base64, …}`. " +
		"Each document made (or failed after its credit was reserved) is written to the generation log (GET /v1/generations) just after the response. " +
		"`dry_run: true` runs every check and answers `{dry_run, valid, credits_required, credits_left}` without rendering or charging. " +
		"Send an `Idempotency-Key` to retry safely: a retry with the same key and body replays the first response (`Idempotent-Replayed: true`) and charges nothing. " +
		`Every document has a render limit: \`wait_timeout_ms\` plus ${RENDER_LIMIT_MS.sync / 1000} s in sync mode, plus ${RENDER_LIMIT_MS.async / 1000} s in async mode. Past it the page is stopped, whatever its scripts are doing: 504 \`RENDER_TIMEOUT\` (or a failed task), and it is charged, since it used its whole render time. ` +
		"`javascript: false` (or the account's setting) renders with no script running. " +
		"Template variables `data` lacks render blank and are listed in `missing_variables` (counted in `X-Missing-Variables`); `strict: true` refuses them with a 400. " +
		"HTML without a `<title>` gets one, which titles the PDF: the template's name, else `filename` without `.pdf`, else `Document`. " +
		`${RATE_LIMIT_DESCRIPTION} A synchronous render past the plan's concurrent renders is 429 \`CONCURRENCY_LIMITED\` (with \`Retry-After\`); queued async jobs don't count.`,
	security: SECURITY,
	middleware: [apiKeyAuth({ nearby: true }), rateLimit({ countedByHandler: true }), idempotency()] as const,
	request: { headers: IdempotencyHeadersSchema, body: { required: true, content: { "application/json": { schema: GenerateSchema } } } },
	responses: {
		200: {
			// One status with two media types, since DokJet answers both with 200: a typed client picks
			// the media type it asked for (`return_type`), and then has one type (bytes) or a union it
			// narrows by property (GenerateJsonResponse).
			description:
				"`return_type: \"binary\"` (the default): the PDF as `application/pdf`, with `X-Credits-Left`, `X-Response-Time-Ms`, `Content-Disposition`, and `X-Failed-Resources`, `X-Blocked-Resources` and `X-Missing-Variables` counts when there are any. " +
				"`\"url\"`, `\"base64\"` or `dry_run: true`: `application/json`, one of the GenerateJsonResponse answers.",
			content: {
				"application/pdf": { schema: z.string().openapi({ format: "binary", description: "The PDF's bytes (`return_type: \"binary\"`)." }) },
				"application/json": { schema: GenerateJsonResponseSchema },
			},
		},
		202: { description: "`async_mode: true`: the job is queued", content: { "application/json": { schema: TaskQueuedSchema } } },
		...errorResponses(400, 401, 402, 404, 409, 413, 422, 429, 502, 503, 504),
	},
});

export function registerGenerate(app: App) {
	app.openapi(route, async (c) => {
		const body = c.req.valid("json");
		// `test: true` makes this one request test mode, exactly as a test-mode key would.
		const auth: AuthContext = body.test ? { ...c.var.auth, mode: "test" } : c.var.auth;
		const { accountId, mode } = auth;
		// Sync documents render in the region nearest the client; async ones where they were submitted from.
		const region = requestRegion(c.req.raw, c.env);
		const renderFor = { accountId, plan: auth.plan, blockRemote: auth.blockRemote, javascript: body.javascript ?? auth.javascript, mode, failOnResourceError: body.fail_on_resource_error, region };

		// Everything the client can get wrong is checked before a credit is reserved.
		const { document, templateId, missing } = await prepare(c.var.db, accountId, body);
		// Blank variables are said, like blocked resources: in JSON answers and as a count header.
		const missingVariables = missing.length > 0 ? { missing_variables: missing } : {};
		const missingHeader: Record<string, string> = missing.length > 0 ? { "X-Missing-Variables": String(missing.length) } : {};
		const origin = publicOrigin(c.env, c.req.url);

		if (body.webhook_url && !body.async_mode) throw fieldError("webhook_url", "webhook_url needs async_mode: true");
		if (body.webhook_url) await checkWebhookTarget(c.env, c.var.db, accountId, body.webhook_url);
		if (body.expires_in_hours !== undefined && body.return_type !== "url" && !body.async_mode) throw fieldError("expires_in_hours", 'needs return_type: "url" or async_mode: true (only hosted PDFs expire)');
		checkRetention(c.env, "expires_in_hours", body.expires_in_hours);
		const expiresInHours = retentionHours(c.env, body.expires_in_hours, auth.expiresInHours);
		if (body.dry_run) return c.json({ ...(await dryRun(c.env, auth)), ...missingVariables }, 200, missingHeader);

		if (body.async_mode) {
			const taskId = newId("task");
			const { blockRemote, javascript, failOnResourceError } = renderFor;
			const input = { ...document, origin, blockRemote, javascript, failOnResourceError, expiresInHours, region };
			const submission = { taskId, input, webhookUrl: body.webhook_url, metadata: body.metadata, templateId: templateId ?? undefined, missingVariables: missing };
			const { rate } = await submitJob(c.env, c.var.db, auth, submission);
			c.set("rate", rate);
			return c.json({ task_id: taskId, status: "queued" as const, check_status_url: `${origin}/v1/tasks/${taskId}` }, 202, missingHeader);
		}

		// The hot path: one Durable Object call for the credit (which also counts the request against
		// the plan's rate and concurrency), one for the render, R2 only for `url`.
		const requestId = c.var.requestId;
		const { creditsLeft, rate } = await wrapTime(c, "credits", reserve(c.env, requestId, auth, { sync: true }));
		c.set("rate", rate);
		const generation: Generation = { id: requestId, accountId, keyId: auth.keyId, mode, source: "sync", templateId, createdAt: new Date(c.var.startedAt).toISOString(), region };
		// Whichever comes first decides the outcome: the client leaving, or the document being made.
		let decided = false;
		const decide = () => !decided && (decided = true);
		// A client that leaves before its PDF is ready gets nothing, so pays nothing. The handler may be
		// cancelled along with the request, so the refund hangs on the request's abort signal and runs in waitUntil.
		c.req.raw.signal.addEventListener(
			"abort",
			() => {
				if (decide()) c.executionCtx.waitUntil(settleGeneration(c.env, c.var.db, generation, { status: "failed", errorCode: "CLIENT_CLOSED", charged: false }));
			},
			{ once: true },
		);
		const time: Timer = (step, work) => wrapTime(c, step, work);
		const { result, concluded, settled } = await produce(c.env, c.var.db, { document, renderFor: { ...renderFor, async: false }, generation, store: body.return_type === "url" ? { expiresInHours, requestId } : null, conclude: decide, time });
		// The client left (and was refunded): no one reads this answer, and a 5xx releases an Idempotency-Key.
		if (!concluded) throw new ApiError("SERVICE_UNAVAILABLE", "The client closed the request before the PDF was ready; nothing was charged");
		if (!result.ok) {
			// Refunded before the answer, so a retry sees its credit back (if even the refund can't reach the object, its alarm refunds).
			await settled;
			throw result.error;
		}
		// Committed after the response.
		c.executionCtx.waitUntil(settled);
		const made = result.made;
		setMetric(c, "renderer", made.renderer);

		const responseTimeMs = Date.now() - c.var.startedAt;
		const headers: Record<string, string> = { "X-Credits-Left": String(creditsLeft), "X-Response-Time-Ms": String(responseTimeMs), ...missingHeader };
		// What the outbound guard kept the page from loading is said, not silently dropped.
		const blocked = made.blocked.length > 0 ? { blocked_resources: made.blocked } : {};
		if (made.blocked.length > 0) headers["X-Blocked-Resources"] = String(made.blocked.length);
		// So are the resources that failed to load: the PDF lacks them.
		const failed = made.failed.length > 0 ? { failed_resources: made.failed } : {};
		if (made.failed.length > 0) headers["X-Failed-Resources"] = String(made.failed.length);
		if (made.stored) {
			const url = `${origin}/upload/${made.stored.key}`;
			const expiresAt = made.stored.expiresAt.toISOString();
			return c.json({ url, credits_left: creditsLeft, response_time_ms: responseTimeMs, expires_at: expiresAt, ...blocked, ...failed, ...missingVariables }, 200, headers);
		}
		if (body.return_type === "base64") {
			const pdfBase64 = Buffer.from(made.pdf).toString("base64");
			return c.json({ pdf_base64: pdfBase64, credits_left: creditsLeft, response_time_ms: responseTimeMs, ...blocked, ...failed, ...missingVariables }, 200, headers);
		}
		return c.body(made.pdf, 200, { ...headers, "Content-Type": "application/pdf", "Content-Disposition": contentDisposition(document.filename) });
	});
}

function fieldError(path: string, message: string): ApiError {
	return new ApiError("VALIDATION_ERROR", `${path}: ${message}`, { fields: [{ path, message }] });
}


/** What a document would cost, and the balance now, without charging anything. */
async function dryRun(env: Env, { accountId, mode, keyId, plan }: AuthContext) {
	const balance = await creditsFor(env, accountId)
		.balance(plan, keyId)
		.catch((cause: unknown) => {
			throw new ApiError("SERVICE_UNAVAILABLE", "The credits service is unavailable", undefined, cause);
		});
	// The key was read nearby, and a replica may not know yet that it was deleted: the object does.
	if (!balance) throw new ApiError("UNAUTHORIZED", "Invalid API key");
	const test = mode === "test" ? { test_documents_left: Math.max(0, TEST_DAILY_CAP - balance.test_used_today) } : {};
	return { dry_run: true as const, valid: true as const, credits_required: mode === "test" ? 0 : 1, credits_left: balance.credits_left, ...test };
}
