import { requestRegion } from "../../../rendering/fleet/request-region";
import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { newId } from "../../../auth/api-key";
import { MAX_BATCH_DOCUMENTS } from "../../../batch/batches";
import { MAX_BATCH_OUTPUT_BYTES } from "../../../batch/complete";
import { submitBatch, type BatchDocumentJob } from "../../../batch/submit";
import type { Db } from "../../../db";
import { prepare } from "../../../generation/prepare";
import { idempotency, IdempotencyHeadersSchema } from "../../../http/idempotency";
import { publicOrigin } from "../../../http/public-origin";
import { RATE_LIMIT_DESCRIPTION, rateLimit } from "../../../http/rate-limit";
import { errorResponses, SECURITY } from "../../../http/schemas";
import type { App, AuthContext } from "../../../http/app-env";
import { checkWebhookTarget } from "../../../jobs/signed-webhooks";
import { ofPart } from "../../../merge/make";
import { encryptedPart } from "../../../merge/parts";
import { BatchDocumentSchema, type BatchDocument } from "../../../merge/schemas";
import { filenameField } from "../../../storage/pdfs";
import { checkRetention, ExpiresInHoursSchema, retentionHours } from "../../../storage/retention";

const BatchRequestSchema = z
	.object({
		documents: z.array(BatchDocumentSchema).min(1).max(MAX_BATCH_DOCUMENTS).openapi({ description: `1 to ${MAX_BATCH_DOCUMENTS} documents, each what POST /v1/generate takes for one (a template or \`html\`, \`data\`, \`options\`, \`pdf\`), with its own \`filename\` and \`metadata\`.` }),
		output: z
			.enum(["zip", "merged"])
			.optional()
			.openapi({ description: `Also one file with every **succeeded** document (failed ones are left out), in the batch's order: \`zip\` (their PDFs, named \`001-<filename>\`, …) or \`merged\` (one PDF). At most ${MAX_BATCH_OUTPUT_BYTES / 1024 / 1024} MB (a merged one also at most 500 pages); past that the batch completes with \`output_error\` instead.` }),
		output_filename: filenameField("The output file's name. Default: `batch.zip` or `batch.pdf`.", "november.zip"),
		expires_in_hours: ExpiresInHoursSchema.optional().openapi({ description: "How long each document's PDF, and the output file, stay downloadable, in hours (as on POST /v1/generate). Default: the account's, else the server's." }),
		webhook_url: z.url().max(2048).optional().openapi({ description: "Where to POST the batch object once, when the whole batch has completed, signed (`Quire-Signature`) exactly like task webhooks. Documents send no webhook of their own." }),
		javascript: z.boolean().optional().openapi({ description: "Run the documents' scripts. Default: the account's setting." }),
		test: z.boolean().default(false).openapi({ description: "Test mode for the whole batch, as with a `qk_test_` key: TEST on every page, no credit spent; each document counts against the test-mode daily cap." }),
		fail_on_resource_error: z.boolean().default(false).openapi({ description: "A resource that failed to load fails its document (RESOURCE_FAILED, refunded)." }),
		metadata: z
			.record(z.string(), z.unknown())
			.refine((m) => JSON.stringify(m).length <= 8192, "metadata must be at most 8 KB as JSON")
			.optional()
			.openapi({ description: "Echoed back in the batch object and its webhook. At most 8 KB as JSON." }),
	})
	.openapi({ example: { documents: [{ template_id: "invoices/invoice", data: { client: "Acme Corp" }, filename: "acme.pdf" }, { template_id: "invoices/invoice", data: { client: "Globex" }, filename: "globex.pdf" }], output: "zip" } });

const BatchQueuedSchema = z
	.object({
		batch_id: z.string().openapi({ description: "The batch's id.", example: "batch_3kTz9QmW1xYbVc2L" }),
		status: z.literal("queued").openapi({ description: "Always `queued`." }),
		total: z.number().int().openapi({ description: "Documents queued.", example: 2 }),
		check_status_url: z.string().openapi({ description: "Absolute URL of GET /v1/batches/<batch_id>.", example: "https://quire.example/v1/batches/batch_3kTz9QmW1xYbVc2L" }),
		documents: z
			.array(
				z.object({
					index: z.number().int().openapi({ description: "The document's place in the request's `documents`, from 0.", example: 0 }),
					task_id: z.string().openapi({ description: "Its task (GET /v1/tasks/{id}).", example: "task_3kTz9QmW1xYbVc2L" }),
				}),
			)
			.openapi({ description: "Each document's task, in the request's order." }),
	})
	.openapi("BatchQueued");

