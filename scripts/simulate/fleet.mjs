// The fleet design: the Worker's `dispatch`, each renderer's `Slots` and the registry's
// `Placement` (src/rendering/fleet, loaded by core.mjs) driven on the virtual clock. What is
// simulated is only what surrounds them: the network between regions (latency.mjs), browsers
// that take 1–3 s to launch and render in the measured time (inputs.mjs), and Browser Rendering
// itself, which refuses a launch past the account's limits as the real service would.
import { ACCOUNT_SLOTS, launchTime, renderTime } from "./inputs.mjs";
import { rtt } from "./latency.mjs";

/** A `request.cf` typical of each region's clients, for the fleet's own `regionFor`. */
export const CLIENT_CF = {
	wnam: { continent: "NA", country: "US", longitude: "-122.42", colo: "SJC" },
	enam: { continent: "NA", country: "US", longitude: "-77.04", colo: "IAD" },
	sam: { continent: "SA", country: "BR", longitude: "-46.63", colo: "GRU" },
	weur: { continent: "EU", country: "DE", longitude: "8.68", colo: "FRA" },
	eeur: { continent: "EU", country: "PL", longitude: "21.01", colo: "WAW" },
	apac: { continent: "AS", country: "SG", longitude: "103.85", colo: "SIN" },
	oc: { continent: "OC", country: "AU", longitude: "151.21", colo: "SYD" },
	afr: { continent: "AF", country: "ZA", longitude: "28.05", colo: "JNB" },
	me: { continent: "AS", country: "AE", longitude: "55.27", colo: "DXB" },
};

/** How often a renderer with a browser tells the registry how it is, unasked (Placement expects at least every minute). */
const PING_MS = 60_000;
/** How long a renderer whose launch was refused for the concurrent-browser limit waits before trying again (the Renderer's fallback). */
const LAUNCH_RETRY_MS = 1_000;

/**
 * The simulation's choices about the deployment, beside the fleet's configuration:
 * `registryRegion`: where the one fleet registry object lives (created without a location hint,
 * it stays where it was first created: assumed `enam`); `isolates`: Worker isolates per region,
 * each with its own Directory (a document lands on one at random).
 */
export const FLEET_SIM_DEFAULTS = { registryRegion: "enam", isolates: 10 };

/**
 * @param {Awaited<ReturnType<import("./core.mjs").loadFleetCore>>} core
 * @param {object} config a FleetConfig
 * @param {{ registryRegion?: string, isolates?: number }} options
 */
