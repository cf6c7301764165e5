import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { root, startLocalServer, type LocalServer } from "./local-server";

/**
 * What people build from the served /openapi.json with tools nobody here wrote: TypeScript types
 * (openapi-typescript, with its default options) that must accept the requests the README and the
 * two services' docs send, and Redocly's linter, which must find nothing.
 */

let server: LocalServer;
let dir: string;
let document: Record<string, any>;

beforeAll(async () => {
	server = await startLocalServer();
	dir = mkdtempSync(join(tmpdir(), "quire-openapi-clients-"));
	const response = await fetch(`${server.base}/openapi.json`);
	expect(response.status).toBe(200);
	document = (await response.json()) as Record<string, any>;
});

afterAll(async () => {
	await server?.stop();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

/** tsc's diagnostics for `files` (in `dir`), strict, as text. */
function typeErrors(files: string[]): string[] {
	const program = ts.createProgram(
		files.map((file) => join(dir, file)),
		{ strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, types: [], skipLibCheck: false },
	);
	return ts.getPreEmitDiagnostics(program).map((d) => {
		const where = d.file ? `${d.file.fileName.replace(`${dir}/`, "")}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
		return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
	});
}

describe("types generated with openapi-typescript", () => {
	it("accept the README's and the seeds' requests, and tell POST /v1/generate's answers apart", async () => {
		writeFileSync(join(dir, "quire-api.d.ts"), astToString(await openapiTS(document as OpenAPI3)));
		copyFileSync(join(root, "test/scripts/fixtures/client-requests.ts"), join(dir, "client-requests.ts"));
		const errors = typeErrors(["client-requests.ts"]);
		expect(errors, errors.join("\n")).toEqual([]);

		// The check bites: a request the API refuses does not compile against the same types.
		writeFileSync(
			join(dir, "wrong.ts"),
			`import type { paths } from "./quire-api";
type Generate = paths["/v1/generate"]["post"]["requestBody"]["content"]["application/json"];
export const wrong: Generate = { template_id: "invoices/invoice", return_type: "pdf" };
`,
		);
		expect(typeErrors(["wrong.ts"]).join("\n")).toMatch(/"pdf"/);
	});
});

const exec = promisify(execFile);

/** `redocly lint` of a document, with the repository's redocly.yaml, offline. */
async function lint(doc: unknown): Promise<{ totals: { errors: number; warnings: number }; problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }> }> {
	const file = join(dir, `lint-${Date.now()}.json`);
	writeFileSync(file, JSON.stringify(doc));
	const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" };
	const args = ["lint", file, "--config", join(root, "redocly.yaml"), "--format", "json"];
	// It exits with 1 when it finds errors; the report is on stdout either way.
	const { stdout } = await exec(join(root, "node_modules/.bin/redocly"), args, { cwd: root, env, maxBuffer: 64 * 1024 * 1024 }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
	return JSON.parse(stdout);
}

describe("redocly lint", () => {
	it("finds no error and no warning in the served document", async () => {
		const report = await lint(document);
		const problems = report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
		expect(problems, problems.join("\n")).toEqual([]);
		expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });

		// The linter bites: an operation with no security, not even `[]`, is an error.
		const broken = structuredClone(document);
		delete broken.paths["/health"].get.security;
		expect((await lint(broken)).totals.errors).toBe(1);
	});
});
