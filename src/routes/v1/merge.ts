import { requestRegion } from "../../rendering/fleet/request-region";
import { createRoute, z } from "@hono/zod-openapi";
import { Buffer } from "node:buffer";
import { wrapTime } from "hono/timing";
import { apiKeyAuth } from "../../auth/middleware";
import { newId } from "../../auth/api-key";
import { creditsFor, reserveCredit } from "../../credits/client";
import { type Generation, produce, settleGeneration, type Timer } from "../../generation/pipeline";
import { pdfFilename } from "../../generation/prepare";
import { ApiError } from "../../http/errors";
import { idempotency, IdempotencyHeadersSchema } from "../../http/idempotency";
import { publicOrigin } from "../../http/public-origin";
import { RATE_LIMIT_DESCRIPTION, rateLimit } from "../../http/rate-limit";
import { errorResponses, SECURITY } from "../../http/schemas";
import type { App, AuthContext } from "../../http/app-env";
import { submitJob } from "../../jobs/submit";
import { checkWebhookTarget } from "../../jobs/signed-webhooks";
import { makeMerged, MAX_MERGE_DOCUMENTS } from "../../merge/make";
import { prepareParts } from "../../merge/parts";
import { checkPdfSpec, PdfSpecSchema } from "../../pdf/spec";
import { MAX_PAGES, MAX_PDF_BYTES, RENDER_LIMIT_MS } from "../../rendering/render";
import { contentDisposition, filenameField } from "../../storage/pdfs";
import { checkRetention, ExpiresInHoursSchema, retentionHours } from "../../storage/retention";
import { MergeDocumentSchema } from "../../merge/schemas";

const MergeSchema = z
	.object({
		documents: z
			.array(MergeDocumentSchema)
			.min(1)
			.max(MAX_MERGE_DOCUMENTS)
			.openapi({ description: `1 to ${MAX_MERGE_DOCUMENTS} documents, merged in this order: each a render (\`template_id\` or \`html\`, with its own \`data\`, \`options\` and \`pdf\`) or a PDF this account already has stored (\`{"url": …}\`).` }),
		pdf: PdfSpecSchema.optional().openapi({ description: "Finishing of the merged PDF (metadata, watermark, attachments, encryption…), applied once, after merging. A document's own `pdf` applies to that document before it is merged." }),
		return_type: z.enum(["binary", "url", "base64"]).default("binary").openapi({ description: "`binary`: the PDF bytes; `url`: a hosted link; `base64`: JSON with the PDF in base64." }),
		async_mode: z.boolean().default(false).openapi({ description: "Queue the merge and answer 202 at once with a task to poll (`check_status_url`, GET /v1/tasks/{id}) or a webhook, as POST /v1/generate does." }),
		webhook_url: z.url().max(2048).optional().openapi({ description: "Async mode only: where to POST the finished task, signed (`Quire-Signature`), as for POST /v1/generate." }),
		expires_in_hours: ExpiresInHoursSchema.optional(),
		filename: filenameField("The merged PDF's file name. Default: `merged.pdf`.", "invoices-november.pdf"),
		javascript: z.boolean().optional().openapi({ description: "Run the rendered documents' scripts. Default: the account's setting." }),
		test: z.boolean().default(false).openapi({ description: "Test mode for this request, as with a `qk_test_` key: TEST on every rendered page, no credit spent (one test-mode document per rendered document)." }),
		fail_on_resource_error: z.boolean().default(false).openapi({ description: "A resource that failed to load fails the document it belongs to, and so the merge (422 `RESOURCE_FAILED`, nothing charged)." }),
		metadata: z
			.record(z.string(), z.unknown())
			.refine((m) => JSON.stringify(m).length <= 8192, "metadata must be at most 8 KB as JSON")
			.optional()
			.openapi({ description: "Echoed back in task status and webhooks (async mode). At most 8 KB as JSON." }),
	})
	.openapi({
		example: {
			documents: [{ template_id: "invoices/invoice", data: { client: "Acme Corp" } }, { html: "<h1>Terms</h1>" }, { url: "https://quire.example/upload/acc_3kTz9QmW1xYbVc2L/k3J9cQ2mXw4RtZ1aBb7LpN.pdf" }],
			return_type: "url",
		},
	});

