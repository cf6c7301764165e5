import { execFileSync } from "node:child_process";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ensureFonts, FONT_PACKAGES } from "../../scripts/prepare.mjs";

describe("ensureFonts", () => {
	afterEach(() => vi.restoreAllMocks());

	it("on a machine that has every font (the families it looks for are found), does nothing and prints nothing", () => {
		// What it checks for is really there: fontconfig lists each family (the test machine ran prepare).
		for (const { family } of FONT_PACKAGES) expect(execFileSync("fc-list", [family], { encoding: "utf8" }), family).toMatch(/\.(ttc|ttf|otf)/);
		const log = vi.spyOn(console, "log");
		const stderr = vi.spyOn(process.stderr, "write");
		ensureFonts();
		expect(log).not.toHaveBeenCalled();
		expect(stderr).not.toHaveBeenCalled();
	});
});
