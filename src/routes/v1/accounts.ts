import { createRoute, z } from "@hono/zod-openapi";
import { accounts, apiKeys } from "../../db/schema";
import { newId } from "../../auth/api-key";
import { issueKey } from "../../auth/keys";
import { ApiError } from "../../http/errors";
import { errorResponses } from "../../http/schemas";
import type { App } from "../../http/app-env";

const SignUpSchema = z
	.object({ email: z.email().max(254).openapi({ example: "you@example.com" }) })
	.openapi("SignUpRequest");

const SignUpResponseSchema = z
	.object({
		data: z.object({
			account: z.object({ id: z.string(), email: z.string(), plan: z.string(), created_at: z.string() }),
			key: z.object({
				id: z.string(),
				name: z.string(),
				key: z.string().openapi({ description: "The full API key. Shown this once; only its hash is stored." }),
				created_at: z.string(),
			}),
		}),
	})
	.openapi("SignUpResponse");

const route = createRoute({
	method: "post",
	path: "/v1/accounts",
	tags: ["Accounts"],
	summary: "Sign up",
	description: "Creates an account on the free plan (50 credits a month) and its first API key, returned once.",
	request: { body: { required: true, content: { "application/json": { schema: SignUpSchema } } } },
	responses: {
		201: { description: "Account and first key", content: { "application/json": { schema: SignUpResponseSchema } } },
		...errorResponses(400, 409),
	},
});

export function registerCreateAccount(app: App) {
	app.openapi(route, async (c) => {
		const email = c.req.valid("json").email.toLowerCase();
		const createdAt = new Date().toISOString();
		const account = { id: newId("acc"), email, plan: "free", createdAt };
		const { key, row: keyRow } = await issueKey(account.id, "Default", "live", createdAt);
		const db = c.var.db;
		try {
			await db.batch([db.insert(accounts).values(account), db.insert(apiKeys).values(keyRow)]);
		} catch (error) {
			if (/UNIQUE constraint failed: accounts\.email/.test(String((error as Error)?.cause ?? error))) {
				throw new ApiError("CONFLICT", "An account with this email already exists");
			}
			throw error;
		}
		return c.json(
			{
				data: {
					account: { id: account.id, email, plan: account.plan, created_at: createdAt },
					key: { id: keyRow.id, name: keyRow.name, key, created_at: createdAt },
				},
			},
			201,
		);
	});
}
