import { foreignKey, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const accounts = sqliteTable("accounts", {
	id: text("id").primaryKey(),
	email: text("email").notNull().unique(),
	plan: text("plan").notNull().default("free"),
	createdAt: text("created_at").notNull(),
	/**
	 * The webhook secret is derived (HMAC of WEBHOOK_SECRET_KEY over account id and generation),
	 * never stored: rotating it bumps the generation. 0 = none created yet.
	 */
	webhookSecretGeneration: integer("webhook_secret_generation").notNull().default(0),
	webhookSecretCreatedAt: text("webhook_secret_created_at"),
	/** Rendered pages may load nothing remote (only what the HTML holds inline): PATCH /v1/account. */
	blockRemoteResources: integer("block_remote_resources", { mode: "boolean" }).notNull().default(false),
	/** Rendered pages run their scripts (a request's `javascript` overrides it): PATCH /v1/account. */
	javascript: integer("javascript", { mode: "boolean" }).notNull().default(true),
	/** How long hosted PDFs stay downloadable unless a request says (`expires_in_hours`); null: the server's `PDF_RETENTION_HOURS`. */
	expiresInHours: integer("expires_in_hours"),
});

export const apiKeys = sqliteTable(
	"api_keys",
	{
		id: text("id").primaryKey(),
		accountId: text("account_id")
			.notNull()
			.references(() => accounts.id, { onDelete: "cascade" }),
		name: text("name").notNull(),
		/** Hex SHA-256 of the key. The key itself is never stored. */
		keyHash: text("key_hash").notNull().unique(),
		keyPreview: text("key_preview").notNull(),
		mode: text("mode", { enum: ["live", "test"] }).notNull(),
		createdAt: text("created_at").notNull(),
		lastUsedAt: text("last_used_at"),
	},
	(t) => [index("api_keys_account_idx").on(t.accountId)],
);

/** An async generation job (DokJet's async mode); its id is also the credit reservation id. */
export const tasks = sqliteTable(
	"tasks",
	{
		id: text("id").primaryKey(),
		accountId: text("account_id")
			.notNull()
			.references(() => accounts.id, { onDelete: "cascade" }),
		status: text("status", { enum: ["queued", "processing", "completed", "failed"] }).notNull(),
		mode: text("mode", { enum: ["live", "test"] }).notNull(),
		/** The key that submitted it, and its `template_id` (null for inline HTML), for the generation log. */
		keyId: text("key_id"),
		templateId: text("template_id"),
		webhookUrl: text("webhook_url"),
		/** The request's `metadata`, as JSON text. */
		metadata: text("metadata"),
		createdAt: text("created_at").notNull(),
		startedAt: text("started_at"),
		completedAt: text("completed_at"),
		/** Processing time of the attempt that finished the task. */
		responseTimeMs: integer("response_time_ms"),
		url: text("url"),
		expiresAt: text("expires_at"),
		pages: integer("pages"),
		errorCode: text("error_code"),
		errorMessage: text("error_message"),
		/** Renders started, and until when the current one holds the task (ms since epoch). */
		attempts: integer("attempts").notNull().default(0),
		leaseUntil: integer("lease_until"),
		/** What the outbound guard refused to let the page load, as a JSON array of URLs (up to 20). */
		blockedResources: text("blocked_resources"),
		/** What the page failed to load, as a JSON array of {url, reason} (up to 20). */
		failedResources: text("failed_resources"),
		/** Template variables the data left blank, as a JSON array of paths (up to 100). */
		missingVariables: text("missing_variables"),
		/** Webhook delivery attempts, as a JSON array of {at, status?, error?}. */
		webhookAttempts: text("webhook_attempts").notNull().default("[]"),
		/** The batch (POST /v1/batch) this task is one document of, and its place in the request's `documents`. */
		batchId: text("batch_id"),
		batchIndex: integer("batch_index"),
		/** When the dead-letter queue's consumer gave up on it (its retries ran out): what GET /admin/stats counts as `dead_lettered`. */
		deadLetteredAt: text("dead_lettered_at"),
	},
	(t) => [index("tasks_account_idx").on(t.accountId, t.createdAt), index("tasks_batch_idx").on(t.batchId, t.batchIndex), index("tasks_dead_lettered_idx").on(t.deadLetteredAt)],
);

/**
 * A batch (POST /v1/batch): up to 100 documents, each an ordinary task with this `batch_id`.
 * Its status is read from its tasks until the last one has finished; `finished_at` is set once,
 * by whichever task finished last, and `completed_at` when the batch's output (if any) is stored
 * and its webhook queued.
 */
export const batches = sqliteTable(
	"batches",
	{
		id: text("id").primaryKey(),
		accountId: text("account_id")
			.notNull()
			.references(() => accounts.id, { onDelete: "cascade" }),
		mode: text("mode", { enum: ["live", "test"] }).notNull(),
		keyId: text("key_id"),
		/** How many documents (tasks) the batch has. */
		total: integer("total").notNull(),
		/** `zip` or `merged`: one file with every succeeded document; null: none. */
		output: text("output", { enum: ["zip", "merged"] }),
		outputFilename: text("output_filename"),
		/** How long the output file is kept, in hours (the request's `expires_in_hours`, else the account's or the server's). */
		expiresInHours: integer("expires_in_hours").notNull(),
		webhookUrl: text("webhook_url"),
		/** The request's `metadata`, as JSON text. */
		metadata: text("metadata"),
		createdAt: text("created_at").notNull(),
		finishedAt: text("finished_at"),
		completedAt: text("completed_at"),
		succeeded: integer("succeeded"),
		failed: integer("failed"),
		outputUrl: text("output_url"),
		outputExpiresAt: text("output_expires_at"),
		/** Why the output file could not be made (e.g. the merged document is over the limits), as `{code, message}` JSON. */
		outputError: text("output_error"),
		/** Webhook delivery attempts, as a JSON array of {at, status?, error?}. */
		webhookAttempts: text("webhook_attempts").notNull().default("[]"),
	},
	(t) => [index("batches_account_idx").on(t.accountId, t.createdAt)],
);

/**
 * The generation log: one row per finished document, sync or async, for the dashboard
 * (GET /v1/generations, GET /v1/usage's `daily`). Written after the response (sync) or when the
 * task finishes (async), never on the hot path; the Credits object stays the balance's source of truth.
 */
export const generations = sqliteTable(
	"generations",
	{
		/** The request id of a sync generation, the task id of an async one. */
		id: text("id").primaryKey(),
		accountId: text("account_id")
			.notNull()
			.references(() => accounts.id, { onDelete: "cascade" }),
		keyId: text("key_id").notNull(),
		mode: text("mode", { enum: ["live", "test"] }).notNull(),
		source: text("source", { enum: ["sync", "async"] }).notNull(),
		/** Null for inline HTML. */
		templateId: text("template_id"),
		status: text("status", { enum: ["completed", "failed"] }).notNull(),
		errorCode: text("error_code"),
		pages: integer("pages"),
		bytes: integer("bytes"),
		/** From the request to the result: the response time (sync), submission to completion (async). */
		durationMs: integer("duration_ms").notNull(),
		taskId: text("task_id"),
		/** A failed document whose credit was given back (most failures; not one stopped at its render limit). False for rows written before it was recorded. */
		refunded: integer("refunded", { mode: "boolean" }).notNull().default(false),
		/** When the request was made (ISO 8601, UTC): the day its credit counts in. */
		createdAt: text("created_at").notNull(),
	},
	// By time alone: GET /admin/stats reads windows of every account, and the cron trigger deletes rows past their retention.
	(t) => [index("generations_account_created_idx").on(t.accountId, t.createdAt), index("generations_created_idx").on(t.createdAt)],
);

/** An account's own template: its id (path-like, unique per account), name and newest version. */
export const templates = sqliteTable(
	"templates",
	{
		accountId: text("account_id")
			.notNull()
			.references(() => accounts.id, { onDelete: "cascade" }),
		id: text("id").notNull(),
		name: text("name").notNull(),
		latestVersion: integer("latest_version").notNull(),
		/** The version the dashboard's API examples name (`template_version`); null: none. Generation without a version still uses the newest. */
		pinnedVersion: integer("pinned_version"),
		createdAt: text("created_at").notNull(),
		updatedAt: text("updated_at").notNull(),
	},
	(t) => [primaryKey({ columns: [t.accountId, t.id] })],
);

/** One version of an account template, immutable once written: `PUT` adds version n+1. */
export const templateVersions = sqliteTable(
	"template_versions",
	{
		accountId: text("account_id").notNull(),
		templateId: text("template_id").notNull(),
		version: integer("version").notNull(),
		html: text("html").notNull(),
		/** `sample_data`, `schema`, default `options` and default `pdf`, as JSON text; null when not given. */
		sampleData: text("sample_data"),
		schema: text("schema"),
		options: text("options"),
		pdf: text("pdf"),
		/** Who made it, as the version list shows it: the API key's preview (`qk_live_4fJ0...x9Qa`); null for versions made before this was kept. */
		createdBy: text("created_by"),
		createdAt: text("created_at").notNull(),
	},
	(t) => [
		primaryKey({ columns: [t.accountId, t.templateId, t.version] }),
		foreignKey({ columns: [t.accountId, t.templateId], foreignColumns: [templates.accountId, templates.id] }).onDelete("cascade"),
	],
);

/**
 * Settlements that failed: a commit, refund or release that never reached the Credits object or
 * the sign-up counter, one row each beside its `settlement_failed` log line, so they can be
 * counted (`SELECT action, COUNT(*) FROM settlement_failures GROUP BY action`) and traced by request id.
 */
export const settlementFailures = sqliteTable(
	"settlement_failures",
	{
		id: text("id").primaryKey(),
		action: text("action").notNull(),
		requestId: text("request_id").notNull(),
		error: text("error").notNull(),
		createdAt: text("created_at").notNull(),
	},
	(t) => [index("settlement_failures_created_at").on(t.createdAt)],
);

/**
 * A hosted PDF (`return_type: "url"` or an async task): one row per R2 object, written by
 * `storePdf`, so an account can list its files (GET /v1/files) and delete them (DELETE /v1/files/{id}).
 */
export const files = sqliteTable(
	"files",
	{
		/** `file_…`. */
		id: text("id").primaryKey(),
		accountId: text("account_id")
			.notNull()
			.references(() => accounts.id, { onDelete: "cascade" }),
		/** The R2 key, `<accountId>/<random>.pdf`: the URL's path after `/upload/`. */
		r2Key: text("r2_key").notNull().unique(),
		filename: text("filename").notNull(),
		/** The key mode that made it: a test key may delete only test files. */
		mode: text("mode", { enum: ["live", "test"] }).notNull(),
		pages: integer("pages").notNull(),
		bytes: integer("bytes").notNull(),
		createdAt: text("created_at").notNull(),
		/** After this instant (ISO 8601, UTC) the URL answers 404 and the list leaves it out. */
		expiresAt: text("expires_at").notNull(),
		/** What made it: the request id of a sync generation, or the task id of an async one (one file per task). */
		requestId: text("request_id"),
		taskId: text("task_id").unique(),
	},
	(t) => [index("files_account_created_idx").on(t.accountId, t.createdAt), index("files_expires_at_idx").on(t.expiresAt)],
);

/**
 * A webhook endpoint (POST /v1/webhook-endpoints): where the account's async tasks and batches are
 * delivered when a request gives no `webhook_url` of its own. Its signing secret is derived
 * (HMAC of WEBHOOK_SECRET_KEY over account id and endpoint id), never stored.
 */
export const webhookEndpoints = sqliteTable(
	"webhook_endpoints",
	{
		/** `we_…`. */
		id: text("id").primaryKey(),
		accountId: text("account_id")
			.notNull()
			.references(() => accounts.id, { onDelete: "cascade" }),
		url: text("url").notNull(),
		/** The events it receives, as a JSON array (`task.completed`, `task.failed`, `batch.completed`). */
		events: text("events").notNull(),
		enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
		createdAt: text("created_at").notNull(),
	},
	(t) => [index("webhook_endpoints_account_idx").on(t.accountId, t.createdAt)],
);

/**
 * One delivery attempt to a webhook endpoint (the queue's tries and each resend), for its
 * delivery log (GET /v1/webhook-endpoints/{id}/deliveries); deleted with its endpoint.
 */
export const webhookDeliveries = sqliteTable(
	"webhook_deliveries",
	{
		/** `whd_…`. */
		id: text("id").primaryKey(),
		endpointId: text("endpoint_id")
			.notNull()
			.references(() => webhookEndpoints.id, { onDelete: "cascade" }),
		accountId: text("account_id").notNull(),
		event: text("event").notNull(),
		/** The task (`task.*`) or batch (`batch.completed`) the event is about. */
		subjectId: text("subject_id").notNull(),
		/** 1 for the first try; each retry or resend of the same event counts on. */
		attempt: integer("attempt").notNull(),
		/** The receiver's HTTP status; null when no answer came (network error, timeout, refused target). */
		status: integer("status"),
		error: text("error"),
		durationMs: integer("duration_ms").notNull(),
		/** The start of the receiver's answer (at most 512 characters). */
		responseExcerpt: text("response_excerpt"),
		/** The JSON body that was sent, so a resend sends the same. */
		payload: text("payload").notNull(),
		createdAt: text("created_at").notNull(),
	},
	(t) => [index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.createdAt)],
);

