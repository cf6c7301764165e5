import { describe, expect, it } from "vitest";
import { BUILT_IN_TEMPLATES, MAX_MISSING_REPORTED, MissingVariables, RENDER_BUDGET, renderHeaderFooter, renderTemplate, TemplateSyntaxError, TemplateTooLargeError, withoutNullItems } from "../../src/rendering/templates";
import { expandPageTokens, loadOptions, PageOptionsSchema, toInches, toPdfOptions } from "../../src/rendering/page-options";
import { declaredIn, validateData } from "../../src/templates/data-schema";
import { prepareDocument } from "../../src/templates/document";
import { ApiError } from "../../src/http/errors";
import { unescapeHtml } from "../../src/templates/helpers";

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

	it("counts the HTML as it is written: the budget stops a section repeating a huge value before the string exists", () => {
		const big = "x".repeat(4 * 1024 * 1024);
		expect(() => renderTemplate("{{#a}}{{{big}}}{{/a}}", { a: Array(200).fill(1), big })).toThrow(TemplateTooLargeError);
		// Text, escaped and unescaped values all count; exactly the budget renders, one more character does not.
		const value = "y".repeat(RENDER_BUDGET.htmlChars - "<p></p>".length);
		expect(renderTemplate("<p>{{v}}</p>", { v: value })).toHaveLength(RENDER_BUDGET.htmlChars);
		expect(() => renderTemplate("<p>{{{v}}}</p>!", { v: value })).toThrow(TemplateTooLargeError);
		// Escaping counts: "<" is written as "&lt;".
		expect(() => renderTemplate("{{v}}", { v: "<".repeat(RENDER_BUDGET.htmlChars / 4 + 1) })).toThrow(TemplateTooLargeError);
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

describe("missing variables", () => {
	const missingIn = (html: string, data: Record<string, unknown>) => {
		const missing = new MissingVariables();
		renderTemplate(html, data, missing);
		return [...missing.paths];
	};

	it("are the names no context holds, each once, under the sections they are in", () => {
		const html = "{{client.name}} {{client.address.city}} {{#client}}{{vat}}{{/client}} {{#items}}{{sku}}{{{note}}}{{currency}}{{/items}} {{total}} {{^discount}}-{{/discount}} {{#orders}}{{#lines}}{{qty}}{{/lines}}{{/orders}}";
		const data = { client: { name: "Acme", address: {} }, items: [{ sku: "a" }, {}, { sku: "c" }], currency: "EUR", orders: [{ lines: [{}] }] };
		expect(missingIn(html, data)).toEqual(["client.address.city", "client.vat", "items[].note", "items[].sku", "total", "discount", "orders[].lines[].qty"]);
	});

	it("are not keys present with null, false, \"\" or an empty list, nor anything with complete data", () => {
		const html = "{{a}}{{{b}}}{{#c}}x{{/c}}{{^d}}y{{/d}}{{#e}}{{f}}{{/e}}{{.}}";
		expect(missingIn(html, { a: null, b: "", c: false, d: [], e: [] })).toEqual([]);
		// Positive control: the same template with no data misses every name.
		expect(missingIn(html, {})).toEqual(["a", "b", "c", "d", "e"]);
	});

	it("include a section whose key is absent, and not what it would have looked up", () => {
		expect(missingIn("{{#items}}{{sku}}{{/items}}", {})).toEqual(["items"]);
	});

	it("are found in header and footer templates too, with the page tokens never missing", () => {
		const missing = new MissingVariables();
		renderHeaderFooter({ header_template: "{{company}} {{page}}/{{pages}} {{title}}", footer_template: "{{#footer}}{{text}}{{/footer}}" }, { footer: { text: "x" } }, missing);
		expect([...missing.paths]).toEqual(["company"]);
	});

	it("are reported up to a limit", () => {
		const html = Array.from({ length: MAX_MISSING_REPORTED + 5 }, (_, i) => `{{v${i}}}`).join("");
		expect(missingIn(html, {})).toHaveLength(MAX_MISSING_REPORTED);
	});

	it("leave out what a template's schema declares, at the level looked up or any level above", () => {
		const schema = { type: "object", properties: { currency: {}, items: { type: "array", items: { type: "object", properties: { note: {} } } } } };
		const missing = new MissingVariables((scope, name) => declaredIn(schema, scope, name));
		renderTemplate("{{#items}}{{note}}{{currency}}{{sku}}{{/items}}{{currency}}{{total}}", { items: [{}] }, missing);
		expect([...missing.paths]).toEqual(["items[].sku", "total"]);
	});

	it("are none for a built-in template with its sample data or DokJet's quick-start data, its schema declaring the optional fields", () => {
		// Through the one path generation takes: the schema check, a built-in's data step (the label's barcode), Mustache.
		for (const template of BUILT_IN_TEMPLATES.values()) {
			expect(prepareDocument(template, template.sampleData, {}, template.name).missing, template.id).toEqual([]);
		}
		const invoice = BUILT_IN_TEMPLATES.get("invoices/invoice")!;
		const missing = new MissingVariables((scope, name) => declaredIn(invoice.schema, scope, name));
		renderTemplate(invoice.html, { client: "Acme Corp", total: "$564" }, missing);
		expect([...missing.paths]).toEqual([]);
		// Positive control: without the schema, the optional fields the invoice left out are missing.
		expect(missingIn(invoice.html, { client: "Acme Corp", total: "$564" })).toContain("accent_color");
	});
});

describe("withoutNullItems", () => {
	it("turns null list items into {} at any depth, keeping everything else", () => {
		const data = { a: [null, 1, { b: [null, "x"] }], c: null, d: { e: [[null]] }, ["__proto__"]: [null] };
		expect(withoutNullItems(data)).toEqual({ a: [{}, 1, { b: [{}, "x"] }], c: null, d: { e: [[{}]] }, ["__proto__"]: [{}] });
		expect(Object.getPrototypeOf(withoutNullItems(JSON.parse('{"__proto__":{"polluted":true}}')))).toBe(Object.prototype);
		expect(withoutNullItems(null)).toBe(null);
		expect(withoutNullItems([null])).toEqual([{}]);
	});

	it("walks data nested far deeper than the stack allows (stored sample data, say) without overflowing", () => {
		for (const depth of [5_000, 200_000]) {
			let deep: unknown = [null];
			for (let i = 0; i < depth; i++) deep = i % 2 ? { n: deep } : [deep, null];
			let walked = withoutNullItems({ deep }) as Record<string, unknown>;
			let level: unknown = walked.deep;
			for (let i = depth - 1; i >= 0; i--) {
				if (i % 2) level = (level as { n: unknown }).n;
				else {
					expect((level as unknown[])[1]).toEqual({});
					level = (level as unknown[])[0];
				}
			}
			expect(level).toEqual([{}]);
			expect(() => renderTemplate("<p>{{#deep}}x{{/deep}}</p>", { deep })).not.toThrow();
			walked = {};
		}
	});
});

describe("the built-in gallery", () => {
	it("has the eight templates, each with a name, sample data that matches its own schema, and HTML that parses", () => {
		expect([...BUILT_IN_TEMPLATES.keys()]).toEqual([
			"invoices/invoice",
			"invoices/receipt",
			"quotes/quote",
			"letters/letter",
			"certificates/certificate",
			"shipping/label",
			"reports/report",
			"shipping/packing-slip",
		]);
		for (const template of BUILT_IN_TEMPLATES.values()) {
			expect(template.name, template.id).not.toBe("");
			expect(validateData(template.schema, template.sampleData), template.id).toEqual([]);
			expect(() => renderTemplate(template.html, template.sampleData), template.id).not.toThrow();
			expect(PageOptionsSchema.safeParse(template.options).success, template.id).toBe(true);
		}
	});

	it("puts data into CSS only through values its schema constrains (a colour or an enum), and never into a style attribute or a URL", () => {
		const colours = ["#2563eb", "#abc", "#abcd", "#aabbccdd", "rgb(37, 99, 235)", "rgba(37 99 235 / 50%)", "hsl(221 83% 53%)", "hsla(221deg, 83%, 53%, 0.5)", "rebeccapurple", "Black", ""];
		const notColours = [
			"red} .totals{display:none} .x{color:red",
			"url(http:\\2f \\2f 127.0.0.1/x)",
			"red;background:url(//127.0.0.1/x)",
			"rgb(1,2,3)} body{display:none",
			"var(--x)",
			"expression(alert(1))",
			"red !important",
			"red\n",
			"#12345",
			"#ggg",
			"</style><script>",
		];
		for (const template of BUILT_IN_TEMPLATES.values()) {
			const { html, schema, sampleData, id } = template;
			// Unescaped values, style attributes and URLs are contexts HTML escaping does not protect.
			expect(html, id).not.toMatch(/\{\{\{|\{\{&/);
			expect(html, id).not.toMatch(/style\s*=\s*["'][^"']*\{\{/i);
			expect(html, id).not.toMatch(/(src|href|srcset|action|poster|data)\s*=\s*["']?[^"'>]*\{\{/i);
			expect(html, id).not.toMatch(/url\([^)]*\{\{/i);
			const styles = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/gi)].map((m) => m[1]!).join("\n");
			const inCss = new Set([...styles.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]!));
			const properties = schema.properties as Record<string, { enum?: unknown[]; pattern?: string }>;
			for (const name of inCss) {
				const property = properties[name];
				expect(property?.enum ?? property?.pattern, `${id}: ${name} is used in CSS`).toBeDefined();
				if (property?.enum) continue;
				for (const value of colours) expect(validateData(schema, { ...sampleData, [name]: value }), `${id} ${name}=${JSON.stringify(value)}`).toEqual([]);
				for (const value of notColours) {
					expect(validateData(schema, { ...sampleData, [name]: value }).map((p) => p.path), `${id} ${name}=${JSON.stringify(value)}`).toEqual([`data.${name}`]);
				}
			}
		}
	});

	it("prints the label on its CSS page size and the certificate in landscape by default", () => {
		expect(BUILT_IN_TEMPLATES.get("shipping/label")!.options).toEqual({ prefer_css_page_size: true });
		expect(BUILT_IN_TEMPLATES.get("certificates/certificate")!.options).toEqual({ landscape: true });
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
			preferCSSPageSize: true,
			waitForFonts: false,
			outline: false,
			tagged: true,
		});
		// A paper size the client chose wins over the document's @page size.
		expect(toPdfOptions({ format: "A4" }).preferCSSPageSize).toBe(false);
		expect(toPdfOptions({ width: "4in", height: "6in" }).preferCSSPageSize).toBe(false);
		expect(loadOptions({})).toEqual({ media: "print", waitTimeoutMs: 10_000, selector: null });
	});

	it("maps the API's names onto puppeteer's", () => {
		const mapped = toPdfOptions({ format: "Letter", landscape: true, margin: { top: "1in" }, print_background: false, scale: 0.5, page_ranges: "1-2", prefer_css_page_size: true });
		expect(mapped).toMatchObject({ format: "Letter", landscape: true, printBackground: false, scale: 0.5, pageRanges: "1-2", preferCSSPageSize: true });
		expect(mapped.margin).toEqual({ top: "1in", right: 0, bottom: 0, left: 0 });
		expect(loadOptions({ emulate_media: "screen", wait_timeout_ms: 0, wait_for_selector: "#done" })).toEqual({ media: "screen", waitTimeoutMs: 0, selector: "#done" });
	});

	it("uses width and height instead of a format", () => {
		const mapped = toPdfOptions({ width: "4in", height: "6in" });
		expect(mapped).toMatchObject({ width: "4in", height: "6in" });
		expect(mapped.format).toBeUndefined();
	});

	it("turns a header or footer on with room for it, and an empty counterpart that prints nothing", () => {
		const mapped = toPdfOptions({ footer_template: "<p>x</p>" });
		expect(mapped.displayHeaderFooter).toBe(true);
		expect(mapped.margin).toEqual({ top: 0, right: 0, bottom: "20mm", left: 0 });
		expect(mapped.headerTemplate).toBe("<span></span>");
		expect(mapped.footerTemplate).toMatch(/font-size:10px.*<p>x<\/p><\/div>$/);
		expect(toPdfOptions({ header_template: "h", margin: { top: "5mm" } }).margin).toEqual({ top: "5mm", right: 0, bottom: 0, left: 0 });
		expect(toPdfOptions({}).displayHeaderFooter).toBeUndefined();
	});
});

describe("page options schema", () => {
	it("refuses a format together with a size, and a width without a height", () => {
		const paths = (options: unknown) => PageOptionsSchema.safeParse(options).error?.issues.map((i) => i.path.join("."));
		expect(paths({ format: "A4", width: "4in", height: "6in" })).toEqual(["format"]);
		expect(paths({ width: "4in" })).toEqual(["height"]);
		expect(paths({ width: "0mm", height: "6in" })).toEqual(["width"]);
		expect(paths({ margin: { top: "300in" } })).toEqual(["margin.top"]);
		// Not a length: a validation issue (toInches would throw; the regex stops it first).
		expect(paths({ margin: { top: "wide" } })).toEqual(["margin.top"]);
		expect(paths({ wait_timeout_ms: 30_001 })).toEqual(["wait_timeout_ms"]);
		expect(paths({ emulate_media: "tv" })).toEqual(["emulate_media"]);
		expect(paths({ width: 384, height: "6in", emulate_media: "screen", wait_for_selector: "#x", wait_timeout_ms: 0 })).toBeUndefined();
	});

	it("measures CSS lengths in inches", () => {
		expect(toInches(96)).toBe(1);
		expect(toInches("25.4mm")).toBe(1);
		expect(toInches("2.54cm")).toBe(1);
		expect(toInches("48px")).toBe(0.5);
		expect(toInches("48")).toBe(0.5);
	});
});

describe("header and footer templates", () => {
	it("turn {{page}}, {{pages}}, {{date}} and {{title}} into Chromium's placeholders", () => {
		expect(expandPageTokens("Page {{page}} of {{ pages }}, {{date}}, {{title}}")).toBe(
			'Page <span class="pageNumber"></span> of <span class="totalPages"></span>, <span class="date"></span>, <span class="title"></span>',
		);
	});

	it("are rendered with the data, escaped, and name the option when they do not parse", () => {
		const rendered = renderHeaderFooter({ header_template: "{{company}} — {{page}}", scale: 1 }, { company: "A&B", page: "not this" });
		expect(rendered).toEqual({ header_template: 'A&amp;B — <span class="pageNumber"></span>', scale: 1 });
		expect(() => renderHeaderFooter({ footer_template: "a\n{{#x}}" }, {})).toThrow(/options\.footer_template: Unclosed section "x"/);
	});
});

describe("the shipping label's barcode", () => {
	const label = BUILT_IN_TEMPLATES.get("shipping/label")!;
	const { barcode: _, ...sample } = label.sampleData;
	/** What the label's Code 128 barcodes encode (the helper's SVG labels itself with it); decoded by a reader in test/templates/helpers-decode.test.ts. */
	const encoded = (html: string) => [...html.matchAll(/<svg class="quire-code128" role="img" aria-label="([^"]*)"/g)].map((m) => unescapeHtml(m[1]!)).join("|");

	it("is drawn from the tracking number, a plain string: spaces left out, letters capitalised", () => {
		expect(encoded(prepareDocument(label, { ...sample, tracking_number: "hp 4821 7730-9162" }, {}, "Label").html)).toBe("HP48217730-9162");
		expect(encoded(prepareDocument(label, label.sampleData, {}, "Label").html)).toBe("HP482177309162");
	});

	it("takes `barcode` as a string, or as before as a list of characters; an empty one prints no barcode", () => {
		expect(encoded(prepareDocument(label, { ...sample, barcode: "ORD 10482/a" }, {}, "Label").html)).toBe("ORD 10482/a");
		expect(encoded(prepareDocument(label, { ...sample, barcode: ["H", "P", "4", "8"] }, {}, "Label").html)).toBe("HP48");
		const none = prepareDocument(label, { ...sample, barcode: "" }, {}, "Label").html;
		expect(encoded(none)).toBe("");
		expect(none).toContain("HP 4821 7730 9162");
	});

	it("refuses what Code 128 can't encode with a 400 naming the field, rather than printing no barcode", () => {
		const problems = (data: Record<string, unknown>) => {
			try {
				prepareDocument(label, { ...sample, ...data }, {}, "Label");
				return [];
			} catch (error) {
				if (!(error instanceof ApiError)) throw error;
				return [...new Set((error.details as { fields: Array<{ path: string }> }).fields.map((f) => f.path))];
			}
		};
		expect(problems({ tracking_number: "HP№4821" })).toEqual(["data.tracking_number"]);
		expect(problems({ tracking_number: "1".repeat(49) })).toEqual(["data.tracking_number"]);
		expect(problems({ tracking_number: "HP#4821/x" })).toEqual([]);
		expect(problems({ barcode: "hp4821é" })).toEqual(["data.barcode"]);
		expect(problems({ barcode: ["HP"] })).toEqual(["data.barcode", "data.barcode.0"]);
		// A tracking number the barcode does not encode may hold anything.
		expect(problems({ tracking_number: "HP№4821", barcode: "HP4821" })).toEqual([]);
	});
});

describe("the invoice's helpers", () => {
	const invoice = BUILT_IN_TEMPLATES.get("invoices/invoice")!;

	it("formats numeric amounts in the currency by locale, prints preformatted ones as given, and draws the payment QR code", () => {
		const sample = prepareDocument(invoice, invoice.sampleData, {}, "Invoice").html;
		for (const value of ["$240.00", "$510.00", "$54.00", "$564.00"]) expect(sample).toContain(value);
		expect(sample).toContain(`<svg class="quire-qr" role="img" aria-label="https:&#x2F;&#x2F;pay.northwind.example&#x2F;i&#x2F;INV-2026-0042?amount&#x3D;564.00"`);

		const euro = prepareDocument(invoice, { client: "Acme", total: 1234.5, currency: "EUR", locale: "de-DE", items: [{ description: "x", quantity: 1500, amount: 1234.5 }] }, {}, "Invoice").html;
		expect(euro).toContain("1.234,50\u00a0€");
		expect(euro).toContain(">1.500<");
		expect(euro).not.toContain("quire-qr");
		expect(prepareDocument(invoice, { client: "Acme", total: "$564" }, {}, "Invoice").html).toContain("$564<");
	});

	it("refuses a currency that is not an ISO code with a 400 naming the field", () => {
		expect(() => prepareDocument(invoice, { client: "Acme", total: 1, currency: "euro" }, {}, "Invoice")).toThrow(/data.currency|currency/);
	});
});
