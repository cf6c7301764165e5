import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// The same SQL migrations wrangler applies, on the test's local D1.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