/**
 * A person of an account, signed in by email (docs/accounts.md): `owner`, `developer` or `viewer`.
 * The account's sign-up email is its first owner. An invited member has `joined_at` null until
 * their first sign-in. One address belongs to at most one account.
 */
export const members = sqliteTable(
	"members",
	{
		/** `mem_…`. */
		id: text("id").primaryKey(),
		accountId: text("account_id")
			.notNull()
			.references(() => accounts.id, { onDelete: "cascade" }),
		/** Lower-cased. */
		email: text("email").notNull().unique(),
		role: text("role", { enum: ["owner", "developer", "viewer"] }).notNull(),
		invitedAt: text("invited_at").notNull(),
		joinedAt: text("joined_at"),
	},
	(t) => [index("members_account_idx").on(t.accountId)],
);

/**
 * A sign-in link sent by email: single use, minutes long. Only the SHA-256 of its token is kept.
 */
export const loginTokens = sqliteTable(
	"login_tokens",
	{
		tokenHash: text("token_hash").primaryKey(),
		email: text("email").notNull(),
		createdAt: text("created_at").notNull(),
		expiresAt: text("expires_at").notNull(),
		usedAt: text("used_at"),
	},
	(t) => [index("login_tokens_expires_idx").on(t.expiresAt)],
);

