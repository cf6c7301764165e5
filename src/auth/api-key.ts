/**
 * API key format: `qk_<mode>_<22 random base62 chars><6 char checksum>`.
 *
 * 22 base62 characters carry 130 bits from `crypto.getRandomValues`. The checksum is CRC-32 of
 * everything before it, in base62, so a mistyped or truncated key is refused without touching D1
 * (the same idea as GitHub's token checksums). Only the SHA-256 of a key is ever stored.
 */

export type KeyMode = "live" | "test";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_LENGTH = 22;
const CHECKSUM_LENGTH = 6;
const KEY_PATTERN = /^qk_(live|test)_[0-9A-Za-z]{28}$/;

/** Random base62 string of `length` characters, unbiased (rejection sampling). */
export function randomBase62(length: number): string {
	let out = "";
	while (out.length < length) {
		const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
		for (const byte of bytes) {
			// 248 = 62 * 4: bytes above it would favour the first characters.
			if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
		}
	}
	return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

function crc32(text: string): number {
	let crc = 0xffffffff;
	for (let i = 0; i < text.length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
	return (crc ^ 0xffffffff) >>> 0;
}

function checksum(body: string): string {
	let n = crc32(body);
	let out = "";
	for (let i = 0; i < CHECKSUM_LENGTH; i++) {
		out = ALPHABET[n % 62] + out;
		n = Math.floor(n / 62);
	}
	return out;
}

/** A new key, e.g. `qk_live_4fJ0…`. Show it once; store only {@link hashKey} of it. */
export function generateKey(mode: KeyMode): string {
	const body = `qk_${mode}_${randomBase62(RANDOM_LENGTH)}`;
	return body + checksum(body);
}

/** The key's mode when its shape and checksum are right, otherwise null. Pure, no I/O. */
export function parseKey(key: string): KeyMode | null {
	const match = KEY_PATTERN.exec(key);
	if (!match) return null;
	const body = key.slice(0, -CHECKSUM_LENGTH);
	return checksum(body) === key.slice(-CHECKSUM_LENGTH) ? (match[1] as KeyMode) : null;
}

/** Hex SHA-256 of the key: the only form in which a key is stored. */
export function hashKey(key: string): Promise<string> {
	return sha256Hex(new TextEncoder().encode(key));
}

/** Hex SHA-256 of some bytes. */
export async function sha256Hex(data: BufferSource): Promise<string> {
	const digest = await crypto.subtle.digest("SHA-256", data);
	return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** What lists show instead of the key: first 12 characters, `...`, last 4. */
export function keyPreview(key: string): string {
	return `${key.slice(0, 12)}...${key.slice(-4)}`;
}

/** Ids for rows: `acc_…`, `key_…`. */
export function newId(prefix: string): string {
	return `${prefix}_${randomBase62(16)}`;
}