const route = createRoute({
	method: "post",
	path: "/v1/batch",
	tags: ["Generation"],
	operationId: "createBatch",
	summary: "Generate up to 100 documents in one request",
	description:
		`Always async: answers 202 with a \`batch_id\` at once; GET /v1/batches/{id} follows it. Each document is an ordinary async task (GET /v1/tasks/{id}), charged one credit and refunded if it fails, exactly as POST /v1/generate with \`async_mode\`. ` +
		`Every document's credit is reserved up front, all or nothing: a batch the balance can't cover is refused whole (402) and nothing is charged; so is one with any invalid document (400 naming \`documents.<i>.<field>\`). ` +
		`When every document has finished, the batch is \`completed\` with \`succeeded\` and \`failed\` counts, and its one webhook (if \`webhook_url\`) is sent. ${RATE_LIMIT_DESCRIPTION} The batch counts as one request.`,
	security: SECURITY,
	middleware: [apiKeyAuth({ nearby: true }), rateLimit({ countedByHandler: true }), idempotency()] as const,
	request: { headers: IdempotencyHeadersSchema, body: { required: true, content: { "application/json": { schema: BatchRequestSchema } } } },
	responses: {
		202: { description: "The batch is queued", content: { "application/json": { schema: BatchQueuedSchema } } },
		...errorResponses(400, 401, 402, 404, 409, 413, 422, 429, 503),
	},
});

export function registerCreateBatch(app: App) {
	app.openapi(route, async (c) => {
		const body = c.req.valid("json");
		const auth: AuthContext = body.test ? { ...c.var.auth, mode: "test" } : c.var.auth;
		const origin = publicOrigin(c.env, c.req.url);
		if (body.webhook_url) await checkWebhookTarget(c.env, c.var.db, auth.accountId, body.webhook_url);
		checkRetention(c.env, "expires_in_hours", body.expires_in_hours);
		const expiresInHours = retentionHours(c.env, body.expires_in_hours, auth.expiresInHours);
		// Each document renders in the region nearest the client that sent the batch, as an async generate does.
		const render = { origin, blockRemote: auth.blockRemote, javascript: body.javascript ?? auth.javascript, failOnResourceError: body.fail_on_resource_error, expiresInHours, region: requestRegion(c.req.raw, c.env) };
		// The merged output can't take an encrypted document: refused now rather than found missing at the end.
		const encrypted = body.output === "merged" ? body.documents.findIndex((d) => d.pdf?.encryption) : -1;
		if (encrypted >= 0) throw encryptedPart(encrypted);
		const documents = await prepareDocuments(c.var.db, auth.accountId, body.documents, render);

		const batchId = newId("batch");
		const { reserved, taskIds } = await submitBatch(c.env, c.var.db, auth, { batchId, documents, output: body.output, outputFilename: body.output_filename, expiresInHours, webhookUrl: body.webhook_url, metadata: body.metadata });
		c.set("rate", reserved.rate);
		return c.json(
			{ batch_id: batchId, status: "queued" as const, total: taskIds.length, check_status_url: `${origin}/v1/batches/${batchId}`, documents: taskIds.map((taskId, index) => ({ index, task_id: taskId })) },
			202,
		);
	});
}

/**
 * Every document checked and prepared through the pipeline's `prepare`, before anything is
 * reserved; the first invalid one (by index) refuses the batch, its fields as `documents.<i>.…`.
 */
async function prepareDocuments(db: Db, accountId: string, documents: BatchDocument[], render: { origin: string; blockRemote: boolean; javascript: boolean; failOnResourceError: boolean; expiresInHours: number }): Promise<BatchDocumentJob[]> {
	const settled = await Promise.allSettled(
		documents.map(async ({ metadata, data = {}, ...request }) => {
			const { document, templateId, missing } = await prepare(db, accountId, { ...request, data });
			return { input: { ...document, ...render }, templateId, missingVariables: missing, metadata };
		}),
	);
	const refused = settled.findIndex((result) => result.status === "rejected");
	if (refused >= 0) throw ofPart((settled[refused] as PromiseRejectedResult).reason, refused);
	return settled.map((result) => (result as PromiseFulfilledResult<BatchDocumentJob>).value);
}
