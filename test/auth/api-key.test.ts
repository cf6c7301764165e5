import { describe, expect, it } from "vitest";
import { generateKey, hashKey, keyPreview, parseKey, randomBase62 } from "../../src/auth/api-key";

describe("API key format", () => {
	it("makes qk_live_ / qk_test_ keys that parse back to their mode", () => {
		const live = generateKey("live");
		const test = generateKey("test");
		expect(live).toMatch(/^qk_live_[0-9A-Za-z]{28}$/);
		expect(test).toMatch(/^qk_test_[0-9A-Za-z]{28}$/);
		expect(parseKey(live)).toBe("live");
		expect(parseKey(test)).toBe("test");
	});

	it("never repeats a key", () => {
		const keys = new Set(Array.from({ length: 2000 }, () => generateKey("live")));
		expect(keys.size).toBe(2000);
	});

	it("refuses a key with one character changed, truncated, extended or re-prefixed", () => {
		const key = generateKey("live");
		const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "a" ? "b" : "a") + s.slice(i + 1);
		for (let i = 8; i < key.length; i++) expect(parseKey(flip(key, i)), `flip at ${i}`).toBeNull();
		expect(parseKey(key.slice(0, -1))).toBeNull();
		expect(parseKey(`${key}x`)).toBeNull();
		expect(parseKey(key.replace("qk_live_", "qk_test_"))).toBeNull();
		expect(parseKey("")).toBeNull();
		expect(parseKey("dk_live_••••••••••••")).toBeNull();
	});

	it("draws base62 characters without bias toward the first letters", () => {
		const counts = new Map<string, number>();
		for (const ch of Array.from({ length: 62 }, () => randomBase62(1000)).join("")) counts.set(ch, (counts.get(ch) ?? 0) + 1);
		expect(counts.size).toBe(62);
		// Expected 1000 each; a biased modulo would give the first 8 characters ~1250.
		for (const n of counts.values()) expect(n).toBeGreaterThan(820), expect(n).toBeLessThan(1180);
	});

	it("hashes with SHA-256 and previews the first 12 and last 4 characters", async () => {
		expect(await hashKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
		expect(keyPreview("qk_live_ABCDEFGHIJKLMNOPQRSTUVWXYZ12")).toBe("qk_live_ABCD...YZ12");
	});
});
