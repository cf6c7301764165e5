import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../http/app-env";
import { errorResponses } from "../http/schemas";

const route = createRoute({
	method: "get",
	path: "/health",
	tags: ["Meta"],
	operationId: "getHealth",
	// No key: an empty list says so (an operation without `security` is merely undocumented).
	security: [],
	summary: "Liveness probe",
	description: "Answers without touching any binding: for load balancers and uptime checks.",
	responses: {
		200: { description: "The Worker is up", content: { "application/json": { schema: z.object({ status: z.literal("ok").openapi({ description: "Always `ok`.", example: "ok" }) }) } } },
		...errorResponses(),
	},
});

export function registerHealth(app: App) {
	app.openapi(route, (c) => c.json({ status: "ok" as const }, 200));
}
