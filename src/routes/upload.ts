import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../http/errors";
import { errorResponses } from "../http/schemas";
import type { App } from "../http/app-env";
import { fetchPdf } from "../storage/pdfs";

const route = createRoute({
	method: "get",
	path: "/upload/{account}/{file}",
	tags: ["Generation"],
	operationId: "downloadPdf",
	// No key: an empty list says so (an operation without `security` is merely undocumented).
	security: [],
	summary: "Download a hosted PDF",
	description: "The `url` returned by `return_type: \"url\"`. Its random name is the capability: no API key needed. 404 once expired, or deleted (DELETE /v1/files/{id}).",
	request: {
		params: z.object({
			account: z.string().regex(/^acc_[0-9A-Za-z]{16}$/).openapi({ description: "The account's id, as in the returned `url`.", example: "acc_3kTz9QmW1xYbVc2L" }),
			file: z.string().regex(/^[0-9A-Za-z]{22}\.(pdf|zip)$/).openapi({ description: "The file's random name, as in the returned `url` (a batch's zip output ends in `.zip`).", example: "k3J9cQ2mXw4RtZ1aBb7LpN.pdf" }),
		}),
	},
	responses: {
		200: {
			description: "The PDF (or a batch's zip output)",
			content: { "application/pdf": { schema: z.string().openapi({ format: "binary" }) }, "application/zip": { schema: z.string().openapi({ format: "binary" }) } },
		},
		...errorResponses(404, 503),
	},
});

export function registerUpload(app: App) {
	app.openapi(
		route,
		async (c) => {
			const { account, file } = c.req.valid("param");
			const object = await fetchPdf(c.env.PDFS, `${account}/${file}`);
			if (!object) throw new ApiError("NOT_FOUND", "File not found or expired");
			// Served from the API's origin (where the dashboard keeps its key): only ever a PDF, never
			// sniffed into HTML, and even then able to load nothing and run in no origin of ours.
			// Chromium's PDF viewer shows it under this policy.
			const headers = new Headers({ "Cache-Control": "private, max-age=3600", ETag: object.httpEtag, "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox" });
			object.writeHttpMetadata(headers);
			return new Response(object.body, { headers });
		},
		// A malformed name can't exist: answer like any missing file.
		(result) => {
			if (!result.success) throw new ApiError("NOT_FOUND", "File not found or expired");
			return undefined;
		},
	);
}