const MergeJsonSchema = z
	.object({
		url: z.string().optional().openapi({ description: "`return_type: \"url\"`: where to download the merged PDF (GET /upload/…), until `expires_at`." }),
		expires_at: z.string().optional().openapi({ description: "`return_type: \"url\"`: when `url` stops answering (ISO 8601, UTC)." }),
		pdf_base64: z.string().optional().openapi({ description: "`return_type: \"base64\"`: the merged PDF, base64-encoded." }),
		pages: z.number().int().openapi({ description: "The merged PDF's page count (also in `X-Pages`).", example: 5 }),
		credits_left: z.number().int().openapi({ description: "Credits left after this merge (also in `X-Credits-Left`).", example: 47 }),
		credits_charged: z.number().int().openapi({ description: "Credits this merge cost: one per rendered document (0 in test mode; stored PDFs are free).", example: 2 }),
		response_time_ms: z.number().int().openapi({ description: "Time spent on the request, in milliseconds.", example: 1840 }),
	})
	.openapi("MergeResponse", { description: "The answer to `return_type: \"url\"` (with `url`) or `\"base64\"` (with `pdf_base64`)." });

const MergeQueuedSchema = z.object({
	task_id: z.string().openapi({ description: "The task's id.", example: "task_3kTz9QmW1xYbVc2L" }),
	status: z.literal("queued").openapi({ description: "Always `queued`.", example: "queued" }),
	check_status_url: z.string().openapi({ description: "Absolute URL of GET /v1/tasks/<task_id>.", example: "https://quire.example/v1/tasks/task_3kTz9QmW1xYbVc2L" }),
});

const route = createRoute({
	method: "post",
	path: "/v1/merge",
	tags: ["Generation"],
	operationId: "mergePdfs",
	summary: "Merge documents into one PDF",
	description:
		`Renders each document (as POST /v1/generate would) and appends PDFs the account already has stored (\`{"url": …}\`, its own and unexpired), then merges them into one PDF, in the order given, each page keeping its size. Up to ${MAX_MERGE_DOCUMENTS} documents; the result is bounded like any document (${MAX_PAGES} pages, ${MAX_PDF_BYTES / 1024 / 1024} MB: 422 \`DOCUMENT_TOO_LARGE\`). ` +
		"Costs one credit per rendered document, reserved together before rendering; stored PDFs are free. All or nothing: if any part fails, the merge fails with that part's error (its index in the message, its fields as `documents.<i>.…`) and every credit is refunded. " +
		"`pdf` finishes the merged result. `return_type` and `async_mode` work as on POST /v1/generate (an async merge is a task, GET /v1/tasks/{id}). " +
		`Sync merges share generate's render limit per document (\`wait_timeout_ms\` + ${RENDER_LIMIT_MS.sync / 1000} s); for many or heavy documents, use \`async_mode\`. ${RATE_LIMIT_DESCRIPTION}`,
	security: SECURITY,
	middleware: [apiKeyAuth({ nearby: true }), rateLimit({ countedByHandler: true }), idempotency()] as const,
	request: { headers: IdempotencyHeadersSchema, body: { required: true, content: { "application/json": { schema: MergeSchema } } } },
	responses: {
		200: {
			description: "`return_type: \"binary\"` (the default): the merged PDF, with `X-Credits-Left`, `X-Pages`, `X-Response-Time-Ms` and `Content-Disposition`. `\"url\"` or `\"base64\"`: JSON.",
			content: {
				"application/pdf": { schema: z.string().openapi({ format: "binary", description: "The merged PDF's bytes." }) },
				"application/json": { schema: MergeJsonSchema },
			},
		},
		202: { description: "`async_mode: true`: the merge is queued as a task", content: { "application/json": { schema: MergeQueuedSchema } } },
		...errorResponses(400, 401, 402, 404, 409, 413, 422, 429, 502, 503, 504),
	},
});

