import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { ERROR_STATUS } from "../src/http/errors";
import { SCALAR_BUNDLE } from "../src/routes/docs";
import { call } from "./helpers";

/**
 * Routes that are not part of the API, and so not in the OpenAPI document: web pages (the site,
 * the dashboard, the reference), the document itself, and the links of sign-in and email-change
 * emails (/auth/*, which redirect to the dashboard). A path matches an entry exactly, or
 * lies below one that ends in `/*`. Every other route the app registers is API and must be
 * documented; nothing under /v1, /admin or /upload may be listed here.
 */
const NOT_API = ["/", "/signup", "/dashboard", "/dashboard/*", "/docs", "/openapi.json", "/auth/*"];

const isPage = (path: string) => NOT_API.some((entry) => (entry.endsWith("/*") ? path.startsWith(entry.slice(0, -1)) : path === entry));

/** Hono's path syntax as OpenAPI's: `:id` and `:id{.+}` become `{id}`. */
const openApiPath = (path: string) => path.replace(/:(\w+)(\{[^}]*\}+)?/g, "{$1}");

type Schema = Record<string, any>;
interface Operation {
	operationId?: string;
	summary?: string;
	tags?: string[];
	security?: unknown[];
	parameters?: Array<{ name: string; in: string; description?: string; example?: unknown; schema?: Schema }>;
	requestBody?: { content: Record<string, { schema: Schema }> };
	responses: Record<string, { description?: string; content?: Record<string, { schema: Schema; examples?: Record<string, { value: any }> }> }>;
}
interface Document {
	openapi: string;
	servers?: Array<{ url: string }>;
	tags?: Array<{ name: string; description?: string }>;
	paths: Record<string, Record<string, Operation>>;
	components: { schemas: Record<string, Schema> };
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
let doc: Document;

function operations(): Array<{ where: string; op: Operation }> {
	return Object.entries(doc.paths).flatMap(([path, item]) =>
		Object.entries(item)
			.filter(([method]) => METHODS.includes(method))
			.map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, op })),
	);
}

const refTarget = (ref: string) => doc.components.schemas[ref.replace("#/components/schemas/", "")];

/** A property is documented by a description or an example, on itself or on the schema it refers to. */
function documented(schema: Schema): boolean {
	if (schema.description || schema.example !== undefined || schema.examples !== undefined) return true;
	if (schema.$ref) return documented(refTarget(schema.$ref) ?? {});
	const members = schema.allOf ?? schema.anyOf ?? schema.oneOf;
	return Array.isArray(members) && members.some((m: Schema) => m.type !== "null" && documented(m));
}

/** The paths (`Schema.field.sub[]`) of every property in `schema` that has neither description nor example. */
function undocumented(schema: Schema | undefined, at: string, out: string[]): string[] {
	if (!schema || typeof schema !== "object" || schema.$ref) return out; // components are walked on their own
	for (const [name, property] of Object.entries<Schema>(schema.properties ?? {})) {
		if (!documented(property)) out.push(`${at}.${name}`);
		undocumented(property, `${at}.${name}`, out);
	}
	if (schema.items) undocumented(schema.items, `${at}[]`, out);
	if (typeof schema.additionalProperties === "object") undocumented(schema.additionalProperties, `${at}{}`, out);
	for (const key of ["allOf", "anyOf", "oneOf"]) for (const [i, member] of (schema[key] ?? []).entries()) undocumented(member, `${at}|${i}`, out);
	return out;
}

beforeAll(async () => {
	const res = await call("/openapi.json");
	expect(res.status).toBe(200);
	doc = (await res.json()) as Document;
});

