import type { Role } from "../db/schema";

/** Roles from least to most: each may do what the ones before it may. */
export const ROLES = ["viewer", "developer", "owner"] as const satisfies readonly Role[];

/** Whether `role` is at least `needed`. */
export function hasRole(role: Role, needed: Role): boolean {
	return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/**
 * The exceptions to the default rule (GET/HEAD: viewer; any other method: developer). The one
 * place that says who may do what; docs/accounts.md has it as a table.
 */
const POLICY: ReadonlyArray<{ method: string; path: RegExp; role: Role }> = [
	// Anyone signed in may sign out and end their own sessions.
	{ method: "DELETE", path: /^\/v1\/session$/, role: "viewer" },
	{ method: "DELETE", path: /^\/v1\/sessions\/[^/]+$/, role: "viewer" },
	// People and the account's email are the owners'.
	{ method: "POST", path: /^\/v1\/members$/, role: "owner" },
	{ method: "DELETE", path: /^\/v1\/members\/[^/]+$/, role: "owner" },
	{ method: "POST", path: /^\/v1\/account\/email$/, role: "owner" },
];

/**
 * The least role that may make this request.
 *
 * @example neededRole("POST", "/v1/keys") // "developer"
 */
export function neededRole(method: string, path: string): Role {
	const rule = POLICY.find((r) => r.method === method && r.path.test(path));
	if (rule) return rule.role;
	return method === "GET" || method === "HEAD" ? "viewer" : "developer";
}
