import type { OpenAPIHono } from "@hono/zod-openapi";
import type { KeyMode } from "../auth/api-key";
import type { RateState } from "../credits/credits";
import type { Db } from "../db";
import type { Role } from "../db/schema";

/** Who is calling: set by the `apiKeyAuth` middleware on authenticated routes. */
export interface AuthContext {
	accountId: string;
	/** How the caller authenticated: an API key, or a member's session cookie (docs/accounts.md). */
	via: "key" | "session";
	/** The key's id, or the session's (`ses_…`): what generation logs and idempotency records name. */
	keyId: string;
	/** The member signed in (sessions only). */
	memberId: string | null;
	/** What the caller may do: the member's role; an API key acts as a developer (owner-only actions need an owner's session). */
	role: Role;
	/** A session acts as live. */
	mode: KeyMode;
	plan: string;
	/** The account's setting: rendered pages may load nothing remote. */
	blockRemote: boolean;
	/** The account's setting: rendered pages run their scripts (a request's `javascript` overrides it). */
	javascript: boolean;
	/** The account's default retention of hosted PDFs, in hours; null: the server's (`PDF_RETENTION_HOURS`). */
	expiresInHours: number | null;
}

/** Hono's environment for this app: bindings from `wrangler types`, per-request services in `c.var`. */
export interface AppEnv {
	Bindings: Env;
	Variables: {
		requestId: string;
		startedAt: number;
		db: Db;
		auth: AuthContext;
		/** The account's request rate, once counted: `rateLimit()` puts it in the `X-RateLimit-*` headers. */
		rate?: RateState;
	};
}

export type App = OpenAPIHono<AppEnv>;
