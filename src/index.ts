import { createApp } from "./app";
import { handleJobs, type Job } from "./jobs/consumer";

export { Credits } from "./credits/credits";
export { RateLimiter } from "./rate-limits/rate-limiter";
export { Fleet } from "./rendering/fleet/fleet";
export { Renderer } from "./rendering/renderer";

const app = createApp();

export default {
	fetch: app.fetch,
	queue: handleJobs,
} satisfies ExportedHandler<Env, Job>;
