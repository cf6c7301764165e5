import { describe, expect, it } from "vitest";
import { zipFiles } from "../../src/pdf/zip";
import { unzip } from "../helpers-zip";

describe("zipFiles", () => {
	it("writes an archive whose entries read back byte for byte, deflated when that is smaller", async () => {
		const text = new TextEncoder().encode("Quire ".repeat(2000));
		const random = crypto.getRandomValues(new Uint8Array(4096));
		const zip = await zipFiles([
			{ name: "001-text.txt", data: text },
			{ name: "002-façade.bin", data: random },
			{ name: "003-empty", data: new Uint8Array() },
		]);
		const entries = await unzip(zip);
		expect(entries.map((e) => e.name)).toEqual(["001-text.txt", "002-façade.bin", "003-empty"]);
		expect(entries[0]!.method).toBe(8); // deflated: 12 000 bytes of repeats
		expect(zip.byteLength).toBeLessThan(text.byteLength);
		expect(entries[1]!.method).toBe(0); // stored: random bytes don't deflate
		expect(entries[0]!.data).toEqual(text);
		expect(entries[1]!.data).toEqual(random);
		expect(entries[2]!.data.byteLength).toBe(0);
	});

	it("an empty archive is a lone end-of-central-directory record", async () => {
		const zip = await zipFiles([]);
		expect(zip.byteLength).toBe(22);
		expect(await unzip(zip)).toEqual([]);
	});
});
