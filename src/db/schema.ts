import { index, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const accounts = sqliteTable("accounts", {
	id: text("id").primaryKey(),
	email: text("email").notNull().unique(),
	plan: text("plan").notNull().default("free"),
	createdAt: text("created_at").notNull(),
});

export const apiKeys = sqliteTable(
	"api_keys",
	{
		id: text("id").primaryKey(),
		accountId: text("account_id")
			.notNull()
			.references(() => accounts.id, { onDelete: "cascade" }),
		name: text("name").notNull(),
		/** Hex SHA-256 of the key. The key itself is never stored. */
		keyHash: text("key_hash").notNull().unique(),
		keyPreview: text("key_preview").notNull(),
		mode: text("mode", { enum: ["live", "test"] }).notNull(),
		createdAt: text("created_at").notNull(),
		lastUsedAt: text("last_used_at"),
	},
	(t) => [index("api_keys_account_idx").on(t.accountId)],
);

export type Account = typeof accounts.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
