// One scenario: one design under one traffic pattern, on a fresh virtual clock.
import { VirtualClock } from "./clock.mjs";
import { ACCOUNTS, CLIENT_TIMEOUT_MS, random, REGION_WEIGHTS } from "./inputs.mjs";
import { REGION_ORDER } from "./latency.mjs";

/**
 * The documents' arrival rate at virtual time `t` (ms), per second: first a warm-up of `warmup`
 * seconds, not measured, rising evenly from nothing to `rate` (as traffic grows, so the fleet
 * can scale up within its launch rate); then `seconds`, measured: `steady` keeps `rate`; `burst`
 * has `burst.factor` × `rate` for `burst.seconds` in the middle of them. Then none.
 */
export function rateAt(t, { rate, pattern, warmup = 0, seconds, burst }) {
	t = Math.floor(t / 1000) * 1000; // the rate holds for whole seconds
	const measured = t - warmup * 1000;
	if (measured >= seconds * 1000) return 0;
	if (measured < 0) return (rate * (t + 500)) / (warmup * 1000);
	if (pattern !== "burst") return rate;
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

	// One arrival pending at a time: each schedules the next. The rate is constant within each
	// second, so a gap that runs past the second is drawn again from its end at the next second's
	// rate (exact for a Poisson process, which has no memory).
	const trafficEnd = ((traffic.warmup ?? 0) + traffic.seconds) * 1000;
	const nextArrival = (t) => {
		while (t < trafficEnd) {
			const rate = rateAt(t, traffic);
			const secondEnd = Math.floor(t / 1000) * 1000 + 1000;
			const at = rate > 0 ? t + (-Math.log(1 - rand()) / rate) * 1000 : Infinity;
			if (at < secondEnd) return at;
			t = secondEnd;
		}
		return null;
	};
	const arrive = () => {
		void send(pickRegion(rand));
		const at = nextArrival(clock.now());
		if (at !== null) clock.setTimeout(arrive, at - clock.now());
	};
	const first = nextArrival(0);
	if (first !== null) clock.setTimeout(arrive, first);

	// The number of browsers up, sampled (and its maximum kept) every sampleMs.
	const end = trafficEnd + tailMs;
	const sample = () => {
		const up = design.browsers();
		browsersMax = Math.max(browsersMax, up);
		timeline.push({ t: clock.now(), browsers: up, pending });
		if (process.env.SIM_DEBUG) console.error(`t=${clock.now() / 1000}s browsers=${up} pending=${pending} real=${Math.round(performance.now())}`);
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
	return { regions: [...regions, { region: "all", ...all }], browsers_max: browsersMax, browsers_end: design.browsers(), error_kinds: errorKinds, service: design.stats?.() ?? {}, timeline };
}
