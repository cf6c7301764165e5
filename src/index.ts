import { createApp } from "./app";
import { purgeExpiredSignIns } from "./auth/sessions";
import { createDb } from "./db";
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
	// The cron trigger (wrangler.toml): expired hosted PDFs, sign-in links and sessions are deleted within the hour.
	scheduled: async (_controller, env) => {
		// Each purge on its own: one failing doesn't keep the other from running.
		const purges = await Promise.allSettled([
			purgeExpiredFiles(env).catch((error: unknown) => {
				log.error("files_purge_failed", {}, error);
				throw error;
			}),
			purgeExpiredSignIns(createDb(env.DB)).catch((error: unknown) => {
				log.error("sign_in_purge_failed", {}, error);
				throw error;
			}),
		]);
		const failed = purges.find((p) => p.status === "rejected");
		if (failed) throw failed.reason;
	},
} satisfies ExportedHandler<Env, Job>;
