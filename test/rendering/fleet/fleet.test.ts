import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../../src/app";
import { type FleetConfig, fleetConfig } from "../../../src/rendering/fleet/config";
import { REGIONS } from "../../../src/rendering/fleet/regions";
import { CLIENT_REGION_HEADER } from "../../../src/rendering/fleet/request-region";
import { fleetStub, rendererStub } from "../../../src/rendering/fleet/stubs";
import { renderOnFleet } from "../../../src/rendering/render";
import { BASE, call, creditsLeft, errorOf, eventually, postJson, readPdf, signUp } from "../../helpers";

/**
 * The renderer fleet with its real objects and browsers. Each test runs a fleet of its own
 * (`FLEET_NAME`), beside the suite's, so its limits and renderers are its own.
 */

/** A document that keeps its page for about `ms`, then prints. */
const busy = (ms: number, text = "busy") => `<p>${text}</p><script>const until = Date.now() + ${ms}; while (Date.now() < until) {}</script>`;

/** The Worker with some vars replaced, as a deployment with that wrangler.toml would run. */
async function withVars(vars: Record<string, string>, request: Request, overrides: Partial<Env> = {}): Promise<Response> {
	const ctx = createExecutionContext();
	const res = await createApp().fetch(request, { ...env, ...vars, ...overrides } as Env, ctx);
	await res.clone().arrayBuffer();
	await waitOnExecutionContext(ctx);
	return res;
}

const generate = (key: string, body: unknown, init: RequestInit = {}) =>
	new Request(`${BASE}/v1/generate`, { ...init, method: "POST", headers: { "X-API-Key": key, "Content-Type": "application/json", ...(init.headers as Record<string, string>) }, body: JSON.stringify(body) });

const rendererIn = (res: Response) => /renderer;desc="([^"]+)"/.exec(res.headers.get("Server-Timing") ?? "")?.[1];

describe("regions", () => {
	it("a request from each continent renders in its region, on a renderer created with that location hint", { timeout: 120_000 }, async () => {
		const fleet = `regions-${crypto.randomUUID().slice(0, 8)}`;
		const vars = { FLEET_NAME: fleet, FLEET_REGIONS: REGIONS.join(","), FLEET_MAX_PER_REGION: "1", FLEET_IDLE_SECONDS: "1", FLEET_LAUNCHES_PER_SECOND: "10" };
		const hints = new Map<string, string | undefined>();
		const recording = {
			idFromName: (name: string) => env.RENDERER.idFromName(name),
			get: (id: DurableObjectId, options?: DurableObjectNamespaceGetDurableObjectOptions) => {
				hints.set(id.toString(), options?.locationHint);
				return env.RENDERER.get(id, options);
			},
		} as unknown as Env["RENDERER"];
		const { key } = await signUp();
		const clients: Array<[IncomingRequestCfProperties | Record<string, string>, string]> = [
			[{ continent: "NA", country: "US", longitude: "-122.3" }, "wnam"],
			[{ continent: "NA", country: "CA", longitude: "-79.4" }, "enam"],
			[{ continent: "SA", country: "AR" }, "sam"],
			[{ continent: "EU", country: "DE" }, "weur"],
			[{ continent: "EU", country: "RO" }, "eeur"],
			[{ continent: "AS", country: "SG" }, "apac"],
			[{ continent: "OC", country: "NZ" }, "oc"],
			[{ continent: "AF", country: "NG" }, "afr"],
			[{ continent: "AS", country: "QA" }, "me"],
		];
		for (const [cf, region] of clients) {
			const res = await withVars(vars, generate(key, { html: `<p>from ${region}</p>` }, { cf } as RequestInit), { RENDERER: recording });
			expect(res.status, region).toBe(200);
			expect((await readPdf(await res.arrayBuffer())).text).toContain(`from ${region}`);
			const name = rendererIn(res)!;
			expect(name).toBe(`${fleet}/${region}-0`);
			expect(hints.get(env.RENDERER.idFromName(name).toString())).toBe(region);
		}
	});

	it("a region that is not enabled renders in the nearest enabled one; the development header picks a region only with ALLOW_LOOPBACK", async () => {
		const fleet = `near-${crypto.randomUUID().slice(0, 8)}`;
		const vars = { FLEET_NAME: fleet, FLEET_REGIONS: "weur,apac", FLEET_IDLE_SECONDS: "1" };
		const { key } = await signUp();
		const fromSydney = await withVars(vars, generate(key, { html: "<p>oc</p>" }, { cf: { continent: "OC", country: "AU" } } as RequestInit));
		expect(rendererIn(fromSydney)).toBe(`${fleet}/apac-0`);
		const pretending = await withVars(vars, generate(key, { html: "<p>x</p>" }, { headers: { [CLIENT_REGION_HEADER]: "weur" }, cf: { continent: "AS", country: "JP" } } as RequestInit));
		expect(rendererIn(pretending)).toBe(`${fleet}/weur-0`);
		const production = await withVars({ ...vars, ALLOW_LOOPBACK: "false" }, generate(key, { html: "<p>x</p>" }, { headers: { [CLIENT_REGION_HEADER]: "weur" }, cf: { continent: "AS", country: "JP" } } as RequestInit));
		expect(rendererIn(production)).toBe(`${fleet}/apac-0`);
	});
});

