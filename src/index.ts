import { createApp } from "./app";
import { createDb } from "./db";
import { handleJobs, type Job } from "./jobs/consumer";
import { housekeeping } from "./storage/housekeeping";

export { Credits } from "./credits/credits";
export { RateLimiter } from "./rate-limits/rate-limiter";
export { Fleet } from "./rendering/fleet/fleet";
export { Renderer } from "./rendering/renderer";

const app = createApp();

export default {
	fetch: app.fetch,
	queue: handleJobs,
	// The cron trigger (wrangler.toml): hourly housekeeping, at the run's scheduled time.
	scheduled: async (controller, env) => {
		await housekeeping(env, controller.scheduledTime);
	},
} satisfies ExportedHandler<Env, Job>;
