import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { chromeLauncher, ensureSystemPackages, FONT_PACKAGES, TOOL_PACKAGES } from "../../scripts/prepare.mjs";

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

describe("chromeLauncher", () => {
	let dir: string;
	beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), "quire-launcher-"))));
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	/** Runs the launcher with a stand-in Chromium that prints the arguments it was given, one per line. */
	function launch(args: string[]) {
		const chromium = join(dir, "chromium");
		writeFileSync(chromium, `#!/bin/sh\nprintf '%s\\n' "$@"\n`, { mode: 0o755 });
		const launcher = join(dir, "chrome");
		writeFileSync(launcher, chromeLauncher(chromium), { mode: 0o755 });
		const profile = join(dir, "profile");
		const given = execFileSync(launcher, args.map((arg) => arg.replace("<profile>", profile)), { encoding: "utf8" }).trimEnd().split("\n");
		return { given: given.filter((arg) => arg !== "--no-sandbox"), profile };
	}

	it("adds the spare renderer process to miniflare's disabled features, and passes every other argument through as it was", () => {
		const { given, profile } = launch(["--disable-features=Translate,IsolateSandboxedIframes", "--headless=new", "an argument with spaces", "--user-data-dir=<profile>", "about:blank"]);
		expect(given).toEqual([
			"--disable-features=Translate,IsolateSandboxedIframes,SpareRendererForSitePerProcess",
			"--headless=new",
			"an argument with spaces",
			`--user-data-dir=${profile}`,
			"about:blank",
		]);
		// The profile miniflare gives it opens no connection ahead of a request.
		expect(JSON.parse(readFileSync(join(profile, "Default", "Preferences"), "utf8"))).toEqual({ net: { network_prediction_options: 2 } });
	});

	it("disables the spare renderer process when it is given no disabled features", () => {
		expect(launch(["--headless=new"]).given).toEqual(["--headless=new", "--disable-features=SpareRendererForSitePerProcess"]);
	});
});
