import { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { Db } from "../../../db";
import { accounts } from "../../../db/schema";

export const AccountSchema = z
	.object({
		data: z.object({
			id: z.string(),
			email: z.string(),
			plan: z.string(),
			created_at: z.string(),
			block_remote_resources: z.boolean().openapi({ description: "Rendered pages load nothing remote: only what the HTML holds inline (data: URLs, inline CSS and fonts). Blocked requests are reported (`X-Blocked-Resources`)." }),
		}),
	})
	.openapi("Account");

/** The account as the API shows it. */
export async function accountView(db: Db, accountId: string) {
	const row = await db.select().from(accounts).where(eq(accounts.id, accountId)).get();
	if (!row) return null;
	return { data: { id: row.id, email: row.email, plan: row.plan, created_at: row.createdAt, block_remote_resources: row.blockRemoteResources } };
}