export function registerMerge(app: App) {
	app.openapi(route, async (c) => {
		const body = c.req.valid("json");
		const auth: AuthContext = body.test ? { ...c.var.auth, mode: "test" } : c.var.auth;
		const { accountId } = auth;
		// Rendered in the region nearest the client (async: recorded for the consumer), as generate does.
		const region = requestRegion(c.req.raw, c.env);
		const renderFor = { accountId, plan: auth.plan, blockRemote: auth.blockRemote, javascript: body.javascript ?? auth.javascript, mode: auth.mode, failOnResourceError: body.fail_on_resource_error, region };

		// Everything the client can get wrong is checked before a credit is reserved.
		const { parts, rendered } = await prepareParts(c.env, c.var.db, accountId, body.documents);
		checkPdfSpec(body.pdf);
		if (body.webhook_url && !body.async_mode) throw new ApiError("VALIDATION_ERROR", "webhook_url: needs async_mode: true", { fields: [{ path: "webhook_url", message: "needs async_mode: true" }] });
		if (body.webhook_url) await checkWebhookTarget(c.env, c.var.db, accountId, body.webhook_url);
		if (body.expires_in_hours !== undefined && body.return_type !== "url" && !body.async_mode) {
			const message = 'needs return_type: "url" or async_mode: true (only hosted PDFs expire)';
			throw new ApiError("VALIDATION_ERROR", `expires_in_hours: ${message}`, { fields: [{ path: "expires_in_hours", message }] });
		}
		checkRetention(c.env, "expires_in_hours", body.expires_in_hours);
		const expiresInHours = retentionHours(c.env, body.expires_in_hours, auth.expiresInHours);
		const filename = pdfFilename(body.filename ?? "merged");
		const origin = publicOrigin(c.env, c.req.url);

		if (body.async_mode) {
			const taskId = newId("task");
			const { blockRemote, javascript, failOnResourceError } = renderFor;
			// The merged result's `pdf` and file name; the parts carry their own documents.
			const input = { html: "", options: {}, ...(body.pdf ? { pdf: body.pdf } : {}), filename, merge: parts, origin, blockRemote, javascript, failOnResourceError, expiresInHours, region };
			const submission = { taskId, input, credits: rendered, webhookUrl: body.webhook_url, metadata: body.metadata };
			const { rate } = await submitJob(c.env, c.var.db, auth, submission);
			c.set("rate", rate);
			return c.json({ task_id: taskId, status: "queued" as const, check_status_url: `${origin}/v1/tasks/${taskId}` }, 202);
		}

		// One reservation for every rendered document: all or nothing (a merge of stored PDFs only reserves 0).
		const requestId = c.var.requestId;
		const { creditsLeft, rate } = await wrapTime(c, "credits", reserveCredit(creditsFor(c.env, accountId), requestId, auth, { sync: true, amount: rendered }));
		c.set("rate", rate);
		const generation: Generation = { id: requestId, accountId, keyId: auth.keyId, mode: auth.mode, source: "sync", templateId: null, createdAt: new Date(c.var.startedAt).toISOString(), region };
		// As on POST /v1/generate: a client that leaves before the PDF is ready pays nothing.
		let decided = false;
		const decide = () => !decided && (decided = true);
		c.req.raw.signal.addEventListener(
			"abort",
			() => {
				if (decide()) c.executionCtx.waitUntil(settleGeneration(c.env, c.var.db, generation, { status: "failed", errorCode: "CLIENT_CLOSED", charged: false }));
			},
			{ once: true },
		);
		const time: Timer = (step, work) => wrapTime(c, step, work);
		const { result, concluded, settled } = await produce(c.env, c.var.db, {
			document: { html: "", options: {}, filename },
			render: () => makeMerged(c.env, parts, { ...renderFor, async: false }, body.pdf),
			renderFor: { ...renderFor, async: false },
			generation,
			store: body.return_type === "url" ? { expiresInHours, requestId } : null,
			conclude: decide,
			time,
		});
		if (!concluded) throw new ApiError("SERVICE_UNAVAILABLE", "The client closed the request before the PDF was ready; nothing was charged");
		if (!result.ok) {
			await settled;
			throw result.error;
		}
		c.executionCtx.waitUntil(settled);
		const made = result.made;
		const responseTimeMs = Date.now() - c.var.startedAt;
		const charged = auth.mode === "test" ? 0 : rendered;
		const headers = { "X-Credits-Left": String(creditsLeft), "X-Pages": String(made.pages), "X-Response-Time-Ms": String(responseTimeMs) };
		const summary = { pages: made.pages, credits_left: creditsLeft, credits_charged: charged, response_time_ms: responseTimeMs };
		if (made.stored) return c.json({ url: `${origin}/upload/${made.stored.key}`, expires_at: made.stored.expiresAt.toISOString(), ...summary }, 200, headers);
		if (body.return_type === "base64") return c.json({ pdf_base64: Buffer.from(made.pdf).toString("base64"), ...summary }, 200, headers);
		return c.body(made.pdf, 200, { ...headers, "Content-Type": "application/pdf", "Content-Disposition": contentDisposition(filename) });
	});
}
