import { z } from "@hono/zod-openapi";
import { ApiError } from "../http/errors";

/**
 * How long a hosted PDF stays downloadable, in hours: a request's `expires_in_hours`, else the
 * account's default (`PATCH /v1/account`), else `PDF_RETENTION_HOURS`. The server's maximum,
 * `PDF_RETENTION_MAX_HOURS`, is a var (operators set it beside the R2 lifecycle rule), so it is
 * checked at run time by {@link checkRetention} rather than in the schema.
 */
export const ExpiresInHoursSchema = z
	.number()
	.int()
	.min(1)
	.openapi({
		description:
			"How long the hosted PDF (`return_type: \"url\"`, or an async task's `url`) stays downloadable, in hours, from 1 to the server's maximum (`PDF_RETENTION_MAX_HOURS`, 720 = 30 days by default; past it: 400). Default: the account's `expires_in_hours` (`PATCH /v1/account`), else the server's `PDF_RETENTION_HOURS` (24).",
		example: 168,
	});

/** The most hours a file may be kept (`PDF_RETENTION_MAX_HOURS`). */
export function maxRetentionHours(env: Pick<Env, "PDF_RETENTION_MAX_HOURS">): number {
	return Number(env.PDF_RETENTION_MAX_HOURS);
}

/**
 * A 400 naming `path` when `hours` is past the server's maximum; nothing when it is absent. Run
 * before anything is charged or stored.
 *
 * @example checkRetention(c.env, "expires_in_hours", body.expires_in_hours)
 */
export function checkRetention(env: Pick<Env, "PDF_RETENTION_MAX_HOURS">, path: string, hours: number | null | undefined): void {
	const max = maxRetentionHours(env);
	if (hours == null || hours <= max) return;
	const message = `must be at most ${max} (hours, this server's maximum retention)`;
	throw new ApiError("VALIDATION_ERROR", `${path}: ${message}`, { fields: [{ path, message }], maximum: max });
}

/**
 * The hours a new file is kept: the request's, else the account's default, else the server's
 * default. The defaults are capped at the maximum, which an operator may have lowered since an
 * account chose its default; a request's own value was refused past it by {@link checkRetention}.
 *
 * @example retentionHours(env, undefined, null) // 24, with PDF_RETENTION_HOURS = "24"
 */
export function retentionHours(env: Pick<Env, "PDF_RETENTION_HOURS" | "PDF_RETENTION_MAX_HOURS">, requested: number | undefined, accountDefault: number | null): number {
	return Math.min(requested ?? accountDefault ?? Number(env.PDF_RETENTION_HOURS), maxRetentionHours(env));
}
