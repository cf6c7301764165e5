import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { root } from "./local-server";

describe("wrangler deploy --dry-run", () => {
	it("builds the deployable Worker offline, well under the 3 MiB (compressed) free-plan limit", () => {
		const outdir = mkdtempSync(join(tmpdir(), "quire-build-"));
		const output = execFileSync(join(root, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", outdir], {
			cwd: root,
			encoding: "utf8",
			env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
		});
		expect(output).toMatch(/--dry-run: exiting now/);
		for (const binding of ["env.DB", "env.CREDITS", "env.RENDERER", "env.BROWSER", "env.PDFS", "env.JOBS", "env.ASSETS"]) expect(output).toContain(binding);
		const bundle = readdirSync(outdir).find((f) => f.endsWith(".js"))!;
		const gzipped = gzipSync(readFileSync(join(outdir, bundle))).byteLength;
		console.log(`Worker bundle: ${(gzipped / 1024).toFixed(0)} KiB gzipped`);
		expect(gzipped).toBeLessThan(3 * 1024 * 1024);
	});
});
