import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		projects: [
			{
				// The Worker's tests, inside workerd against the real local D1, Durable Objects, R2,
				// Queues and Browser Rendering (a real Chromium).
				plugins: [
					cloudflareTest(async () => ({
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
								TEST_MIGRATIONS: await readD1Migrations("./migrations"),
							},
						},
					})),
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
					testTimeout: 900_000,
					hookTimeout: 900_000,
				},
			},
		],
	},
});