describe("the OpenAPI document is complete", () => {
	it("documents every API route the app registers, with its method", () => {
		// Middleware is registered as `ALL` routes; a route's own middleware repeats its method and path.
		const registered = [...new Set(createApp().routes.filter((r) => r.method !== "ALL").map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`))];
		const api = registered.filter((route) => !isPage(route.split(" ")[1]!));
		expect(api.length).toBeGreaterThan(15);
		const missing = api.filter((route) => {
			const [method, path] = route.split(" ") as [string, string];
			return !doc.paths[path]?.[method];
		});
		expect(missing, `routes missing from /openapi.json:\n${missing.join("\n")}`).toEqual([]);
		for (const entry of NOT_API) expect(entry).not.toMatch(/^\/(v1|admin|upload)(\/|$)/);
		// And the document lists no route the app doesn't have.
		const documentedRoutes = operations().map(({ where }) => where.replace(/^(\w+) /, (_, m: string) => `${m.toLowerCase()} `));
		const phantom = documentedRoutes.filter((route) => !registered.includes(route));
		expect(phantom, `documented routes the app does not serve:\n${phantom.join("\n")}`).toEqual([]);
	});

	it("gives every operation an id, a summary, described tags, a 2xx response and its error responses", () => {
		const problems: string[] = [];
		const ids = new Set<string>();
		const describedTags = new Set((doc.tags ?? []).filter((t) => t.description).map((t) => t.name));
		for (const { where, op } of operations()) {
			if (!op.operationId) problems.push(`${where}: no operationId`);
			else if (ids.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} used twice`);
			else ids.add(op.operationId);
			if (!op.summary) problems.push(`${where}: no summary`);
			if (!op.tags?.length) problems.push(`${where}: no tag`);
			for (const tag of op.tags ?? []) if (!describedTags.has(tag)) problems.push(`${where}: tag "${tag}" has no description in the document's tags`);
			const statuses = Object.keys(op.responses);
			if (!statuses.some((s) => /^2\d\d$/.test(s))) problems.push(`${where}: no 2xx response`);
			for (const status of statuses) if (!op.responses[status]!.description) problems.push(`${where}: response ${status} has no description`);
			// What the app's middleware can answer on any such route.
			const needed = ["500"];
			if (op.security?.length) needed.push("401");
			if (op.requestBody) needed.push("400", "413");
			for (const status of needed) if (!statuses.includes(status)) problems.push(`${where}: no ${status} response`);
			for (const status of statuses.filter((s) => /^[45]/.test(s))) {
				const json = op.responses[status]!.content?.["application/json"];
				if (json?.schema?.$ref !== "#/components/schemas/Error") problems.push(`${where}: ${status} is not the Error schema`);
				const codes = Object.values(json?.examples ?? {}).map((e) => e.value?.error?.code);
				const expected = Object.entries(ERROR_STATUS).filter(([, s]) => String(s) === status).map(([code]) => code);
				if (expected.length === 0) problems.push(`${where}: ${status} is no error code's status`);
				for (const code of expected) if (!codes.includes(code)) problems.push(`${where}: ${status} has no example of ${code}`);
			}
		}
		expect(problems, problems.join("\n")).toEqual([]);
	});

	it("describes or exemplifies every property and parameter", () => {
		const missing: string[] = [];
		for (const [name, schema] of Object.entries(doc.components.schemas)) undocumented(schema, name, missing);
		for (const { where, op } of operations()) {
			for (const p of op.parameters ?? []) {
				if (!p.description && p.example === undefined && !documented(p.schema ?? {})) missing.push(`${where} ${p.in} parameter ${p.name}`);
			}
			for (const [type, { schema }] of Object.entries(op.requestBody?.content ?? {})) undocumented(schema, `${where} request ${type}`, missing);
			for (const [status, response] of Object.entries(op.responses)) {
				for (const [type, { schema }] of Object.entries(response.content ?? {})) undocumented(schema, `${where} ${status} ${type}`, missing);
			}
		}
		expect(missing, `properties with neither description nor example:\n${missing.join("\n")}`).toEqual([]);
	});

	it("types request bodies as clients send them: no request body refers to a component with a defaulted property", () => {
		// openapi-typescript types a property with a `default` as required in a component schema (as a
		// response would have it) and as optional only in an inline request body; so request bodies
		// whose fields have defaults are inline (test/scripts/openapi-clients.test.ts compiles them).
		const problems: string[] = [];
		for (const { where, op } of operations()) {
			const schema = op.requestBody?.content["application/json"]?.schema;
			const target = schema?.$ref ? refTarget(schema.$ref) : undefined;
			for (const [name, property] of Object.entries<Schema>(target?.properties ?? {})) if (property.default !== undefined) problems.push(`${where}: ${schema!.$ref} .${name}`);
		}
		expect(problems, problems.join("\n")).toEqual([]);
	});

	it("lists every error code of src/http/errors.ts in the Error schema", () => {
		const codes = doc.components.schemas.Error?.properties?.error?.properties?.code?.enum;
		expect([...codes].sort()).toEqual(Object.keys(ERROR_STATUS).sort());
		const text = JSON.stringify(doc.paths);
		const unused = Object.keys(ERROR_STATUS).filter((code) => !text.includes(`"code":"${code}"`));
		expect(unused, `error codes with no example in any response:\n${unused.join("\n")}`).toEqual([]);
	});

	it("has relative servers, so the reference's requests go to the origin it is served from", () => {
		expect(doc.openapi).toBe("3.1.0");
		expect(doc.servers).toEqual([expect.objectContaining({ url: "/" })]);
	});
});

describe("GET /docs", () => {
	it("is an HTML page that loads the self-hosted reference, and is not in the OpenAPI document", async () => {
		const res = await call("/docs");
		expect(res.status).toBe(200);
		expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
		const html = await res.text();
		expect(html).toMatch(/<html lang="en">/);
		expect(html).toMatch(/<title>[^<]+<\/title>/);
		expect(html).toContain(`<script src="${SCALAR_BUNDLE}">`);
		expect(html).toContain('href="/openapi.json"');
		expect(html).not.toMatch(/https?:\/\//); // nothing on another origin
		const csp = res.headers.get("Content-Security-Policy") ?? "";
		for (const directive of ["default-src 'self'", "connect-src 'self'", "font-src 'self' data:"]) expect(csp).toContain(directive);
		expect(doc.paths["/docs"]).toBeUndefined();
		expect(doc.paths["/openapi.json"]).toBeUndefined();
	});
});
