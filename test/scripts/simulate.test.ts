import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"];

interface Scenario {
	design: "single" | "fleet";
	rate: number;
	pattern: "steady" | "burst";
	region: string;
	documents: number;
	p50_ms: number | null;
	p95_ms: number | null;
	p99_ms: number | null;
	errors: number;
	browsers_max: number;
	browsers_end: number;
}
interface Output {
	scenarios: Scenario[];
	run: { fleet: { browserLimit: number } };
	assumptions: { render_ms: { p50: number; p95: number }; intra_region_rtt_ms: number; rtt_ms: Record<string, Record<string, number>> };
}

/**
 * `npm run simulate -- --json`, shortened (30 s of warm-up, 30 s measured) to the two rates the
 * targets are about: 100 documents/s (the fleet's target) and 10 (where the single renderer still
 * answers, so its far regions' p50 can be compared with the fleet's).
 */
let stdout = "";
let output: Output;
const row = (design: string, rate: number, region: string) => {
	const found = output.scenarios.find((s) => s.design === design && s.rate === rate && s.pattern === "steady" && s.region === region);
	if (!found) throw new Error(`no ${design} ${rate}/s ${region} row`);
	return found;
};

beforeAll(() => {
	stdout = execFileSync("npm", ["run", "-s", "simulate", "--", "--json", "--rates", "10,100", "--patterns", "steady", "--warmup", "30", "--seconds", "30"], {
		cwd: root,
		encoding: "utf8",
		timeout: 120_000,
	});
	output = JSON.parse(stdout);
}, 120_000);

describe("npm run simulate -- --json", () => {
	it("prints one line of JSON with one entry per design × rate × pattern × region (and an 'all' row), in the documented shape", () => {
		expect(stdout.trimEnd().split("\n")).toHaveLength(1);
		for (const design of ["single", "fleet"]) {
			for (const rate of [10, 100]) {
				for (const region of [...REGIONS, "all"]) {
					const scenario = row(design, rate, region);
					for (const field of ["p50_ms", "p95_ms", "p99_ms"] as const) expect(scenario[field] === null || typeof scenario[field] === "number").toBe(true);
					expect(Number.isInteger(scenario.errors)).toBe(true);
					expect(scenario.browsers_max).toBeGreaterThanOrEqual(1);
				}
			}
		}
		expect(output.scenarios).toHaveLength(2 * 2 * (REGIONS.length + 1));
		// Every document is counted once: the regions' documents add up to the "all" row's.
		const all = row("fleet", 100, "all");
		expect(REGIONS.reduce((n, region) => n + row("fleet", 100, region).documents, 0)).toBe(all.documents);
		expect(all.documents).toBeGreaterThan(2500); // ~100/s for 30 s
	});

	it("the fleet at 100 documents/s: every region's p95 within 60 ms of the render time's p95, no errors, browsers within the limit and let go after", () => {
		const target = output.assumptions.render_ms.p95 + 60;
		for (const region of REGIONS) {
			const fleet = row("fleet", 100, region);
			expect(fleet.errors, region).toBe(0);
			expect(fleet.p95_ms, region).not.toBeNull();
			expect(fleet.p95_ms!, region).toBeLessThanOrEqual(target);
		}
		const all = row("fleet", 100, "all");
		expect(all.browsers_max).toBeLessThanOrEqual(output.run.fleet.browserLimit);
		expect(all.browsers_max).toBeGreaterThanOrEqual(REGIONS.length); // a browser in every region
		expect(all.browsers_end).toBe(0); // after the idle time, with no warm minimum
		// Positive control: the same check fails for the single renderer, even at a tenth of the rate.
		const failing = REGIONS.filter((region) => (row("single", 10, region).p95_ms ?? Infinity) > target);
		expect(failing).toEqual(expect.arrayContaining(["apac", "oc", "afr", "me"]));
	});

	it("the single renderer's far regions (apac, oc) wait about an ocean's round trip longer at p50 than the fleet's", () => {
		const { rtt_ms, intra_region_rtt_ms } = output.assumptions;
		for (const region of ["apac", "oc"]) {
			const single = row("single", 10, region).p50_ms!;
			const fleet = row("fleet", 10, region).p50_ms!;
			// The single design crosses to enam and back; the fleet renders in the region (one hop inside it).
			const ocean = rtt_ms[region]!.enam! - intra_region_rtt_ms;
			expect(ocean).toBeGreaterThan(150);
			expect(single - fleet, region).toBeGreaterThan(ocean - 50);
			expect(single - fleet, region).toBeLessThan(ocean + 50);
		}
		// And where it falls over: at 100 documents/s one browser of four pages (~30/s) can't keep up.
		expect(row("single", 100, "all").errors).toBeGreaterThan(row("single", 100, "all").documents / 2);
		expect(row("single", 10, "all").errors).toBe(0);
	});
});
