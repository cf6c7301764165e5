import { createApp } from "./app";
import { handleJobs, type Job } from "./jobs/consumer";
import { log } from "./log";
import { purgeExpiredFiles } from "./storage/pdfs";

export { Credits } from "./credits/credits";
export { RateLimiter } from "./rate-limits/rate-limiter";
export { Fleet } from "./rendering/fleet/fleet";
export { Renderer } from "./rendering/renderer";

const app = createApp();

export default {
	fetch: app.fetch,
	queue: handleJobs,
	// The cron trigger (wrangler.toml): expired hosted PDFs are deleted within the hour.
	scheduled: async (_controller, env) => {
		await purgeExpiredFiles(env).catch((error: unknown) => {
			log.error("files_purge_failed", {}, error);
			throw error;
		});
	},
} satisfies ExportedHandler<Env, Job>;
