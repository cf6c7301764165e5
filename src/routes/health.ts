import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../http/app-env";

const route = createRoute({
	method: "get",
	path: "/health",
	tags: ["Meta"],
	summary: "Liveness probe",
	responses: { 200: { description: "The Worker is up", content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } } } },
});

export function registerHealth(app: App) {
	app.openapi(route, (c) => c.json({ status: "ok" as const }, 200));
}
