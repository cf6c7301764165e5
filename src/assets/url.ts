/**
 * Where a template finds an asset: `https://assets.quire.invalid/<id>/<name>` (the API's `url`),
 * or `https://assets.quire.invalid/named/<name>` (what `{{#asset}}<name>{{/asset}}` writes).
 * `.invalid` never resolves (RFC 2606), so no such request can reach any network: the renderer
 * answers it from R2, for the document's own account only, before anything else sees it.
 */
export const ASSET_ORIGIN = "https://assets.quire.invalid";

/** What an asset URL points at: an asset by id, or by the name it was uploaded with. */
export type AssetRef = { id: string } | { name: string };

/** The URL of an asset, as the API returns it. */
export function assetUrl(id: string, name: string): string {
	return `${ASSET_ORIGIN}/${id}/${encodeURIComponent(name)}`;
}

/** The URL of the account's asset called `name` (the Mustache shortcut). */
export function namedAssetUrl(name: string): string {
	return `${ASSET_ORIGIN}/named/${encodeURIComponent(name)}`;
}

/** What `url` points at when it is an asset URL (query and fragment ignored); null for any other URL. */
export function parseAssetUrl(url: string): AssetRef | null {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return null;
	}
	if (parsed.origin !== ASSET_ORIGIN) return null;
	const [first, second] = parsed.pathname.slice(1).split("/");
	if (!first || second === undefined) return null;
	try {
		return first === "named" ? { name: decodeURIComponent(second) } : { id: first };
	} catch {
		return null; // malformed percent-encoding
	}
}

/** Whether a page's request is for an asset (answered by the renderer, never sent out). */
export function isAssetUrl(url: string): boolean {
	return parseAssetUrl(url) !== null;
}
