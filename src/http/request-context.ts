import type { MiddlewareHandler } from "hono";
import { createDb } from "../db";
import type { AppEnv } from "./app-env";

/**
 * First middleware of every request: a server-made request id (also the credit reservation id,
 * so it is never taken from the client), the start time, and the services handlers use.
 */
export function requestContext(): MiddlewareHandler<AppEnv> {
	return async function requestContext(c, next) {
		const requestId = `req_${crypto.randomUUID().replaceAll("-", "")}`;
		c.set("requestId", requestId);
		c.set("startedAt", Date.now());
		c.set("db", createDb(c.env.DB));
		await next();
		c.res.headers.set("X-Request-Id", requestId);
	};
}
