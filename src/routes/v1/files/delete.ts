import { createRoute, z } from "@hono/zod-openapi";
import { apiKeyAuth, requireLiveKey } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { ApiError } from "../../../http/errors";
import { DeletedSchema, errorResponses, liveKeyForbidden, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { deleteFile, findFile } from "../../../storage/pdfs";

const route = createRoute({
	method: "delete",
	path: "/v1/files/{id}",
	tags: ["Files"],
	operationId: "deleteFile",
	summary: "Delete a stored PDF",
	description:
		"Deletes a hosted PDF at once, before its expiry: its URL answers 404 from then on, and it leaves GET /v1/files. Cannot be undone. " +
		"An expired file can be deleted too (its object may otherwise linger until the storage's lifecycle rule removes it). " +
		"Another account's file is 404. A test key may delete files made in test mode; a live file needs a live key (403).",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	request: { params: z.object({ id: z.string().openapi({ description: "The file's id (`file_…`), as GET /v1/files lists it.", example: "file_7bQ2c9LmXw4RtZ1a" }) }) },
	responses: {
		200: { description: "Deleted", content: { "application/json": { schema: DeletedSchema } } },
		...errorResponses(401, 404, 429, 503),
		...liveKeyForbidden(),
	},
});

export function registerDeleteFile(app: App) {
	app.openapi(route, async (c) => {
		const { id } = c.req.valid("param");
		const file = await findFile(c.var.db, c.var.auth.accountId, id);
		if (!file) throw new ApiError("NOT_FOUND", "File not found");
		if (file.mode === "live") requireLiveKey(c.var.auth, "Deleting a live file");
		await deleteFile(c.env, c.var.db, file).catch((cause: unknown) => {
			throw new ApiError("SERVICE_UNAVAILABLE", "The file could not be deleted; try again", undefined, cause);
		});
		return c.json({ data: { deleted: true as const } }, 200);
	});
}
