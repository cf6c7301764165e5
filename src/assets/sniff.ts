/**
 * What an uploaded file is, read from its first bytes: a name's extension proves nothing, and the
 * renderer serves an asset with the type found here.
 */

/** The types an asset may have, as MIME types (the API's `type`). */
export const ASSET_TYPES = ["image/png", "image/jpeg", "image/svg+xml", "font/woff2", "font/woff", "font/ttf", "font/otf"] as const;
export type AssetType = (typeof ASSET_TYPES)[number];

/** Magic numbers of the binary types, at offset 0. */
const SIGNATURES: Array<[AssetType, number[]]> = [
	["image/png", [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
	["image/jpeg", [0xff, 0xd8, 0xff]],
	["font/woff2", [0x77, 0x4f, 0x46, 0x32]], // wOF2
	["font/woff", [0x77, 0x4f, 0x46, 0x46]], // wOFF
	["font/otf", [0x4f, 0x54, 0x54, 0x4f]], // OTTO: CFF outlines
	["font/ttf", [0x00, 0x01, 0x00, 0x00]], // TrueType outlines
	["font/ttf", [0x74, 0x72, 0x75, 0x65]], // `true`: Apple TrueType
];

/**
 * The file's type, or null when it is none of {@link ASSET_TYPES}. SVG is text: after an optional
 * byte-order mark, XML declaration, comments and doctype, its first element must be `<svg`.
 *
 * @example sniffAssetType(pngBytes) // "image/png"
 */
export function sniffAssetType(bytes: Uint8Array): AssetType | null {
	for (const [type, signature] of SIGNATURES) {
		if (bytes.length >= signature.length && signature.every((byte, i) => bytes[i] === byte)) return type;
	}
	return isSvg(bytes) ? "image/svg+xml" : null;
}

/** XML prolog (declaration, comments, processing instructions, doctype) before the root element. */
const PROLOG = /^(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(?:\[[\s\S]*?\])?\s*>)*/i;

function isSvg(bytes: Uint8Array): boolean {
	let text: string;
	try {
		text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
	} catch {
		return false; // not UTF-8 text
	}
	const rest = text.slice(PROLOG.exec(text)?.[0].length ?? 0);
	return /^<svg[\s>/]/.test(rest);
}
