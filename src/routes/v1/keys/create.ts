import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth, requireLiveKey } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { keyPreview } from "../../../auth/api-key";
import { createKey, MAX_KEYS_PER_ACCOUNT } from "../../../auth/keys";
import { ApiError } from "../../../http/errors";
import { idempotency, IdempotencyHeadersSchema } from "../../../http/idempotency";
import { errorResponses, LIVE_KEY_ONLY, liveKeyForbidden, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";

const CreateKeySchema = z
	.object({
		name: z.string().trim().min(1, "name must not be empty").max(100).openapi({ description: "A descriptive name for the key (1 to 100 characters).", example: "Production Server" }),
		mode: z.enum(["live", "test"]).default("live").openapi({ description: "`live` (default) or `test`: `test` keys (`qk_test_…`) make watermarked PDFs that cost no credits, capped per day.", example: "live" }),
	})
	// Inline rather than a named component: openapi-typescript types a `default` as always present
	// in a component schema, but as optional in an inline request body (where the server fills it in).
	.openapi({ example: { name: "Production Server" } });

const CreatedKeySchema = z
	.object({
		data: z
			.object({
				id: z.string().openapi({ description: "The key's id, for DELETE /v1/keys/{id}.", example: "key_7bQ2c9LmXw4RtZ1a" }),
				name: z.string().openapi({ description: "The name given.", example: "Production Server" }),
				key: z.string().optional().openapi({ description: "The full API key, returned only this once: absent from an idempotent replay.", example: "qk_live_…" }),
				created_at: z.string().openapi({ description: "When the key was made (ISO 8601, UTC).", example: "2026-11-21T10:30:00.000Z" }),
				key_preview: z.string().optional().openapi({ description: "Idempotent replays only, instead of `key`: its first 12 characters, `...`, its last 4 (as GET /v1/keys shows it).", example: "qk_live_4fJ0...x9Qa" }),
				replayed: z.literal(true).optional().openapi({ description: "Idempotent replays only: `true`, this key was made by an earlier request with the same `Idempotency-Key`; its full key is not shown again.", example: true }),
			})
			.openapi({ description: "The new key." }),
	})
	.openapi("CreatedKey");

const route = createRoute({
	method: "post",
	path: "/v1/keys",
	tags: ["API keys"],
	operationId: "createKey",
	summary: "Create an API key",
	description:
		`pdfapi.dev's key creation. The full key is in this response only; store it securely: it is never stored, so a replay of this request with its \`Idempotency-Key\` ` +
		"answers the same 201 with `Idempotent-Replayed: true` and the key's `id`, `name`, `created_at` and `key_preview`, `replayed: true` and no `key`. " +
		`An account holds at most ${MAX_KEYS_PER_ACCOUNT} keys (409 past that). Creating a live key (\`mode: "live"\`, the default): ${LIVE_KEY_ONLY} A test key may create test keys.`,
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit(), idempotency({ record: withoutKey })] as const,
	request: { headers: IdempotencyHeadersSchema, body: { required: true, content: { "application/json": { schema: CreateKeySchema } } } },
	responses: {
		201: { description: "The new key", content: { "application/json": { schema: CreatedKeySchema } } },
		...errorResponses(400, 401, 409, 413, 422, 429, 503),
		...liveKeyForbidden(),
	},
});

/**
 * What an `Idempotency-Key` records of this route's response: the key's metadata, never the key,
 * which is stored nowhere (only its hash, in D1). A replay is marked `replayed: true`.
 */
function withoutKey(body: unknown): unknown {
	const data = (body as { data?: Record<string, unknown> }).data;
	if (typeof data?.key !== "string") return body; // an error: nothing secret in it
	const { key, ...metadata } = data;
	return { data: { ...metadata, key_preview: keyPreview(key), replayed: true } };
}

export function registerCreateKey(app: App) {
	app.openapi(route, async (c) => {
		const { name, mode } = c.req.valid("json");
		if (mode === "live") requireLiveKey(c.var.auth, "Creating a live key");
		const issued = await createKey(c.var.db, c.var.auth.accountId, name, mode);
		if (!issued) throw new ApiError("CONFLICT", `An account can hold at most ${MAX_KEYS_PER_ACCOUNT} API keys: delete one first`);
		const { id, createdAt } = issued.row;
		return c.json({ data: { id, name, key: issued.key, created_at: createdAt } }, 201);
	});
}
