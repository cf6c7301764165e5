import type { RouteConfig } from "@hono/zod-openapi";
import type { App } from "./app-env";

/**
 * A route whose path parameter may contain `/` (template ids are paths: `invoices/invoice`).
 * @hono/zod-openapi routes `{id}` as Hono's `:id`, which stops at a slash. This puts the route
 * in the OpenAPI document as written (`/v1/templates/{id}`) and returns a copy, left out of the
 * document, that routes the parameter as Hono's regex parameter `:id{.+}`, which takes the rest
 * of the path. The copy keeps the route's validation and middleware.
 *
 * @example app.openapi(withSlashParam(app, route), handler)
 */
export function withSlashParam<R extends RouteConfig>(app: App, route: R, param = "id"): R {
	const { middleware: _middleware, ...documented } = route;
	app.openAPIRegistry.registerPath(documented);
	return { ...route, path: route.path.replace(`{${param}}`, `{${param}{.+}}`), hide: true };
}
