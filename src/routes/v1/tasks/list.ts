import { createRoute } from "@hono/zod-openapi";
import { apiKeyAuth } from "../../../auth/middleware";
import { rateLimit } from "../../../http/rate-limit";
import { decodeCursor, PageQuerySchema, pageSchema, toPage } from "../../../http/pagination";
import { errorResponses, SECURITY } from "../../../http/schemas";
import type { App } from "../../../http/app-env";
import { listTasks, taskView } from "../../../jobs/tasks";
import { TaskSchema } from "./get";

const TaskListSchema = pageSchema(TaskSchema).openapi("TaskList");

const route = createRoute({
	method: "get",
	path: "/v1/tasks",
	tags: ["Generation"],
	operationId: "listTasks",
	summary: "List async tasks",
	description:
		"The account's async tasks (`async_mode: true`), newest first, each as GET /v1/tasks/<task_id> shows it but without webhook delivery attempts. " +
		"Paginated by cursor: pass `next_cursor` as `cursor` while `has_more` is true.",
	security: SECURITY,
	middleware: [apiKeyAuth(), rateLimit()] as const,
	request: { query: PageQuerySchema },
	responses: {
		200: { description: "A page of the account's tasks", content: { "application/json": { schema: TaskListSchema } } },
		...errorResponses(400, 401, 429, 503),
	},
});

export function registerListTasks(app: App) {
	app.openapi(route, async (c) => {
		const { limit, cursor } = c.req.valid("query");
		const rows = await listTasks(c.var.db, c.var.auth.accountId, limit, cursor ? decodeCursor(cursor) : null);
		const page = toPage(rows, limit, (task) => ({ createdAt: task.createdAt, id: task.id }));
		return c.json({ data: page.rows.map(taskView), has_more: page.has_more, next_cursor: page.next_cursor }, 200);
	});
}
