/**
 * Versioned schemas for Durable Objects' SQLite storage (D1 has its own, in `migrations/`).
 *
 * How to change an object's schema: append a migration to its list; never edit, reorder or
 * remove one. Objects already live have run the old ones, and each object runs only those past
 * its recorded version, once, in order, each in a transaction with its version bump. A migration
 * doesn't read the code's current constants (a table definition shared with other code can
 * change; the migration must not).
 *
 * @example
 * const MIGRATIONS: Migration[] = [
 *   (sql) => sql.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)"),
 *   (sql) => sql.exec("ALTER TABLE t ADD COLUMN name TEXT NOT NULL DEFAULT ''"), // added later
 * ];
 * ctx.blockConcurrencyWhile(async () => migrate(ctx.storage, MIGRATIONS));
 */

export type Migration = (sql: SqlStorage) => void;

/** The one-row table holding the number of migrations an object has run. */
const VERSION_TABLE = "CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)";

/** The number of migrations the object's storage has run (0 for a new object, or one made before versioning). */
export function schemaVersion(sql: SqlStorage): number {
	sql.exec(VERSION_TABLE);
	return sql.exec<{ version: number }>("SELECT version FROM schema_version WHERE id = 1").toArray()[0]?.version ?? 0;
}

/** Runs the migrations past the storage's version, in order, each atomically with its version bump. Returns the version reached. */
export function migrate(storage: DurableObjectStorage, migrations: readonly Migration[]): number {
	const sql = storage.sql;
	for (let version = schemaVersion(sql); version < migrations.length; version++) {
		storage.transactionSync(() => {
			migrations[version]!(sql);
			sql.exec("INSERT INTO schema_version (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version", version + 1);
		});
	}
	return migrations.length;
}

/**
 * Adds a column unless the table has it: for migrations that must also upgrade objects made
 * before versioning, whose tables may already have had the column added in place.
 */
export function addColumn(sql: SqlStorage, table: string, column: string, definition: string): void {
	const has = sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray().some((c) => c.name === column);
	if (!has) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
}

/** The renderer fleet's registry (src/rendering/fleet/fleet.ts): one row, the placement's saved state as JSON. */
export const FLEET_MIGRATIONS: Migration[] = [(sql) => sql.exec("CREATE TABLE registry (id INTEGER PRIMARY KEY CHECK (id = 1), saved TEXT NOT NULL)")];
