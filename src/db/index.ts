import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof connect>;

function connect(d1: D1Database) {
	return drizzle(d1, { schema });
}

/** Drizzle's client reads the whole schema when made (milliseconds of CPU): one per binding, reused across requests. */
const clients = new WeakMap<D1Database, ReturnType<typeof connect>>();

export function createDb(d1: D1Database) {
	let db = clients.get(d1);
	if (!db) clients.set(d1, (db = connect(d1)));
	return db;
}

export { schema };
