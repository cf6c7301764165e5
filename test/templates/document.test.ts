import { describe, expect, it } from "vitest";
import { withTitle } from "../../src/templates/document";

describe("withTitle", () => {
	it("puts an escaped <title> before the first element, after a doctype and what precedes it", () => {
		expect(withTitle("<p>x</p>", `a <b> & "c"`)).toBe("<title>a &lt;b&gt; &amp; &quot;c&quot;</title><p>x</p>");
		expect(withTitle(" <!-- c --> <!DOCTYPE html><html><head></head></html>", "T")).toBe(" <!-- c --> <!DOCTYPE html><title>T</title><html><head></head></html>");
	});

	it("keeps the document's own <title>, and does not take an SVG's or a comment's for one", () => {
		const own = "<html><head><TITLE>Mine</TITLE></head></html>";
		expect(withTitle(own, "T")).toBe(own);
		expect(withTitle("<svg><svg></svg><title>chart</title></svg><!-- <title>old</title> --><p>x</p>", "T")).toMatch(/^<title>T<\/title>/);
		expect(withTitle("<svg><title>a</title></svg><title>Mine</title>", "T")).toBe("<svg><title>a</title></svg><title>Mine</title>");
		// An unclosed comment hides the rest of the document, a title included.
		expect(withTitle("<!-- <title>x</title>", "T")).toBe("<title>T</title><!-- <title>x</title>");
	});

	it("scans a large document once: many unclosed <svg> tags take no time", () => {
		const html = "<svg ".repeat(500_000);
		const started = Date.now();
		withTitle(html, "T");
		expect(Date.now() - started).toBeLessThan(2_000);
	});
});
