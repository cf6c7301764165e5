import { z } from "@hono/zod-openapi";
import type { PDFOptions } from "@cloudflare/puppeteer";

/**
 * Page options of `POST /v1/generate` (and the default `options` of a stored template), with
 * their units and defaults in one place: {@link PAGE_DEFAULTS} holds every default, the schema's
 * descriptions (which are also the OpenAPI document's) state each unit.
 * Lengths are CSS lengths: a number (pixels, 96 to the inch) or a string with `px`, `in`, `cm` or `mm`.
 */
export const PAGE_DEFAULTS = {
	format: "A4",
	landscape: false,
	/** Each side. Templates set their own padding (or CSS `@page` margins). */
	margin: 0,
	/** Top margin when a `header_template` is given and `margin.top` is not (bottom likewise for the footer): Chromium only draws them inside the margin. */
	header_footer_margin: "20mm",
	print_background: true,
	scale: 1,
	page_ranges: "",
	/** Unless `format`, `width` or `height` is given: then `false`, and the paper size they give wins over a CSS `@page` size. */
	prefer_css_page_size: true,
	emulate_media: "print",
	wait_timeout_ms: 10_000,
} as const;

/** Longest wait for fonts, images and `wait_for_selector` a client may ask for. */
export const MAX_WAIT_TIMEOUT_MS = 30_000;

const UNIT_PER_INCH = { px: 96, in: 1, cm: 2.54, mm: 25.4 } as const;
const LENGTH = /^(\d+(?:\.\d+)?)(px|in|cm|mm)?$/;

/**
 * A CSS length in inches; a bare number (or a string without unit) is pixels. The one conversion:
 * the schema's limits and the print parameters both use it. RangeError for anything else.
 *
 * @example toInches("25.4mm") // 1
 */
export function toInches(length: number | string): number {
	if (typeof length === "number") return length / UNIT_PER_INCH.px;
	const match = LENGTH.exec(length);
	if (!match) throw new RangeError(`not a CSS length: ${length}`);
	const [, value, unit = "px"] = match;
	return Number(value) / UNIT_PER_INCH[unit as keyof typeof UNIT_PER_INCH];
}

/** Chromium can't print a page edge longer than this; a longer one is refused up front rather than failing the render. */
const MAX_EDGE_IN = 200;

/** Zod runs refinements even after the regex failed: they measure only what is a length. */
const isLength = (length: number | string) => typeof length === "number" || LENGTH.test(length);

const CssLength = z
	.union([z.number().min(0).max(MAX_EDGE_IN * UNIT_PER_INCH.px), z.string().regex(LENGTH, "a CSS length such as 10mm, 0.5in or 20px")])
	.refine((length) => !isLength(length) || toInches(length) <= MAX_EDGE_IN, `at most ${MAX_EDGE_IN}in`)
	.openapi({ example: "10mm" });

const PageEdge = CssLength.refine((length) => !isLength(length) || toInches(length) >= 0.1, "at least 0.1in");

/** Chromium fails the whole print when a header or footer template loads a stylesheet, so such a template is refused up front. */
const HeaderFooterTemplate = z
	.string()
	.max(50_000)
	.refine((template) => !/<link\b|@import\b/i.test(template), "a header or footer template can't load stylesheets (<link>, @import): put its styles in a <style> element");

