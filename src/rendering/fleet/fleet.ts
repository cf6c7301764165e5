import { DurableObject } from "cloudflare:workers";
import { FLEET_MIGRATIONS, migrate } from "../../db/durable-migrations";
import type { FleetConfig } from "./config";
import { type PlaceAnswer, Placement, type RendererState, type SavedPlacement } from "./placement";
import type { Region } from "./regions";
import { rendererStub } from "./stubs";

/** How often the registry checks that every region has its warm minimum. */
const WARM_CHECK_MS = 60_000;

/**
 * The renderer fleet's registry: one object per fleet, off the hot path. Workers ask it only when
 * the renderers they know are full; renderers tell it when their browser comes up or goes, and
 * how loaded they are. It alone grants new browsers, so the fleet stays under Browser Rendering's
 * account limits; its state is saved on every change, so the limits hold across its restarts.
 * Each call carries the caller's configuration (a test's fleet has its own).
 */
export class Fleet extends DurableObject<Env> {
	private readonly placement = new Placement(
		{ name: "main", regions: [], minWarm: 0, maxPerRegion: 0, browserLimit: 0, launchesPerSecond: 1, pagesPerBrowser: 4, idleMs: 0, busyWaitMs: { sync: 0, async: 0 } },
		Date.now,
	);
	private config: FleetConfig | null = null;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		void ctx.blockConcurrencyWhile(async () => {
			migrate(ctx.storage, FLEET_MIGRATIONS);
			const row = ctx.storage.sql.exec<{ saved: string }>("SELECT saved FROM registry WHERE id = 1").toArray()[0];
			if (row) this.placement.load(JSON.parse(row.saved) as SavedPlacement);
		});
	}

	place(config: FleetConfig, region: Region, exclude: string[]): PlaceAnswer {
		this.use(config);
		const answer = this.placement.place(region, exclude);
		this.save();
		return answer;
	}

	acquireLaunch(config: FleetConfig, name: string): { ok: true } | { retryAfterMs: number } {
		this.use(config);
		const answer = this.placement.acquireLaunch(name);
		this.save();
		return answer;
	}

	report(config: FleetConfig, state: Omit<RendererState, "reportedAt">): void {
		this.use(config);
		const ahead = this.placement.report(state);
		this.save();
		if (ahead) void rendererStub(this.env, ahead).warm(ahead, config).catch(() => {});
	}

	down(config: FleetConfig, name: string): void {
		this.use(config);
		this.placement.down(name);
		this.save();
	}

	renderers(config: FleetConfig): RendererState[] {
		this.use(config);
		return this.placement.snapshot();
	}

	/**
	 * Brings up the renderers each region keeps warm (`FLEET_MIN_WARM`): as many as the launch
	 * rate allows now, the rest at the next launch, then looks again in a minute.
	 */
	override async alarm(): Promise<void> {
		const config = this.config;
		if (!config || config.minWarm === 0) return;
		await Promise.all(this.placement.toWarm().map((name) => rendererStub(this.env, name).warm(name, config).catch(() => {})));
		const missing = this.placement.toWarm().length > 0;
		await this.ctx.storage.setAlarm(Date.now() + (missing ? Math.ceil(1000 / config.launchesPerSecond) : WARM_CHECK_MS));
	}

	private use(config: FleetConfig): void {
		const first = this.config === null;
		this.config = config;
		this.placement.configure(config);
		if (first && config.minWarm > 0) void this.ctx.storage.setAlarm(Date.now());
	}

	private save(): void {
		this.ctx.storage.sql.exec("INSERT INTO registry (id, saved) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET saved = excluded.saved", JSON.stringify(this.placement.save()));
	}
}
