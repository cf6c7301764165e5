import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Runtime noise that is not ours to fix, dropped from the output:
 * - @cloudflare/puppeteer (1.4.0, the latest) listens to its Browser Rendering WebSocket with an
 *   async function (WorkersWebSocketTransport), and workerd warns about that once per test file
 *   that renders;
 * - miniflare's local Browser Rendering proxy (browser-rendering/binding.worker.js) forwards a
 *   message Chrome sends after a browser was closed to the closed socket, and workerd reports its
 *   exception as uncaught (each time a renderer lets its browser go).
 * The pool writes workerd's logs straight to stdout and stderr, where `onConsoleLog` never sees
 * them, so only those lines are dropped there.
 */
function dropRuntimeNoise() {
	const noise = ["An event handler returned a promise that will be ignored.", "Can't call WebSocket send() after close()"];
	for (const stream of [process.stdout, process.stderr]) {
		const write = stream.write as ((...args: unknown[]) => boolean) & { dropsRuntimeNoise?: true };
		if (write.dropsRuntimeNoise) continue;
		const filtered = (chunk: unknown, ...rest: unknown[]) => (noise.some((line) => String(chunk).includes(line)) ? true : write.call(stream, chunk, ...rest));
		stream.write = Object.assign(filtered, { dropsRuntimeNoise: true as const }) as unknown as typeof stream.write;
	}
}

export default defineConfig({
	test: {
		// What a passing test logs (the error lines that failure tests provoke on purpose) is noise;
		// a failing test's logs are shown with its failure.
		silent: "passed-only",
		// A test that renders takes 0.3–2 s: the reporter lists a passing test on its own line only
		// when it is slower than this.
		slowTestThreshold: 10_000,
		projects: [
			{
				// The Worker's tests, inside workerd against the real local D1, Durable Objects, R2,
				// Queues and Browser Rendering (a real Chromium).
				plugins: [
					cloudflareTest(async () => {
						// wrangler reads wrangler.toml for the plugin and says "Using secrets defined in .dev.vars"
						// for every test file, though the secrets below replace those of .dev.vars (npm start's):
						// only wrangler's warnings and errors are worth showing here.
						process.env.WRANGLER_LOG ??= "warn";
						dropRuntimeNoise();
						return {
							wrangler: { configPath: "./wrangler.toml" },
							miniflare: {
								bindings: {
									ADMIN_TOKEN: "test-admin-token",
									WEBHOOK_SECRET_KEY: "test-webhook-secret-key",
									// The tests' webhook receiver and asset server listen on loopback.
									ALLOW_LOOPBACK: "true",
									// Tests make bursts far beyond a customer's on free accounts (60 concurrent
									// renders, thousands of fuzz requests a minute): the free plan's rate and
									// concurrency are relaxed; the other plans keep theirs, and the rate-limit
									// tests use them (test/http/rate-limit.test.ts).
									PLAN_LIMITS: JSON.stringify({ free: { requests_per_minute: 1_000_000, concurrency: 1_000 } }),
									// One region (wrangler's placeholder `cf` maps every request to one anyway), at most
									// two browsers in it: local Browser Rendering allows 6 sessions, and test/rendering/fleet
									// runs fleets of its own beside this one. Bursts queue for a page rather than 503.
									FLEET_REGIONS: "enam",
									FLEET_MAX_PER_REGION: "2",
									FLEET_BUSY_WAIT_SECONDS: "120",
									TEST_MIGRATIONS: await readD1Migrations("./migrations"),
									// Sent emails are also kept in memory for the tests to read (src/email/outbox.ts).
									RECORD_SENT_EMAILS: "true",
								},
							},
						};
					}),
				],
				test: {
					name: "worker",
					include: ["test/**/*.test.ts"],
					exclude: ["test/scripts/**", "test/web/**"],
					setupFiles: ["./test/setup.ts"],
					globalSetup: ["./test/webhook-receiver.ts"],
					testTimeout: 60_000,
					hookTimeout: 60_000,
				},
			},
			{
				// What runs as a user would, in Node: the two commands, the deploy build, and the web
				// pages in a real Chromium (playwright-core) against `npm start`'s server.
				test: {
					name: "node",
					include: ["test/scripts/**/*.test.ts", "test/web/**/*.test.ts"],
					environment: "node",
					// One file at a time: each starts a server, a browser or a whole npm install, and side by
					// side on two cores a page's first request can outwait a browser test's 30 s.
					fileParallelism: false,
					testTimeout: 900_000,
					hookTimeout: 900_000,
				},
			},
		],
	},
});
