#!/usr/bin/env node
// `npm run simulate`: the renderer fleet at internet scale, on a virtual clock. It drives the
// fleet's own dispatch, page slots and placement (src/rendering/fleet) with simulated renderers,
// network and browsers, beside today's design (one renderer in enam), under traffic from all nine
// regions, and prints a table per design × rate × pattern × region (docs/fleet.md#simulation).
//
//   npm run simulate                       the whole comparison (1, 10, 100, 1,000 documents/s)
//   npm run simulate -- --json             the same as one line of JSON
//   npm run simulate -- --rates 100 --designs fleet --patterns steady --seconds 30
//   npm run simulate -- --fleet '{"minWarm":1,"maxPerRegion":4}'   other fleet settings
//
// Options: --designs single,fleet  --rates 1,10,100,1000  --patterns steady,burst
// --seconds N (measured, default 90)  --warmup N (ramp-up, default 60)  --burst-factor N (10)
// --burst-seconds N (30)  --idle-seconds N (the fleet's idle time; default the config's)
// --isolates N (Worker isolates per region, 10)  --registry REGION (enam)  --seed N (1)  --json
import { parseArgs } from "node:util";
import { loadFleetCore } from "./simulate/core.mjs";
import { FLEET_SIM_DEFAULTS, fleetDesign } from "./simulate/fleet.mjs";
import { runScenario } from "./simulate/scenario.mjs";
import { ACCOUNT_SLOTS, ACCOUNTS, CLIENT_TIMEOUT_MS, LAUNCH_MS, REGION_WEIGHTS, RENDER_MS } from "./simulate/inputs.mjs";
import { INTRA_REGION_RTT_MS, REGION_ORDER, rtt } from "./simulate/latency.mjs";
import { singleDesign } from "./simulate/single.mjs";

const { values } = parseArgs({
	options: {
		json: { type: "boolean", default: false },
		designs: { type: "string", default: "single,fleet" },
		rates: { type: "string", default: "1,10,100,1000" },
		patterns: { type: "string", default: "steady,burst" },
		seconds: { type: "string", default: "90" },
		warmup: { type: "string", default: "60" },
		"burst-factor": { type: "string", default: "10" },
		"burst-seconds": { type: "string", default: "30" },
		"idle-seconds": { type: "string" },
		isolates: { type: "string", default: String(FLEET_SIM_DEFAULTS.isolates) },
		registry: { type: "string", default: FLEET_SIM_DEFAULTS.registryRegion },
		fleet: { type: "string", default: "{}" },
		seed: { type: "string", default: "1" },
	},
});

const list = (text) => text.split(",").map((item) => item.trim()).filter(Boolean);
const core = await loadFleetCore();

/**
 * The fleet's configuration in the simulation: the Worker's defaults (config.ts, with Browser
 * Rendering's published limits), except that one region may use the whole account's browsers:
 * the defaults' per-region maximum suits a small deployment, and at internet scale only Browser
 * Rendering's own limits should bind. `--fleet` overrides any field.
 */
const config = { ...core.DEFAULT_FLEET, maxPerRegion: core.DEFAULT_FLEET.browserLimit, ...JSON.parse(values.fleet) };
if (values["idle-seconds"] !== undefined) config.idleMs = Number(values["idle-seconds"]) * 1000;

const traffic = {
	warmup: Number(values.warmup),
	seconds: Number(values.seconds),
	burst: { factor: Number(values["burst-factor"]), seconds: Number(values["burst-seconds"]) },
};
const designs = {
	single: () => singleDesign,
	fleet: () => fleetDesign(core, config, { isolates: Number(values.isolates), registryRegion: values.registry }),
};

const scenarios = [];
const runs = [];
for (const design of list(values.designs)) {
	if (!designs[design]) throw new Error(`unknown design ${design} (single, fleet)`);
	for (const rate of list(values.rates).map(Number)) {
		for (const pattern of list(values.patterns)) {
			const started = performance.now();
			// After the traffic, the idle time and two minutes more (a renderer looks at its idleness at
			// most every minute, at its alarm): idle browsers are seen to go.
			const result = await runScenario(designs[design](), { ...traffic, rate, pattern }, { seed: Number(values.seed), tailMs: config.idleMs + 120_000 });
			runs.push({ design, rate, pattern, real_ms: Math.round(performance.now() - started) });
			for (const row of result.regions) {
				const extra = row.region === "all" ? result.service : {}; // launches, and launches Browser Rendering refused
				scenarios.push({ design, rate, pattern, ...row, browsers_max: result.browsers_max, browsers_end: result.browsers_end, ...extra });
			}
		}
	}
}

if (values.json) {
	const assumptions = {
		render_ms: RENDER_MS,
		launch_ms: LAUNCH_MS,
		region_weights: REGION_WEIGHTS,
		accounts: ACCOUNTS,
		account_slots: ACCOUNT_SLOTS,
		client_timeout_ms: CLIENT_TIMEOUT_MS,
		intra_region_rtt_ms: INTRA_REGION_RTT_MS,
		rtt_ms: Object.fromEntries(REGION_ORDER.map((from) => [from, Object.fromEntries(REGION_ORDER.map((to) => [to, rtt(from, to)]))])),
	};
	const run = { fleet: config, ...traffic, isolates: Number(values.isolates), registry: values.registry, seed: Number(values.seed) };
	console.log(JSON.stringify({ scenarios, run, assumptions }));
} else {
	printTable(scenarios);
	const total = runs.reduce((sum, run) => sum + run.real_ms, 0);
	console.log(`\n${runs.length} scenarios in ${(total / 1000).toFixed(1)} s of real time. Latencies: documents that got their PDF, sent after the ${traffic.warmup} s warm-up; errors: 503 RENDERER_BUSY (fleet) or clients that gave up after 30 s (single).`);
}

/** A plain-text table, one line per design × rate × pattern × region. */
function printTable(rows) {
	const columns = ["design", "rate", "pattern", "region", "documents", "p50_ms", "p95_ms", "p99_ms", "errors", "browsers_max", "browsers_end"];
	const cells = rows.map((row) => columns.map((column) => String(row[column] ?? "–")));
	const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((line) => line[i].length)));
	const line = (items) => items.map((item, i) => (i < 4 ? item.padEnd(widths[i]) : item.padStart(widths[i]))).join("  ");
	console.log(line(columns));
	for (const row of cells) console.log(line(row));
}
