import { describe, expect, it } from "vitest";
import { countPages } from "../../src/rendering/render";

const bytes = (text: string) => new Uint8Array([...text].map((char) => char.charCodeAt(0)));

describe("countPages", () => {
	it("counts /Type /Page objects, not the /Pages tree or other names", () => {
		const pdf = "%PDF-1.4\n1 0 obj <</Type /Pages /Kids [2 0 R 3 0 R]>>\n2 0 obj <</Type /Page>>\n3 0 obj <</Type/Page/Parent 1 0 R>>\n4 0 obj <</Type /PageLabel>>\n5 0 obj <</Type\r\n/Page >>";
		expect(countPages(bytes(pdf))).toBe(3);
	});

	it("is 0 for bytes with no page, and reads past binary streams", () => {
		expect(countPages(bytes("%PDF-1.4\n<</Type /Catalog>>"))).toBe(0);
		const binary = new Uint8Array([...bytes("<</Type /Page>>stream\n"), 0xff, 0x2f, 0x00, 0x2f, ...bytes("/Type /Page>>")]);
		expect(countPages(binary)).toBe(2);
	});
});
