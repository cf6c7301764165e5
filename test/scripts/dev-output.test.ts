import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { devOutputFilter } from "../../scripts/dev-output.mjs";

/** What `wrangler dev` printed for `npm start` (4.164), with a few requests and a Worker error line. */
const raw = readFileSync(join(import.meta.dirname, "fixtures", "wrangler-dev-output.txt"), "utf8");

/** The filter's output for `text`, fed in chunks that split lines (and a multi-byte character) anywhere. */
function filter(text: string, chunk = 7): string {
	let out = "";
	const f = devOutputFilter((line) => (out += line));
	for (let i = 0; i < text.length; i += chunk) f.write(text.slice(i, i + chunk));
	f.end();
	return out;
}

describe("npm start's filter of wrangler dev's output", () => {
	it("drops the banner, the bindings tables, the .dev.vars and types notes and its own /health probes", () => {
		const out = filter(raw);
		for (const noise of ["wrangler 4.164", "─────", "Using secrets defined in .dev.vars", "bindings", "env.CREDITS", "Your types might be out of date", "Starting local server", "Ready on", "GET /health 200"]) {
			expect(out, noise).not.toContain(noise);
		}
		// Positive control: the same lines are in what it was given.
		expect(raw).toContain("env.CREDITS");
		expect(raw).toContain("GET /health 200");
	});

	it("keeps the requests, the Worker's error lines and anything it does not know", () => {
		const out = filter(`${raw}✘ [ERROR] Uncaught Error: boom\n    at fetch (index.js:1:1)\nsomething new\n`);
		expect(out.split("\n").filter((line) => line.startsWith("[wrangler:info]"))).toEqual([
			"[wrangler:info] POST /v1/accounts 400 Bad Request (72ms)",
			"[wrangler:info] GET /v1/nothing 404 Not Found (94ms)",
			"[wrangler:info] POST /v1/generate 401 Unauthorized (47ms)",
		]);
		expect(out).toContain('"event":"request_failed"');
		expect(out).toContain("✘ [ERROR] Uncaught Error: boom\n    at fetch (index.js:1:1)\nsomething new\n");
		expect(out).not.toMatch(/^\n|\n\n\n/);
	});
});