/**
 * A signed-in browser: the cookie holds a random token, this row its SHA-256 only. Listed
 * (GET /v1/sessions), revocable, and ended when its member is removed.
 */
export const sessions = sqliteTable(
	"sessions",
	{
		/** `ses_…`. */
		id: text("id").primaryKey(),
		tokenHash: text("token_hash").notNull().unique(),
		memberId: text("member_id")
			.notNull()
			.references(() => members.id, { onDelete: "cascade" }),
		accountId: text("account_id")
			.notNull()
			.references(() => accounts.id, { onDelete: "cascade" }),
		createdAt: text("created_at").notNull(),
		expiresAt: text("expires_at").notNull(),
		/** A short summary of the browser (its User-Agent, cut) and the client IP it signed in from. */
		userAgent: text("user_agent"),
		ip: text("ip"),
		revokedAt: text("revoked_at"),
	},
	(t) => [index("sessions_member_idx").on(t.memberId), index("sessions_account_idx").on(t.accountId)],
);

/**
 * A change of the account's email, confirmed by both addresses: each is sent a link (only the
 * SHA-256 of each token is kept); the change applies when the second is followed.
 */
export const emailChanges = sqliteTable("email_changes", {
	id: text("id").primaryKey(),
	accountId: text("account_id")
		.notNull()
		.references(() => accounts.id, { onDelete: "cascade" }),
	oldEmail: text("old_email").notNull(),
	newEmail: text("new_email").notNull(),
	oldTokenHash: text("old_token_hash").notNull().unique(),
	newTokenHash: text("new_token_hash").notNull().unique(),
	oldConfirmedAt: text("old_confirmed_at"),
	newConfirmedAt: text("new_confirmed_at"),
	createdAt: text("created_at").notNull(),
	expiresAt: text("expires_at").notNull(),
});

