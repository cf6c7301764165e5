import { and, asc, desc, eq } from "drizzle-orm";
import type { Db } from "../db";
import { type AccountTemplate, templates, templateVersions, type TemplateVersion } from "../db/schema";
import type { PdfSpec } from "../pdf/spec";
import type { PageOptions } from "../rendering/page-options";

/** Templates an account may hold at once: the list is answered without pagination. */
export const MAX_TEMPLATES_PER_ACCOUNT = 100;

/** The content of one version, as the API sends it (objects, not JSON text). */
export interface TemplateContent {
	html: string;
	sampleData: Record<string, unknown> | null;
	schema: Record<string, unknown> | null;
	options: PageOptions | null;
	/** The default `pdf` object of documents made from it. */
	pdf: PdfSpec | null;
}

export type StoredVersion = TemplateContent & { version: number; createdAt: string };

/** A version as the version list shows it: its number, when and by whom it was made. */
export interface VersionSummary {
	version: number;
	createdAt: string;
	createdBy: string | null;
}

/**
 * Who makes a version: the caller's `keyId`, an API key's id (stored as the key's preview,
 * `qk_live_4fJ0...x9Qa`, so the list still says who after the key is revoked) or a session's
 * (stored as its member's email).
 */
export type Author = string;

/**
 * SQL for the `created_by` of a version made by author `?n` (the caller's `keyId`): a key id
 * becomes the key's preview, a session id (`ses_…`) its member's email.
 */
const authorSql = (n: number) =>
	`COALESCE((SELECT key_preview FROM api_keys WHERE id = ?${n}), (SELECT m.email FROM sessions s JOIN members m ON m.id = s.member_id WHERE s.id = ?${n}), ?${n})`;

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
const parsed = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

function contentOf(row: TemplateVersion): StoredVersion {
	return {
		version: row.version,
		createdAt: row.createdAt,
		html: row.html,
		sampleData: parsed(row.sampleData),
		schema: parsed(row.schema),
		options: parsed(row.options),
		pdf: parsed(row.pdf),
	};
}

function isUniqueViolation(error: unknown): boolean {
	return /UNIQUE constraint failed|PRIMARY KEY/.test(String((error as Error)?.cause ?? error));
}

/** The account's templates, by id. */
export function listTemplates(db: Db, accountId: string): Promise<AccountTemplate[]> {
	return db.select().from(templates).where(eq(templates.accountId, accountId)).orderBy(asc(templates.id));
}

/** One of the account's templates and the numbers and dates of its versions, oldest first; null when it has none with this id. */
export async function findTemplate(db: Db, accountId: string, id: string): Promise<{ template: AccountTemplate; versions: VersionSummary[] } | null> {
	const [template, versions] = await db.batch([
		db.select().from(templates).where(and(eq(templates.accountId, accountId), eq(templates.id, id))),
		db
			.select({ version: templateVersions.version, createdAt: templateVersions.createdAt, createdBy: templateVersions.createdBy })
			.from(templateVersions)
			.where(and(eq(templateVersions.accountId, accountId), eq(templateVersions.templateId, id)))
			.orderBy(asc(templateVersions.version)),
	]);
	return template[0] ? { template: template[0], versions } : null;
}

/** A version of one of the account's templates (the newest when `version` is not given), with the template's name; null when there is none. */
export async function findVersion(db: Db, accountId: string, id: string, version?: number): Promise<(StoredVersion & { name: string }) | null> {
	const row = await db
		.select({ version: templateVersions, name: templates.name })
		.from(templateVersions)
		.innerJoin(templates, and(eq(templates.accountId, templateVersions.accountId), eq(templates.id, templateVersions.templateId)))
		.where(
			and(
				eq(templateVersions.accountId, accountId),
				eq(templateVersions.templateId, id),
				version === undefined ? eq(templateVersions.version, templates.latestVersion) : eq(templateVersions.version, version),
			),
		)
		.orderBy(desc(templateVersions.version))
		.get();
	return row ? { ...contentOf(row.version), name: row.name } : null;
}

/**
 * Stores a new template as version 1. One batch (a transaction), so the template never exists
 * without its version, and the cap is counted in the same statement that inserts, so concurrent
 * creations can't overshoot it. `"exists"` when the account already has this id.
 */