describe("elastic dispatch", () => {
	const config = (name: string, overrides: Partial<FleetConfig> = {}): FleetConfig => ({
		...fleetConfig(env),
		name: `${name}-${crypto.randomUUID().slice(0, 8)}`,
		regions: ["enam"],
		maxPerRegion: 2,
		launchesPerSecond: 10,
		idleMs: 1000,
		...overrides,
	});
	const limits = { account: "fleet-test", slots: 4, deadlineMs: 30_000, javascript: true };
	const policy = { allowLoopback: true, blockRemote: false };

	it("a full renderer answers at once and the document goes to a second one, brought up for it", { timeout: 60_000 }, async () => {
		const fleet = config("spill");
		const results = await Promise.all(
			Array.from({ length: 5 }, (_, n) => renderOnFleet(env, busy(2000, `doc ${n}`), {}, policy, limits, { async: false }, fleet)),
		);
		for (const { result } of results) expect(result.ok).toBe(true);
		const perRenderer = new Map<string, number>();
		for (const { renderer } of results) perRenderer.set(renderer, (perRenderer.get(renderer) ?? 0) + 1);
		expect([...perRenderer.values()].sort()).toEqual([1, 4]);
		expect([...perRenderer.keys()].sort()).toEqual([`${fleet.name}/enam-0`, `${fleet.name}/enam-1`]);
	});

	it("the browser limit holds under a burst: the overflow gets 503 RENDERER_BUSY with Retry-After, and nothing is charged", { timeout: 90_000 }, async () => {
		const fleet = `burst-${crypto.randomUUID().slice(0, 8)}`;
		const vars = { FLEET_NAME: fleet, FLEET_BROWSER_LIMIT: "1", FLEET_MAX_PER_REGION: "2", FLEET_BUSY_WAIT_SECONDS: "1", FLEET_IDLE_SECONDS: "2" };
		// Eight accounts, one document each: a browser's four pages hold four of them.
		const accounts = await Promise.all(Array.from({ length: 8 }, () => signUp()));
		let most = 0;
		const registry = fleetStub(env, fleetConfig({ ...env, ...vars } as Env));
		const watching = setInterval(async () => (most = Math.max(most, (await registry.renderers(fleetConfig({ ...env, ...vars } as Env))).length)), 100);
		const responses = await Promise.all(accounts.map(({ key }, n) => withVars(vars, generate(key, { html: busy(3000, `burst ${n}`) }))));
		clearInterval(watching);
		const statuses = responses.map((res) => res.status).sort();
		expect(statuses).toEqual([200, 200, 200, 200, 503, 503, 503, 503]);
		for (const [n, res] of responses.entries()) {
			if (res.status === 200) {
				expect(await creditsLeft(accounts[n]!.key)).toBe(49);
				continue;
			}
			expect(await errorOf(res)).toMatchObject({ code: "RENDERER_BUSY" });
			expect(Number(res.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
			expect(await creditsLeft(accounts[n]!.key)).toBe(50);
		}
		expect(most).toBe(1);
	});

	it("an idle renderer lets its browser go, and the registry forgets it", { timeout: 60_000 }, async () => {
		const fleet = config("idle");
		const { renderer, result } = await renderOnFleet(env, "<p>once</p>", {}, policy, limits, { async: false }, fleet);
		expect(result.ok).toBe(true);
		// Positive control: right after the document, the renderer holds a browser and the registry knows it.
		expect(await rendererStub(env, renderer).stats()).toMatchObject({ name: renderer, region: "enam", documents: 1 });
		expect((await fleetStub(env, fleet).renderers(fleet)).map((r) => r.name)).toEqual([renderer]);
		await eventually(() => rendererStub(env, renderer).stats(), (stats) => stats === null, 15_000);
		expect(await eventually(() => fleetStub(env, fleet).renderers(fleet), (list) => list.length === 0, 5_000)).toEqual([]);
	});
});

describe("GET /admin/fleet", () => {
	it("lists each renderer that holds a browser, read live, and the limits; 401 without the admin token", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { html: "<p>for the fleet</p>" }, { "X-API-Key": key });
		expect(res.status).toBe(200);
		const name = rendererIn(res)!;
		expect(name).toMatch(/^enam-\d$/);

		const fleet = await call("/admin/fleet", { headers: { Authorization: "Bearer test-admin-token" } });
		expect(fleet.status).toBe(200);
		const { data } = (await fleet.json()) as { data: { renderers: Array<Record<string, unknown>>; limits: Record<string, unknown> } };
		const entry = data.renderers.find((r) => r.name === name);
		expect(entry).toMatchObject({ region: "enam", browser_up_since: expect.any(String), active: expect.any(Number), spare: expect.any(Number), queued: expect.any(Number), last_used_at: expect.any(String) });
		expect(entry!.documents).toBeGreaterThanOrEqual(1);
		expect(data.limits).toMatchObject({ regions: ["enam"], max_per_region: 2, browser_limit: 120, pages_per_browser: 4, busy_wait_seconds: 120 });

		expect((await exports.default.fetch(new Request(`${BASE}/admin/fleet`))).status).toBe(401);
	});
});
