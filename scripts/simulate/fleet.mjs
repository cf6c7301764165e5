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

/** The Renderer's alarm interval while it holds a browser (PING_INTERVAL_MS in renderer.ts). */
const PING_MS = 60_000;
/** How often the registry checks that every region has its warm minimum (WARM_CHECK_MS in fleet.ts). */
const WARM_CHECK_MS = 60_000;
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
		 * One Renderer object, as src/rendering/renderer.ts behaves: the fleet's `Slots` for
		 * admission; no browser until the registry allows one (`acquireLaunch`); reports to the
		 * registry once its browser is up, whenever it turns full or free, and at every alarm; an
		 * alarm every minute (or at the idle time, if shorter) that lets the browser go once no
		 * document came for `idleMs`, unless the renderer is one of its region's warm minimum.
		 */
		class SimRenderer {
			browser = null; // { ready: Promise<void>, since: number | null } while it holds one
			reportedFull = false;
			lastUsed = 0;
			alarmSet = false;
			constructor(name, region) {
				this.name = name;
				this.region = region;
				this.warm = core.parseRendererName(name).index < config.minWarm;
				this.slots = new core.Slots(config.pagesPerBrowser, timers);
			}

			reportLoad(force = false) {
				if (this.browser?.since == null) return;
				const load = this.slots.load();
				const full = load.active + load.queued >= load.capacity;
				if (!force && full === this.reportedFull) return;
				this.reportedFull = full;
				const state = { name: this.name, region: this.region, browserUpSince: this.browser.since, ...load };
				toRegistry(this.region, () => {
					const ahead = placement.report(state);
					if (ahead) wake(ahead);
				});
			}

			/** Whether it has (or is bringing up) a browser; without one it asks the registry first. */
			async hasBrowser() {
				if (this.browser) return true;
				await oneWay(this.region, registryRegion);
				const answer = placement.acquireLaunch(this.name);
				await oneWay(registryRegion, this.region);
				if (!("ok" in answer)) return false;
				if (!this.browser) {
					const browser = { since: null, ready: null };
					this.browser = browser;
					browser.ready = service.launch(rand).then(() => {
						browser.since = clock.now();
						this.reportLoad(true);
					});
				}
				return true;
			}

			/** The registry asks it to bring its browser up ahead of demand (Renderer.warm). */
			async warmUp() {
				this.lastUsed = clock.now();
				if (await this.hasBrowser()) this.keepWarm();
			}

			keepWarm() {
				if (this.alarmSet) return;
				this.alarmSet = true;
				clock.setTimeout(() => this.alarm(), Math.min(PING_MS, config.idleMs + 500));
			}

			alarm() {
				this.alarmSet = false;
				if (!this.browser) return;
				if (!this.warm && this.slots.load().active === 0 && clock.now() - this.lastUsed > config.idleMs) {
					this.browser = null;
					this.reportedFull = false;
					service.close();
					toRegistry(this.region, () => placement.down(this.name));
					return;
				}
				this.reportLoad(true);
				this.keepWarm();
			}

			/** One document, admitted as Renderer admits it (Slots.admit); rendered once the browser is up. */
			async render(account, waitMs) {
				if (!(await this.hasBrowser())) return { ok: false, load: { ...this.slots.load(), capacity: 0 } };
				if (!(await this.slots.admit(account, ACCOUNT_SLOTS, waitMs, config.busyWaitMs.sync))) {
					this.reportLoad();
					return { ok: false, load: this.slots.load() };
				}
				this.reportLoad();
				this.lastUsed = clock.now();
				try {
					await this.browser.ready;
					await clock.sleep(renderTime(rand));
				} finally {
					this.slots.release(account);
					this.reportLoad();
					this.keepWarm();
				}
				return { ok: true, value: null, load: this.slots.load() };
			}
		}

		/** The registry asks a renderer to bring its browser up (`warm`): the message arrives one way later. */
		const wake = (name) => {
			const renderer = rendererOf(name);
			clock.setTimeout(() => void renderer.warmUp(), rtt(registryRegion, renderer.region) / 2);
		};

		// The registry's alarm (fleet.ts): now, and every minute while there is a warm minimum, it
		// asks each missing renderer of the warm minimum to bring its browser up (`warm`).
		const warmCheck = () => {
			if (config.minWarm === 0) return;
			for (const name of placement.toWarm()) wake(name);
			clock.setTimeout(warmCheck, WARM_CHECK_MS);
		};
		warmCheck();

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