export type Account = typeof accounts.$inferSelect;
export type Task = typeof tasks.$inferSelect;
export type Batch = typeof batches.$inferSelect;
export type Generation = typeof generations.$inferSelect;
export type AccountTemplate = typeof templates.$inferSelect;
export type TemplateVersion = typeof templateVersions.$inferSelect;
export type StoredFile = typeof files.$inferSelect;

/**
 * Images and fonts an account uploaded for its templates (POST /v1/assets). The bytes are in R2
 * (`assets/<account>/<id>`); the renderer answers the asset's URL from there, for its account only.
 */
export const assets = sqliteTable(
	"assets",
	{
		/** `ast_…`. */
		id: text("id").primaryKey(),
		accountId: text("account_id")
			.notNull()
			.references(() => accounts.id, { onDelete: "cascade" }),
		/** The file name it was uploaded with; one per account, so `{{#asset}}name{{/asset}}` names one asset. */
		name: text("name").notNull(),
		/** The MIME type its content was recognised as (never the name's extension). */
		type: text("type").notNull(),
		size: integer("size").notNull(),
		createdAt: text("created_at").notNull(),
	},
	(t) => [uniqueIndex("assets_account_name_idx").on(t.accountId, t.name)],
);

export type Asset = typeof assets.$inferSelect;
export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
export type Member = typeof members.$inferSelect;
export type Role = Member["role"];
