import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/http/errors";
import { renderTemplate } from "../../src/rendering/templates";
import { prepareDocument } from "../../src/templates/document";
import { unescapeHtml } from "../../src/templates/helpers";

/** Template helpers as a template sees them: through Mustache, with data. */
const render = (html: string, data: Record<string, unknown> = {}) => renderTemplate(html, data);
const NBSP = "\u00a0";
const NNBSP = "\u202f";

function templateError(html: string, data: Record<string, unknown>): ApiError {
	try {
		prepareDocument({ html, schema: null, options: {} }, data, {}, "t");
	} catch (error) {
		if (error instanceof ApiError) return error;
		throw error;
	}
	throw new Error("no error");
}

describe("money, number, date, plural", () => {
	it("money formats an amount by currency and locale; the currency may come from the data", () => {
		expect(render("{{#money}}[EUR de-DE]{{total}}{{/money}}", { total: 1234.5 })).toBe(`1.234,50${NBSP}€`);
		expect(render("{{#money}}[USD]{{total}}{{/money}}", { total: "1234.5" })).toBe("$1,234.50");
		expect(render("{{#money}}[{{currency}} ja-JP]{{total}}{{/money}}", { total: 1234, currency: "JPY" })).toBe("￥1,234");
		expect(render("{{#money}}[GBP en-GB]-3{{/money}}")).toBe("-£3.00");
	});

	it("money and number write text that is not a number as it is (escaped), and nothing for an empty value", () => {
		expect(render("{{#money}}[USD]{{total}}{{/money}}", { total: "$564.00" })).toBe("$564.00");
		expect(render("{{#money}}[USD]{{total}}{{/money}}", { total: "<b>1</b>" })).toBe("&lt;b&gt;1&lt;&#x2F;b&gt;");
		expect(render("<p>{{#money}}[USD]{{total}}{{/money}}</p>", {})).toBe("<p></p>");
		expect(render("{{#number}}[2]{{n}}{{/number}}", { n: "12 apples" })).toBe("12 apples");
	});

	it("money without a currency is a 422 TEMPLATE_ERROR naming the helper", () => {
		const error = templateError("{{#money}}{{total}}{{/money}}", { total: 3 });
		expect(error.code).toBe("TEMPLATE_ERROR");
		expect(error.message).toContain("{{#money}}: name the currency");
		expect(error.details).toEqual({ helper: "money" });
	});

	it("number formats by locale, with a fixed count of decimals or as a percentage", () => {
		expect(render("{{#number}}{{n}}{{/number}}", { n: 1234567.891 })).toBe("1,234,567.891");
		expect(render("{{#number}}[2 de-DE]{{n}}{{/number}}", { n: 1234.5 })).toBe("1.234,50");
		expect(render("{{#number}}[0 fr-FR]{{n}}{{/number}}", { n: 1234.5 })).toBe(`1${NNBSP}235`);
		expect(render("{{#number}}[percent 1]{{n}}{{/number}}", { n: 0.256 })).toBe("25.6%");
	});

	it("date formats an ISO date by locale and style, in UTC unless a time zone is named", () => {
		expect(render("{{#date}}{{d}}{{/date}}", { d: "2026-12-01" })).toBe("Dec 1, 2026");
		expect(render("{{#date}}[long de-DE]{{d}}{{/date}}", { d: "2026-12-01" })).toBe("1. Dezember 2026");
		expect(render("{{#date}}[short en-GB]{{d}}{{/date}}", { d: "2026-12-01T23:30:00Z" })).toBe("01&#x2F;12&#x2F;2026");
		expect(render("{{#date}}[short en-GB Europe/Paris]{{d}}{{/date}}", { d: "2026-12-01T23:30:00Z" })).toBe("02&#x2F;12&#x2F;2026");
		expect(render("{{#date}}[medium time]{{d}}{{/date}}", { d: "2026-12-01T09:05:00Z" })).toMatch(/^Dec 1, 2026, 9:05\sAM$/);
		// Not an ISO date: written as given.
		expect(render("{{#date}}{{d}}{{/date}}", { d: "November 21, 2026" })).toBe("November 21, 2026");
	});

	it("plural picks the form for the count", () => {
		expect(render("{{#plural}}[item items]{{n}}{{/plural}}", { n: 1 })).toBe("1 item");
		expect(render("{{#plural}}[item items]{{n}}{{/plural}}", { n: 1200 })).toBe("1,200 items");
		expect(render("{{#plural}}[item items]{{n}}{{/plural}}", { n: 0 })).toBe("0 items");
	});

	it("a value can't add options: they come from the template's options block only", () => {
		expect(render("{{#money}}[USD]{{v}}{{/money}}", { v: "[EUR de-DE]5" })).toBe("[EUR de-DE]5");
		expect(render("{{#money}}{{v}}{{/money}}", { v: "[EUR]5" })).toBe("[EUR]5");
	});

	it("a data field of the same name hides the helper (templates written before helpers keep their meaning)", () => {
		expect(render("{{#date}}<dd>{{date}}</dd>{{/date}}", { date: "November 21, 2026" })).toBe("<dd>November 21, 2026</dd>");
		expect(render("{{#date}}{{d}}{{/date}}", { d: "2026-12-01" })).toBe("Dec 1, 2026");
	});

	it("asset writes the URL of the account's asset of that name", () => {
		expect(render(`<img src="{{#asset}}{{logo}}{{/asset}}">`, { logo: "logo & co.png" })).toBe(`<img src="https:&#x2F;&#x2F;assets.quire.invalid&#x2F;named&#x2F;logo%20%26%20co.png">`);
		expect(unescapeHtml("https:&#x2F;&#x2F;a&amp;b")).toBe("https://a&b");
	});
});

