import { describe, expect, it } from "vitest";
import { call, errorOf } from "../helpers";

describe("GET /health, GET /openapi.json, unknown routes", () => {
	it("health answers ok with a request id", async () => {
		const res = await call("/health");
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ status: "ok" });
		expect(res.headers.get("X-Request-Id")).toMatch(/^req_[0-9a-f]{32}$/);
	});

	it("the OpenAPI 3.1 document lists every route with its security", async () => {
		const doc = (await (await call("/openapi.json")).json()) as { openapi: string; paths: Record<string, Record<string, { security?: unknown }>> };
		expect(doc.openapi).toBe("3.1.0");
		expect(Object.keys(doc.paths).sort()).toEqual([
			"/admin/accounts/{id}/credits",
			"/admin/accounts/{id}/plan",
			"/admin/fleet",
			"/admin/stats",
			"/health",
			"/upload/{account}/{file}",
			"/v1/account",
			"/v1/account/email",
			"/v1/accounts",
			"/v1/assets",
			"/v1/assets/{id}",
			"/v1/assets/{id}/content",
			"/v1/batch",
			"/v1/batches/{id}",
			"/v1/credits",
			"/v1/files",
			"/v1/files/{id}",
			"/v1/generate",
			"/v1/generations",
			"/v1/keys",
			"/v1/keys/{id}",
			"/v1/members",
			"/v1/members/{id}",
			"/v1/merge",
			"/v1/session",
			"/v1/sessions",
			"/v1/sessions/email",
			"/v1/sessions/{id}",
			"/v1/tasks",
			"/v1/tasks/{id}",
			"/v1/templates",
			"/v1/templates/preview",
			"/v1/templates/{id}",
			"/v1/usage",
			"/v1/webhook-endpoints",
			"/v1/webhook-endpoints/{id}",
			"/v1/webhook-endpoints/{id}/deliveries",
			"/v1/webhook-endpoints/{id}/deliveries/{delivery_id}/resend",
			"/v1/webhook-secret",
		]);
		for (const path of ["/v1/generate", "/v1/usage", "/v1/generations", "/v1/tasks"]) {
			const op = doc.paths[path]!.post ?? doc.paths[path]!.get!;
			expect(op.security, path).toEqual([{ ApiKeyHeader: [] }, { BearerAuth: [] }, { SessionCookie: [] }]);
		}
		// Template ids contain "/": the document shows the plain {id} parameter, with each method.
		expect(Object.keys(doc.paths["/v1/templates/{id}"]!).sort()).toEqual(["delete", "get", "patch", "put"]);
		expect(doc.paths["/v1/templates/{id}"]!.get!.security).toEqual([{ ApiKeyHeader: [] }, { BearerAuth: [] }, { SessionCookie: [] }]);
	});

	it("an unknown route is a 404 in the contract's error shape", async () => {
		const res = await call("/v2/nothing");
		expect(res.status).toBe(404);
		expect(await errorOf(res)).toMatchObject({ code: "NOT_FOUND", request_id: expect.stringMatching(/^req_/) });
	});
});
