import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "./local-server";

/**
 * `npm test`'s output is what passed and what failed: no runtime warnings. One Worker test file
 * that renders PDFs and checks statuses, run as `npm test` runs it.
 */
describe("npm test's output", () => {
	it("a passing Worker test file prints its result and the summary, and no warnings", () => {
		const file = "test/routes/v1/generate-page-options.test.ts";
		const run = spawnSync(join(root, "node_modules", ".bin", "vitest"), ["run", "--project", "worker", file], {
			cwd: root,
			encoding: "utf8",
			env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
			stdio: ["ignore", "pipe", "pipe"],
		});
		const output = `${run.stdout}${run.stderr}`;
		expect(run.status, output).toBe(0);
		// Positive control: the run rendered PDFs (every test in the file makes one) and says so.
		expect(output).toMatch(/✓ .*generate-page-options\.test\.ts \((\d+) tests\)/);
		const tests = /generate-page-options\.test\.ts \((\d+) tests\)/.exec(output)![1];
		expect(output).toMatch(new RegExp(`Tests\\s+${tests} passed`));
		for (const warning of ["Called .text() on an HTTP body", "An event handler returned a promise", "Using secrets defined in .dev.vars", "console warning"]) {
			expect(output, warning).not.toContain(warning);
		}
	});
});