describe("qr and barcodes (markup; decoded in helpers-decode.test.ts)", () => {
	it("each writes one SVG labelled with its (escaped) text, and nothing of the data in the markup but the label", () => {
		for (const [helper, value] of [["qr", `https://pay.example/?a=1&b=<2>`], ["code128", "AB<12>&"], ["ean13", "5901234123457"], ["code39", "QUIRE-39"], ["code128", "$& $' $` $$"]]) {
			const svg = render(`{{#${helper}}}{{v}}{{/${helper}}}`, { v: value });
			expect(svg, helper).toMatch(new RegExp(`^<svg class="quire-${helper}" role="img" aria-label="[^"<>]*" width="\\d+" height="\\d+"( preserveAspectRatio="none")? viewBox="0 0 \\d+ \\d+" xmlns="http://www.w3.org/2000/svg">`));
			expect(svg.match(/<svg/g)).toHaveLength(1);
			expect(svg.replace(/aria-label="[^"]*"/, "")).not.toMatch(/<(?!\/?(svg|path)\b)/);
		}
	});

	it("a value its symbology can't encode is a 422 TEMPLATE_ERROR naming the helper", () => {
		for (const [helper, value] of [["ean13", "12345"], ["code39", "lower~case"]]) {
			const error = templateError(`{{#${helper}}}{{v}}{{/${helper}}}`, { v: value });
			expect(error.code, helper).toBe("TEMPLATE_ERROR");
			expect(error.message, helper).toContain(`{{#${helper}}}: can't encode`);
		}
	});

	it("qr's error-correction level changes the symbol: H needs more modules than L", () => {
		const size = (level: string) => Number(/width="(\d+)"/.exec(render(`{{#qr}}[${level}]{{v}}{{/qr}}`, { v: "https://quire.example/invoices/INV-2026-0042" }))![1]);
		expect(size("H")).toBeGreaterThan(size("L"));
		expect(size("M")).toBe(Number(/width="(\d+)"/.exec(render(`{{#qr}}{{v}}{{/qr}}`, { v: "https://quire.example/invoices/INV-2026-0042" }))![1]));
	});
});
