import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses } from "../../http/schemas";
import type { App } from "../../http/app-env";
import { fleetConfig } from "../../rendering/fleet/config";
import { fleetStub, rendererStub } from "../../rendering/fleet/stubs";
import { adminAuth } from "./credits";

const RendererSchema = z
	.object({
		name: z.string().openapi({ description: "The renderer: its region and number (the `renderer` of generate's `Server-Timing`).", example: "weur-2" }),
		region: z.string().openapi({ description: "The Durable Object location hint it was created with.", example: "weur" }),
		browser_up_since: z.string().openapi({ description: "When its browser came up (ISO 8601, UTC).", example: "2026-12-01T17:02:11.250Z" }),
		active: z.number().int().openapi({ description: "Documents rendering on it now.", example: 3 }),
		spare: z.number().int().openapi({ description: "Pages opened ahead of demand, ready for the next documents.", example: 4 }),
		queued: z.number().int().openapi({ description: "Documents waiting for one of its pages (only when the fleet is at its limits).", example: 0 }),
		documents: z.number().int().openapi({ description: "Documents it has rendered since its object started.", example: 1824 }),
		last_used_at: z.string().nullable().openapi({ description: "When a document last started on it.", example: "2026-12-01T17:09:40.031Z" }),
	})
	.openapi("FleetRenderer");

const LimitsSchema = z
	.object({
		regions: z.array(z.string()).openapi({ description: "Regions that run renderers (`FLEET_REGIONS`).", example: ["wnam", "enam", "weur", "apac"] }),
		min_warm: z.number().int().openapi({ description: "Renderers per region kept warm when idle (`FLEET_MIN_WARM`).", example: 0 }),
		max_per_region: z.number().int().openapi({ description: "Renderers (browsers) one region may run (`FLEET_MAX_PER_REGION`).", example: 4 }),
		browser_limit: z.number().int().openapi({ description: "Concurrent browsers for the whole Cloudflare account (`FLEET_BROWSER_LIMIT`).", example: 120 }),
		launches_per_second: z.number().openapi({ description: "New browsers a second (`FLEET_LAUNCHES_PER_SECOND`).", example: 1 }),
		pages_per_browser: z.number().int().openapi({ description: "Documents one browser renders at once.", example: 4 }),
		idle_seconds: z.number().openapi({ description: "A renderer lets its browser go after this long without a document (`FLEET_IDLE_SECONDS`).", example: 300 }),
		busy_wait_seconds: z.number().openapi({ description: "How long a sync document waits for a page at the limits before 503 `RENDERER_BUSY` (`FLEET_BUSY_WAIT_SECONDS`).", example: 10 }),
	})
	.openapi("FleetLimits");

const route = createRoute({
	method: "get",
	path: "/admin/fleet",
	tags: ["Admin"],
	operationId: "adminFleet",
	summary: "The renderer fleet",
	description:
		"Every renderer that holds a browser now, as it says itself (its load is read live, not from the registry's last report), and the fleet's limits. " +
		"Documents render in the region nearest their client; more browsers come up under load and go after their idle time (docs/fleet.md). Needs `Authorization: Bearer <ADMIN_TOKEN>`.",
	security: [{ AdminToken: [] }],
	middleware: [adminAuth()] as const,
	responses: {
		200: {
			description: "The fleet now",
			content: { "application/json": { schema: z.object({ data: z.object({ renderers: z.array(RendererSchema), limits: LimitsSchema }) }).openapi("Fleet") } },
		},
		...errorResponses(401, 503),
	},
});

export function registerAdminFleet(app: App) {
	app.openapi(route, async (c) => {
		const config = fleetConfig(c.env);
		const known = await fleetStub(c.env, config).renderers(config);
		// Asked of each renderer itself: one that let its browser go since its last report answers null.
		const live = await Promise.all(known.map(({ name }) => rendererStub(c.env, name).stats().catch(() => null)));
		const renderers = live.filter((stats) => stats !== null);
		const limits = {
			regions: config.regions,
			min_warm: config.minWarm,
			max_per_region: config.maxPerRegion,
			browser_limit: config.browserLimit,
			launches_per_second: config.launchesPerSecond,
			pages_per_browser: config.pagesPerBrowser,
			idle_seconds: config.idleMs / 1000,
			busy_wait_seconds: config.busyWaitMs.sync / 1000,
		};
		return c.json({ data: { renderers, limits } }, 200);
	});
}