export function fleetDesign(core, config, options = {}) {
	const { registryRegion, isolates } = { ...FLEET_SIM_DEFAULTS, ...options };
	return async function makeFleet({ clock, rand }) {
		const placement = new core.Placement(config, clock.now);
		const timers = { setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout };
		const renderers = new Map();
		const service = browserRendering(config, clock);
		const directories = Object.fromEntries(Object.keys(CLIENT_CF).map((region) => [region, Array.from({ length: isolates }, () => new core.Directory())]));
		const oneWay = (from, to) => clock.sleep(rtt(from, to) / 2);

		/** A message from a renderer to the registry: it arrives one way later. */
		const toRegistry = (from, deliver) => clock.setTimeout(deliver, rtt(from, registryRegion) / 2);

		const rendererOf = (name) => {
			let renderer = renderers.get(name);
			if (!renderer) renderers.set(name, (renderer = new SimRenderer(name, core.parseRendererName(name).region)));
			return renderer;
		};

		/**
		 * One Renderer object: the fleet's `Slots` for admission, a simulated browser, the reports
		 * the registry hears, and letting the browser go after `idleMs` without a document.
		 */
		class SimRenderer {
			browser = null; // { ready: Promise<void>, since: number | null } while it holds one
			wasFull = false;
			lastUsed = 0;
			idleTimer = null;
			pingTimer = null;
			constructor(name, region) {
				this.name = name;
				this.region = region;
				this.warm = core.parseRendererName(name).index < config.minWarm;
				this.slots = new core.Slots(config.pagesPerBrowser, timers);
			}

			state() {
				return { name: this.name, region: this.region, browserUpSince: this.browser?.since ?? null, ...this.slots.load() };
			}

			report() {
				const state = this.state();
				toRegistry(this.region, () => placement.report(state));
			}

			/** Reports when the renderer turns full or free again: what the registry places by. */
			reportIfChanged() {
				const { active, queued, capacity } = this.slots.load();
				const full = active + queued >= capacity;
				if (full !== this.wasFull) {
					this.wasFull = full;
					this.report();
				}
			}

			/** Brings a browser up; the registry must allow it (it granted the place, or the limits allow one). */
			async ensureBrowser() {
				if (this.browser) return true;
				await oneWay(this.region, registryRegion);
				const allowed = placement.acquireLaunch(this.name);
				await oneWay(registryRegion, this.region);
				if (!("ok" in allowed)) return false;
				if (this.browser) return true; // another document brought it up meanwhile
				const browser = { since: null, ready: null };
				this.browser = browser;
				browser.ready = service.launch(rand).then(() => {
					browser.since = clock.now();
					this.report();
					this.ping();
				});
				this.touch();
				return true;
			}

			ping() {
				clock.clearTimeout(this.pingTimer);
				this.pingTimer = clock.setTimeout(() => {
					if (!this.browser) return;
					this.report();
					this.ping();
				}, PING_MS);
			}

			/** After `idleMs` without a document (and none rendering), a renderer that is not one of the warm minimum lets its browser go. */
			touch() {
				this.lastUsed = clock.now();
				if (this.idleTimer || this.warm) return;
				const check = () => {
					const idleFor = clock.now() - this.lastUsed;
					const { active, queued } = this.slots.load();
					if (idleFor < config.idleMs || active + queued > 0 || !this.browser?.since) {
						this.idleTimer = clock.setTimeout(check, Math.max(1, config.idleMs - idleFor));
						return;
					}
					this.idleTimer = null;
					this.browser = null;
					clock.clearTimeout(this.pingTimer);
					service.close();
					toRegistry(this.region, () => placement.down(this.name));
				};
				this.idleTimer = clock.setTimeout(check, config.idleMs);
			}

			/** One document: a page now or within `waitMs`, or full at once; rendered once the browser is up. */
			async render(account, waitMs) {
				if (!this.browser && !(await this.ensureBrowser())) return { ok: false, load: { active: 0, queued: 0, capacity: 0 } };
				const started = waitMs > 0 ? await this.slots.wait(account, ACCOUNT_SLOTS, waitMs) : this.slots.tryStart(account, ACCOUNT_SLOTS);
				this.reportIfChanged();
				if (!started) return { ok: false, load: this.slots.load() };
				try {
					await this.browser.ready;
					await clock.sleep(renderTime(rand));
				} finally {
					this.slots.release(account);
					this.touch();
					this.reportIfChanged();
				}
				return { ok: true, value: null, load: this.slots.load() };
			}
		}

		// The warm minimum, brought up at the start as the registry asks.
		for (const name of placement.toWarm()) void rendererOf(name).ensureBrowser();

		/** One sync document from a client of `clientRegion`, through the Worker's dispatch. */
		async function submit({ region: clientRegion, account }) {
			const region = core.regionFor(CLIENT_CF[clientRegion], config.regions);
			const directory = directories[clientRegion][Math.floor(rand() * isolates)];
			const ports = {
				async render(name, waitMs) {
					const renderer = rendererOf(name);
					await oneWay(clientRegion, renderer.region);
					const attempt = await renderer.render(account, waitMs);
					await oneWay(renderer.region, clientRegion);
					return attempt;
				},
				async place(want, exclude) {
					await oneWay(clientRegion, registryRegion);
					const answer = placement.place(want, exclude);
					await oneWay(registryRegion, clientRegion);
					return answer;
				},
				sleep: clock.sleep,
				now: clock.now,
			};
			const result = await core.dispatch(region, ports, directory, config.busyWaitMs.sync);
			return result.ok ? { ok: true, renderer: result.renderer } : { ok: false, error: "RENDERER_BUSY" };
		}

		return {
			submit,
			browsers: () => service.up,
			stats: () => ({ launches: service.launches, launches_refused: service.refused }),
		};
	};
}

/**
 * Browser Rendering as the account sees it: a launch takes 1–3 s, and is refused while the
 * account holds `browserLimit` browsers or has launched `launchesPerSecond` in the last second.
 * A refused launch is tried again when Browser Rendering says the next is allowed, as the Renderer
 * does (`timeUntilNextAllowedBrowserAcquisition`), or a second later at the concurrent limit.
 * `up` counts browsers from the launch request on.
 */
function browserRendering(config, clock) {
	const recent = [];
	const service = {
		up: 0,
		launches: 0,
		refused: 0,
		async launch(rand) {
			for (;;) {
				const now = clock.now();
				while (recent.length > 0 && recent[0] <= now - 1000) recent.shift();
				const rateLimited = recent.length >= config.launchesPerSecond;
				if (service.up < config.browserLimit && !rateLimited) break;
				service.refused++;
				await clock.sleep(rateLimited ? Math.max(1, recent[0] + 1000 - now) : LAUNCH_RETRY_MS);
			}
			recent.push(clock.now());
			service.up++;
			service.launches++;
			await clock.sleep(launchTime(rand));
		},
		close() {
			service.up--;
		},
	};
	return service;
}