export async function createTemplate(db: Db, accountId: string, id: string, name: string, content: TemplateContent, author: Author): Promise<"created" | "exists" | "cap"> {
	const now = new Date().toISOString();
	// drizzle can't batch raw SQL with parameters on D1: these two go to D1 itself.
	const d1 = db.$client;
	try {
		const [inserted] = await d1.batch([
			d1
				.prepare(
					`INSERT INTO templates (account_id, id, name, latest_version, created_at, updated_at)
					SELECT ?1, ?2, ?3, 1, ?4, ?4 WHERE (SELECT COUNT(*) FROM templates WHERE account_id = ?1) < ?5`,
				)
				.bind(accountId, id, name, now, MAX_TEMPLATES_PER_ACCOUNT),
			d1
				.prepare(
					`INSERT INTO template_versions (account_id, template_id, version, html, sample_data, schema, options, pdf, created_at, created_by)
					SELECT ?1, ?2, 1, ?3, ?4, ?5, ?6, ?8, ?7, ${authorSql(9)} WHERE EXISTS (SELECT 1 FROM templates WHERE account_id = ?1 AND id = ?2)`,
				)
				.bind(accountId, id, content.html, json(content.sampleData), json(content.schema), json(content.options), now, json(content.pdf), author),
		]);
		return inserted!.meta.changes === 1 ? "created" : "cap";
	} catch (error) {
		if (isUniqueViolation(error)) return "exists";
		throw error;
	}
}

/**
 * Adds version n+1 of one of the account's templates (and renames it when `name` is given).
 * The number is taken from the template row in the same transaction, so concurrent updates get
 * distinct versions. Returns the new version, or null when the account has no such template.
 */
export async function addVersion(db: Db, accountId: string, id: string, name: string | undefined, content: TemplateContent, author: Author): Promise<number | null> {
	const now = new Date().toISOString();
	const d1 = db.$client;
	const [updated] = await d1.batch<{ latest_version: number }>([
		d1
			.prepare(
				`UPDATE templates SET latest_version = latest_version + 1, updated_at = ?3, name = COALESCE(?4, name)
				WHERE account_id = ?1 AND id = ?2 RETURNING latest_version`,
			)
			.bind(accountId, id, now, name ?? null),
		d1
			.prepare(
				`INSERT INTO template_versions (account_id, template_id, version, html, sample_data, schema, options, pdf, created_at, created_by)
				SELECT account_id, id, latest_version, ?3, ?4, ?5, ?6, ?8, ?7, ${authorSql(9)} FROM templates WHERE account_id = ?1 AND id = ?2`,
			)
			.bind(accountId, id, content.html, json(content.sampleData), json(content.schema), json(content.options), now, json(content.pdf), author),
	]);
	return updated?.results[0]?.latest_version ?? null;
}

/**
 * Pins one of the account's template's versions (null unpins): the version the dashboard's API
 * examples name. "no-template" or "no-version" when there is no such template or version.
 */
export async function pinVersion(db: Db, accountId: string, id: string, version: number | null): Promise<"pinned" | "no-template" | "no-version"> {
	const d1 = db.$client;
	const pinned = await d1
		.prepare(
			`UPDATE templates SET pinned_version = ?3 WHERE account_id = ?1 AND id = ?2
			AND (?3 IS NULL OR EXISTS (SELECT 1 FROM template_versions WHERE account_id = ?1 AND template_id = ?2 AND version = ?3))`,
		)
		.bind(accountId, id, version)
		.run();
	if (pinned.meta.changes === 1) return "pinned";
	const exists = await db.select({ id: templates.id }).from(templates).where(and(eq(templates.accountId, accountId), eq(templates.id, id))).get();
	return exists ? "no-version" : "no-template";
}

/** Deletes one of the account's templates with every version. False when it has no such template. */
export async function deleteTemplate(db: Db, accountId: string, id: string): Promise<boolean> {
	const [, deleted] = await db.batch([
		db.delete(templateVersions).where(and(eq(templateVersions.accountId, accountId), eq(templateVersions.templateId, id))),
		db.delete(templates).where(and(eq(templates.accountId, accountId), eq(templates.id, id))),
	]);
	return deleted.meta.changes === 1;
}
