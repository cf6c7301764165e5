// What `npm start` shows of `wrangler dev`'s output: everything except the known noise below, so the
// Worker's own logs, its uncaught errors with their stacks, wrangler's errors and the request lines
// get through, and anything new is shown rather than hidden. `npm start -- --verbose` shows it all.

// ANSI colour codes, so a pattern matches coloured and plain output alike.
const ANSI = /\x1b\[[0-9;]*m/g;

/** Lines dropped on their own, each with why nobody running `npm start` needs it. */
export const NOISE = [
	// The banner: which wrangler runs is in package-lock.json.
	{ pattern: /^\s*⛅️ wrangler \d/, why: "wrangler's version banner" },
	{ pattern: /^─+$/, why: "the banner's underline" },
	// scripts/prepare.mjs writes .dev.vars; that wrangler read it is not news.
	{ pattern: /^Using secrets defined in \.dev\.vars$/, why: "says .dev.vars was read, which prepare.mjs wrote" },
	// `--var ALLOW_LOOPBACK` and the .dev.vars secrets differ from worker-configuration.d.ts by design;
	// `npm test`'s typecheck is where stale types matter.
	{ pattern: /Your types might be out of date/, why: "the local --var and secrets are not in the generated types, on purpose" },
	{ pattern: /^⎔ (Starting local server|Connection status updated|Reloading local server|Local server updated)/, why: "wrangler's internal progress; start.mjs prints when the server answers" },
	// start.mjs prints the URL, with what to do next, once /health answers.
	{ pattern: /\[wrangler:info\] Ready on /, why: "start.mjs prints the URL once the server answers" },
	// start.mjs polls /health until the server answers: those requests are its own, not the user's.
	{ pattern: /\[wrangler:info\] GET \/health 200 /, why: "start.mjs's own readiness probes" },
];

/** Blocks dropped from their first line to the next blank line. */
export const NOISE_BLOCKS = [
	// All bindings are local and listed in wrangler.toml; wrangler prints the table twice.
	{ start: /^Your Worker has access to the following bindings:$/, why: "the bindings table, twice, all local: wrangler.toml lists them" },
];

/**
 * A line filter for `wrangler dev`'s output: feed it chunks, it writes the lines a person needs.
 * @example const filter = devOutputFilter((line) => process.stdout.write(line)); child.stdout.on("data", filter.write)
 */
export function devOutputFilter(emit) {
	let pending = "";
	let inBlock = false;
	// Dropped lines leave their blank lines behind: keep at most one in a row, none first.
	let lastBlank = true;
	const line = (text) => {
		const plain = text.replace(ANSI, "").trimEnd();
		if (inBlock) {
			if (plain === "") inBlock = false;
			return;
		}
		if (NOISE_BLOCKS.some((block) => block.start.test(plain))) {
			inBlock = true;
			return;
		}
		if (NOISE.some((noise) => noise.pattern.test(plain))) return;
		if (plain === "" && lastBlank) return;
		lastBlank = plain === "";
		emit(`${text}\n`);
	};
	return {
		write(chunk) {
			pending += chunk;
			const lines = pending.split("\n");
			pending = lines.pop();
			for (const text of lines) line(text);
		},
		end() {
			if (pending) line(pending);
			pending = "";
		},
	};
}