export const PageOptionsSchema = z
	.object({
		format: z
			.enum(["A3", "A4", "A5", "Letter", "Legal", "Tabloid"])
			.optional()
			.openapi({
				description:
					"Paper size. Default: the document's CSS `@page { size }` when it declares one (with no `format`, `width` or `height` in the request or the template's options), else `A4`. " +
					"Given, it wins over a CSS size unless `prefer_css_page_size: true` (Chromium still turns it as a CSS `size: … landscape` says). Not together with `width`/`height`.",
			}),
		width: PageEdge.optional().openapi({ description: "Paper width (CSS length), instead of `format`; needs `height`." }),
		height: PageEdge.optional().openapi({ description: "Paper height (CSS length), instead of `format`; needs `width`." }),
		landscape: z.boolean().optional().openapi({ description: "Landscape orientation. Default false." }),
		margin: z
			.object({ top: CssLength.optional(), right: CssLength.optional(), bottom: CssLength.optional(), left: CssLength.optional() })
			.strict()
			.optional()
			.openapi({
				description: `Page margins (CSS lengths). Default 0 on every side (templates set their own padding); with a header (footer) template, the top (bottom) default is ${PAGE_DEFAULTS.header_footer_margin}.`,
			}),
		print_background: z.boolean().optional().openapi({ description: "Print background colours and images. Default true." }),
		scale: z.number().min(0.1).max(2).optional().openapi({ description: "Rendering scale, 0.1 to 2. Default 1." }),
		page_ranges: z
			.string()
			.regex(/^\s*\d+\s*(-\s*\d*\s*)?(,\s*\d+\s*(-\s*\d*\s*)?)*$/, "page ranges such as 1-3, 5")
			.optional()
			.openapi({ description: "Pages to keep, e.g. `1-3, 5`. Default: all pages." }),
		prefer_css_page_size: z
			.boolean()
			.optional()
			.openapi({
				description:
					"Let the document's CSS `@page { size }` decide the paper size (a document without one gets `format`, `A4` by default). Default: `true` when no `format`, `width` or `height` is given, `false` when one is. " +
					"`landscape` alone does not replace a CSS size: give a `format` with it.",
			}),
		header_template: HeaderFooterTemplate.optional()
			.openapi({
				description:
					"HTML printed at the top of every page, inside the top margin. A Mustache template rendered with `data`; `{{page}}`, `{{pages}}`, `{{date}}` and `{{title}}` become the page number, the page count, the date and the document's title " +
					"(Chromium's `<span class=\"pageNumber\"></span>`, `totalPages`, `date`, `title` work too). Self-contained: no external images or fonts (use data: URLs). Default font 10px.",
				example: "<div style=\"text-align:right\">{{company}}</div>",
			}),
		footer_template: HeaderFooterTemplate.optional()
			.openapi({ description: "HTML printed at the bottom of every page, inside the bottom margin; like `header_template`.", example: "<div style=\"text-align:center\">Page {{page}} of {{pages}}</div>" }),
		emulate_media: z.enum(["print", "screen"]).optional().openapi({ description: "CSS media type the page is laid out for. Default `print`." }),
		wait_for_selector: z
			.string()
			.min(1)
			.max(500)
			.optional()
			.openapi({ description: "Print only once an element matches this CSS selector (e.g. set by your script when a chart is drawn). Not there within `wait_timeout_ms`: 504 RENDER_TIMEOUT, nothing charged.", example: "#chart[data-ready]" }),
		wait_timeout_ms: z
			.number()
			.int()
			.min(0)
			.max(MAX_WAIT_TIMEOUT_MS)
			.optional()
			.openapi({
				description: `How long to wait, in milliseconds, for the page's load event, web fonts, images and \`wait_for_selector\` before printing. Default ${PAGE_DEFAULTS.wait_timeout_ms}, at most ${MAX_WAIT_TIMEOUT_MS}. Fonts and images still missing then are left out; 0 prints at once.`,
			}),
	})
	.strict()
	.superRefine((options, ctx) => {
		// Puppeteer silently prefers `format` over a size: refuse the ambiguity instead.
		if (options.format !== undefined && (options.width !== undefined || options.height !== undefined)) {
			ctx.addIssue({ code: "custom", path: ["format"], message: "send either format or width and height, not both" });
		}
		if ((options.width === undefined) !== (options.height === undefined)) {
			ctx.addIssue({ code: "custom", path: [options.width === undefined ? "width" : "height"], message: "width and height go together" });
		}
	})
	.openapi("PageOptions");

export type PageOptions = z.infer<typeof PageOptionsSchema>;

/** Chromium's header/footer placeholders, spelled as Mustache-like shorthands. */
const PAGE_TOKENS: Record<string, string> = { page: "pageNumber", pages: "totalPages", date: "date", title: "title" };

