import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ensureSystemPackages, FONT_PACKAGES, TOOL_PACKAGES } from "../../scripts/prepare.mjs";

describe("ensureSystemPackages", () => {
	afterEach(() => vi.restoreAllMocks());

	it("on a machine that has every font and tool (what it looks for is found), does nothing and prints nothing", () => {
		// What it checks for is really there (the test machine ran prepare): fontconfig lists each
		// family, and each command runs.
		for (const { family } of FONT_PACKAGES) expect(execFileSync("fc-list", [family], { encoding: "utf8" }), family).toMatch(/\.(ttc|ttf|otf)/);
		for (const { command } of TOOL_PACKAGES) expect(() => execFileSync(command, ["-h"], { stdio: "ignore" }), command).not.toThrow();
		const log = vi.spyOn(console, "log");
		const stderr = vi.spyOn(process.stderr, "write");
		ensureSystemPackages();
		expect(log).not.toHaveBeenCalled();
		expect(stderr).not.toHaveBeenCalled();
	});
});
