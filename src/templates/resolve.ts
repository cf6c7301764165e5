import type { Db } from "../db";
import { ApiError } from "../http/errors";
import { BUILT_IN_TEMPLATES, BUILT_IN_VERSION } from "../rendering/templates";
import type { DocumentSource } from "./document";
import { findVersion } from "./store";

export interface ResolvedTemplate extends DocumentSource {
	id: string;
	name: string;
	source: "built-in" | "account";
	version: number;
	sampleData: Record<string, unknown> | null;
}

/**
 * The template a request names, in the version asked for (the newest by default): a built-in
 * (their ids are reserved, and they are answered without a database read), else one of the
 * account's own. 404 `TEMPLATE_NOT_FOUND` when there is none, another account's included.
 */
export async function resolveTemplate(db: Db, accountId: string, id: string, version?: number): Promise<ResolvedTemplate> {
	const builtIn = BUILT_IN_TEMPLATES.get(id);
	if (builtIn) {
		if (version !== undefined && version !== BUILT_IN_VERSION) {
			throw new ApiError("TEMPLATE_NOT_FOUND", `Template "${id}" is built in and has only version ${BUILT_IN_VERSION}`);
		}
		const { name, html, schema, options, sampleData, prepareData } = builtIn;
		return { id, name, source: "built-in", version: BUILT_IN_VERSION, html, schema, options, sampleData, prepareData };
	}
	const stored = await findVersion(db, accountId, id, version).catch((cause: unknown) => {
		throw new ApiError("SERVICE_UNAVAILABLE", "The template store is unavailable; nothing was charged", undefined, cause);
	});
	if (!stored) {
		throw new ApiError("TEMPLATE_NOT_FOUND", version === undefined ? `Template "${id}" not found` : `Template "${id}" has no version ${version}`);
	}
	return { id, name: stored.name, source: "account", version: stored.version, html: stored.html, schema: stored.schema, options: stored.options ?? {}, pdf: stored.pdf, sampleData: stored.sampleData };
}
