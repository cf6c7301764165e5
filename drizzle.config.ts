import { defineConfig } from "drizzle-kit";

// `npm run db:generate` writes SQL migrations into migrations/; wrangler applies them.
export default defineConfig({
	dialect: "sqlite",
	schema: "./src/db/schema.ts",
	out: "./migrations",
});