/** `{{page}}` → `<span class="pageNumber"></span>`, and likewise `{{pages}}`, `{{date}}`, `{{title}}`. */
export function expandPageTokens(template: string): string {
	return template.replace(/\{\{\s*(page|pages|date|title)\s*\}\}/g, (_, token: string) => `<span class="${PAGE_TOKENS[token]}"></span>`);
}

/**
 * Chromium prints header and footer templates in a bare document whose text is tiny and whose
 * colours are dropped: give them a readable default font, page-wide room and exact colours,
 * which the template's own styles override.
 */
function headerFooterHtml(template: string): string {
	return (
		'<div style="width:100%;box-sizing:border-box;padding:0 12mm;font-family:\'Helvetica Neue\',Helvetica,Arial,\'Liberation Sans\',sans-serif;' +
		`font-size:10px;color:#4b5563;-webkit-print-color-adjust:exact;print-color-adjust:exact">${template}</div>`
	);
}

/**
 * Page options with the two print settings of the `pdf` object (src/pdf/spec.ts `printSettings`):
 * internal fields the pipeline adds, not part of the request's `options` schema.
 */
export type PrintOptions = PageOptions & { outline?: boolean; tagged?: boolean };

/** Maps the API's page options (and the `pdf` object's print settings) onto puppeteer's `page.pdf()` options, filling every default. */
export function toPdfOptions(options: PrintOptions = {}): PDFOptions {
	const header = options.header_template;
	const footer = options.footer_template;
	const withHeaderFooter = header !== undefined || footer !== undefined;
	const size = options.width !== undefined && options.height !== undefined ? { width: options.width, height: options.height } : { format: options.format ?? PAGE_DEFAULTS.format };
	return {
		...size,
		landscape: options.landscape ?? PAGE_DEFAULTS.landscape,
		margin: {
			top: options.margin?.top ?? (header !== undefined ? PAGE_DEFAULTS.header_footer_margin : PAGE_DEFAULTS.margin),
			right: options.margin?.right ?? PAGE_DEFAULTS.margin,
			bottom: options.margin?.bottom ?? (footer !== undefined ? PAGE_DEFAULTS.header_footer_margin : PAGE_DEFAULTS.margin),
			left: options.margin?.left ?? PAGE_DEFAULTS.margin,
		},
		printBackground: options.print_background ?? PAGE_DEFAULTS.print_background,
		scale: options.scale ?? PAGE_DEFAULTS.scale,
		pageRanges: options.page_ranges ?? PAGE_DEFAULTS.page_ranges,
		// A paper size the client chose wins over the document's; otherwise the document's `@page` size is the paper.
		preferCSSPageSize: options.prefer_css_page_size ?? (options.format === undefined && options.width === undefined && PAGE_DEFAULTS.prefer_css_page_size),
		...(withHeaderFooter
			? {
					displayHeaderFooter: true,
					// An empty template makes Chromium print its own (date and title): an empty element prints nothing.
					headerTemplate: header !== undefined ? headerFooterHtml(header) : "<span></span>",
					footerTemplate: footer !== undefined ? headerFooterHtml(footer) : "<span></span>",
				}
			: {}),
		// loadContent has already waited for fonts, within the client's bound; puppeteer's own wait has none.
		waitForFonts: false,
		// Bookmarks from the headings only when asked; a tagged (accessible) PDF unless asked not to.
		outline: options.outline ?? false,
		tagged: options.tagged ?? true,
	};
}

/** How the page is loaded before printing: media type, and what to wait for and how long. */
export function loadOptions(options: PageOptions = {}): { media: "print" | "screen"; waitTimeoutMs: number; selector: string | null } {
	return {
		media: options.emulate_media ?? PAGE_DEFAULTS.emulate_media,
		waitTimeoutMs: options.wait_timeout_ms ?? PAGE_DEFAULTS.wait_timeout_ms,
		selector: options.wait_for_selector ?? null,
	};
}
