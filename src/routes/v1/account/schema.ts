import { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { Db } from "../../../db";
import { accounts } from "../../../db/schema";

export const AccountSchema = z
	.object({
		data: z.object({
			id: z.string().openapi({ description: "The account's id.", example: "acc_3kTz9QmW1xYbVc2L" }),
			email: z.string().openapi({ description: "The email address it signed up with.", example: "you@example.com" }),
			plan: z.string().openapi({ description: "The plan: its monthly allowance, requests a minute and concurrent renders (GET /v1/credits shows them).", example: "free" }),
			created_at: z.string().openapi({ description: "When the account was made (ISO 8601, UTC).", example: "2026-11-21T10:30:00.000Z" }),
			block_remote_resources: z.boolean().openapi({ description: "Rendered pages load nothing remote: only what the HTML holds inline (data: URLs, inline CSS and fonts). Blocked requests are reported (`X-Blocked-Resources`).", example: false }),
			javascript: z.boolean().openapi({ description: "Rendered pages run their scripts (charts, for instance). `false`: no script runs unless a request says `javascript: true`.", example: true }),
			expires_in_hours: z
				.number()
				.int()
				.nullable()
				.openapi({ description: "How long hosted PDFs stay downloadable, in hours, when a request doesn't say (`expires_in_hours` on POST /v1/generate). null: the server's default (`PDF_RETENTION_HOURS`, 24).", example: 168 }),
		}).openapi({ description: "The account." }),
	})
	.openapi("Account");

/** The account as the API shows it. */
export async function accountView(db: Db, accountId: string) {
	const row = await db.select().from(accounts).where(eq(accounts.id, accountId)).get();
	if (!row) return null;
	return { data: { id: row.id, email: row.email, plan: row.plan, created_at: row.createdAt, block_remote_resources: row.blockRemoteResources, javascript: row.javascript, expires_in_hours: row.expiresInHours } };
}
