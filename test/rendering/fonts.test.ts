import { describe, expect, it } from "vitest";
import { postJson, readPdfGlyphs, signUp } from "../helpers";

/**
 * A line in each script people write invoices in, and the local font that draws it (what
 * scripts/prepare.mjs installs; production has its own, listed in docs/fonts.md).
 */
const LINES = [
	{ script: "Latin", lang: "en", text: "Façade, naïve résumé — 12,50 €", font: /Liberation/ },
	{ script: "Cyrillic", lang: "ru", text: "Съешь же ещё этих мягких булок", font: /Liberation/ },
	{ script: "Greek", lang: "el", text: "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία", font: /Liberation/ },
	{ script: "Arabic", lang: "ar", text: "مرحبا بالعالم", font: /Arabic|DejaVu/ },
	{ script: "Hebrew", lang: "he", text: "שלום עולם", font: /Hebrew|DejaVu/ },
	{ script: "Devanagari", lang: "hi", text: "नमस्ते दुनिया", font: /Devanagari/ },
	{ script: "Thai", lang: "th", text: "สวัสดีชาวโลก", font: /Thai/ },
	{ script: "Chinese", lang: "zh-CN", text: "你好，世界。发票金额", font: /CJK/ },
	{ script: "Japanese", lang: "ja", text: "こんにちは、世界。請求書", font: /CJK/ },
	{ script: "Korean", lang: "ko", text: "안녕하세요 세계, 청구서", font: /CJK/ },
	// Not DejaVu Sans's black-and-white 😀: production draws emoji in colour.
	{ script: "emoji", lang: "en", text: "🚀📦✅😀👍🏽", font: /ColorEmoji/ },
];

/** One line of text, printed by the real renderer, as its glyphs. */
async function glyphsOf(key: string, lang: string, text: string) {
	const html = `<!doctype html><html lang="${lang}"><meta charset="utf-8"><p style="font-size: 24px">${text}</p></html>`;
	const res = await postJson("/v1/generate", { html }, { "X-API-Key": key });
	if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
	return readPdfGlyphs(await res.arrayBuffer());
}

/** What is wrong with one printed line: no glyphs, empty boxes, or a font not meant for its script. */
function problemsOf(script: string, font: RegExp, glyphs: Awaited<ReturnType<typeof readPdfGlyphs>>): string[] {
	const boxes = glyphs.filter((g) => g.glyph === 0);
	const fonts = [...new Set(glyphs.filter((g) => g.glyph !== 0 && g.unicode.trim() !== "").map((g) => g.font))];
	const wrongFonts = fonts.filter((name) => !font.test(name));
	return [
		...(glyphs.length === 0 ? [`${script}: no glyphs drawn`] : []),
		...(boxes.length > 0 ? [`${script}: ${boxes.length} empty boxes (.notdef of ${[...new Set(boxes.map((g) => g.font))].join(", ")})`] : []),
		...(wrongFonts.length > 0 ? [`${script}: drawn with ${wrongFonts.join(", ")}, not ${font}`] : []),
	];
}

describe("fonts", () => {
	it("draws every script with a font that has its glyphs: no empty box (.notdef, glyph 0) in any line", async () => {
		const { key } = await signUp();
		const printed = await Promise.all(LINES.map(({ lang, text }) => glyphsOf(key, lang, text)));
		expect(LINES.flatMap(({ script, font }, i) => problemsOf(script, font, printed[i]!))).toEqual([]);
	});

	it("sees the box when no font has the character (U+E000, private use): the check above can fail", async () => {
		const { key } = await signUp();
		const glyphs = await glyphsOf(key, "en", "Box: \uE000");
		expect(problemsOf("private use", /Liberation/, glyphs)).toEqual(["private use: 1 empty boxes (.notdef of AAAAAA+LiberationSerif)"]);
		expect(glyphs.filter((g) => g.glyph !== 0).map((g) => g.unicode).join("").trim()).toBe("Box:");
	});
});
