import { describe, expect, it } from "vitest";
import { BUILT_IN_TEMPLATES, renderTemplate, TemplateSyntaxError } from "../../src/rendering/templates";
import { toPdfOptions } from "../../src/rendering/page-options";

describe("renderTemplate", () => {
	it("fills values and HTML-escapes them", () => {
		expect(renderTemplate("<p>{{client}}</p>", { client: `<script>alert("x")</script>` })).toBe(
			"<p>&lt;script&gt;alert(&quot;x&quot;)&lt;&#x2F;script&gt;</p>",
		);
	});

	it("renders lists holding null (mustache.js would throw) as empty items that fall back to the outer context", () => {
		expect(renderTemplate("{{#items}}[{{name}}|{{who}}]{{/items}}", { who: "outer", items: [null, { name: "a" }] })).toBe("[|outer][a|outer]");
	});

	it("names the line of a template that does not parse", () => {
		const broken = "<html>\n<body>\n<p>{{#items}}{{name}}</p>\n</body>";
		const error = (() => {
			try {
				renderTemplate(broken, {});
			} catch (e) {
				return e;
			}
		})();
		expect(error).toBeInstanceOf(TemplateSyntaxError);
		expect((error as TemplateSyntaxError).message).toMatch(/Unclosed section "items"/);
		expect((error as TemplateSyntaxError).line).toBe(4);
	});

	it("renders the built-in invoice with DokJet's quick-start data and with its sample data", () => {
		const invoice = BUILT_IN_TEMPLATES.get("invoices/invoice")!;
		const quick = renderTemplate(invoice.html, { client: "Acme Corp", total: "$564" });
		expect(quick).toContain("Acme Corp");
		expect(quick).toContain("$564");
		const full = renderTemplate(invoice.html, invoice.sampleData);
		for (const value of ["Northwind Studio", "INV-2026-0042", "Brand identity workshop", "$564.00"]) expect(full).toContain(value);
	});
});

describe("toPdfOptions", () => {
	it("fills every default", () => {
		expect(toPdfOptions({})).toEqual({
			format: "A4",
			landscape: false,
			margin: { top: 0, right: 0, bottom: 0, left: 0 },
			printBackground: true,
			scale: 1,
			pageRanges: "",
			preferCSSPageSize: false,
		});
	});

	it("maps the API's names onto puppeteer's", () => {
		const mapped = toPdfOptions({ format: "Letter", landscape: true, margin: { top: "1in" }, print_background: false, scale: 0.5, page_ranges: "1-2", prefer_css_page_size: true });
		expect(mapped).toMatchObject({ format: "Letter", landscape: true, printBackground: false, scale: 0.5, pageRanges: "1-2", preferCSSPageSize: true });
		expect(mapped.margin).toEqual({ top: "1in", right: 0, bottom: 0, left: 0 });
	});
});
