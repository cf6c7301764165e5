import { createRoute } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { decodeCursor, PageQuerySchema, pageSchema, toPage } from "../../../http/pagination";
import { publicOrigin } from "../../../http/public-origin";
import { errorResponses, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { listFiles } from "../../../storage/pdfs";
import { FileSchema, fileView } from "./schema";

const FileListSchema = pageSchema(FileSchema).openapi("StoredFileList");

const route = createRoute({
	method: "get",
	path: "/v1/files",
	tags: ["Files"],
	operationId: "listFiles",
	summary: "List stored PDFs",
	description:
		"The account's hosted PDFs that are still downloadable (`return_type: \"url\"` and async tasks), newest first; expired and deleted files are not listed. " +
		"Paginated by cursor, like GET /v1/generations: pass `next_cursor` as `cursor` while `has_more` is true.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	request: { query: PageQuerySchema },
	responses: {
		200: { description: "A page of the account's stored PDFs", content: { "application/json": { schema: FileListSchema } } },
		...errorResponses(400, 401, 429, 503),
	},
});

export function registerListFiles(app: App) {
	app.openapi(route, async (c) => {
		const { limit, cursor } = c.req.valid("query");
		const rows = await listFiles(c.var.db, c.var.auth.accountId, limit, cursor ? decodeCursor(cursor) : null);
		const page = toPage(rows, limit, (file) => ({ createdAt: file.createdAt, id: file.id }));
		const origin = publicOrigin(c.env, c.req.url);
		return c.json({ data: page.rows.map((file) => fileView(file, origin)), has_more: page.has_more, next_cursor: page.next_cursor }, 200);
	});
}
