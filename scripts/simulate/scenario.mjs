// One scenario: one design under one traffic pattern, on a fresh virtual clock.
import { VirtualClock } from "./clock.mjs";
import { ACCOUNTS, CLIENT_TIMEOUT_MS, random, REGION_WEIGHTS } from "./inputs.mjs";
import { REGION_ORDER } from "./latency.mjs";

/**
 * The documents' arrival rate at virtual time `t` (ms), per second: `rate` for `warmup` seconds
 * (not measured), then for `seconds` (measured): `steady` keeps `rate`; `burst` has
 * `burst.factor` × `rate` for `burst.seconds` in the middle of them. Then none.
 */
export function rateAt(t, { rate, pattern, warmup = 0, seconds, burst }) {
	const measured = t - warmup * 1000;
	if (measured >= seconds * 1000) return 0;
	if (pattern !== "burst" || measured < 0) return rate;
	const from = ((seconds - burst.seconds) / 2) * 1000;
	return measured >= from && measured < from + burst.seconds * 1000 ? rate * burst.factor : rate;
}

/** A region for the next document, by REGION_WEIGHTS. */
function pickRegion(rand) {
	let x = rand();
	for (const region of REGION_ORDER) {
		x -= REGION_WEIGHTS[region];
		if (x < 0) return region;
	}
	return REGION_ORDER[REGION_ORDER.length - 1];
}

/** The p-th percentile (0–100) of sorted values, nearest rank; null for none. */
export function percentile(sorted, p) {
	if (sorted.length === 0) return null;
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Runs `makeDesign` under `traffic` ({rate, pattern, warmup, seconds, burst}, see rateAt):
 * documents arrive as a Poisson process from every region, each from one of ACCOUNTS accounts;
 * after the traffic stops the clock runs `tailMs` more (and on until every document is answered),
 * so idle browsers are seen to go. Only documents sent after the warm-up count. Returns per region
 * (and "all") the latencies' p50/p95/p99 of the documents that got their PDF, the errors (busy
 * answers, and clients that waited past CLIENT_TIMEOUT_MS), and the browsers at most and at the end.
 */
export async function runScenario(makeDesign, traffic, { seed = 1, tailMs = 0, sampleMs = 1000 } = {}) {
	const clock = new VirtualClock();
	const rand = random(seed);
	const design = await makeDesign({ clock, rand: random(seed + 1) });
	const latencies = Object.fromEntries(REGION_ORDER.map((r) => [r, []]));
	const errors = Object.fromEntries(REGION_ORDER.map((r) => [r, 0]));
	const errorKinds = {};
	let browsersMax = 0;
	const timeline = [];
	let pending = 0;

	const measureFrom = (traffic.warmup ?? 0) * 1000;
	const send = async (region) => {
		const started = clock.now();
		const measured = started >= measureFrom;
		pending++;
		try {
			const result = await design.submit({ region, account: `acct-${Math.floor(rand() * ACCOUNTS)}` });
			const took = clock.now() - started;
			const error = !result.ok ? result.error : took > CLIENT_TIMEOUT_MS ? "CLIENT_TIMEOUT" : null;
			if (!measured) return;
			if (error) {
				errors[region]++;
				errorKinds[error] = (errorKinds[error] ?? 0) + 1;
			} else latencies[region].push(took);
		} finally {
			pending--;
		}
	};

	// One arrival pending at a time: each schedules the next, at the rate in force when it arrives.
	const arrive = () => {
		const t = clock.now();
		const rate = rateAt(t, traffic);
		if (rate <= 0) return;
		void send(pickRegion(rand));
		const gap = (-Math.log(1 - rand()) / rate) * 1000;
		clock.setTimeout(arrive, gap);
	};
	clock.setTimeout(arrive, 0);

	// The number of browsers up, sampled (and its maximum kept) every sampleMs.
	const end = ((traffic.warmup ?? 0) + traffic.seconds) * 1000 + tailMs;
	const sample = () => {
		const up = design.browsers();
		browsersMax = Math.max(browsersMax, up);
		timeline.push({ t: clock.now(), browsers: up, pending });
		if (clock.now() + sampleMs <= end) clock.setTimeout(sample, sampleMs);
	};
	clock.setTimeout(sample, 0);

	await clock.run(end);
	// Documents still out when the tail ends (a queue longer than the tail) are waited for.
	while (pending > 0) await clock.run(clock.now() + 1000);
	await design.stop?.();

	const summary = (values, errorCount) => {
		values.sort((a, b) => a - b);
		const round = (v) => (v === null ? null : Math.round(v));
		return { documents: values.length + errorCount, p50_ms: round(percentile(values, 50)), p95_ms: round(percentile(values, 95)), p99_ms: round(percentile(values, 99)), errors: errorCount };
	};
	const regions = REGION_ORDER.map((region) => ({ region, ...summary(latencies[region], errors[region]) }));
	const all = summary(REGION_ORDER.flatMap((r) => latencies[r]), REGION_ORDER.reduce((n, r) => n + errors[r], 0));
	return { regions: [...regions, { region: "all", ...all }], browsers_max: browsersMax, browsers_end: design.browsers(), error_kinds: errorKinds, timeline };
}
