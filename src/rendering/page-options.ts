import { z } from "@hono/zod-openapi";
import type { PDFOptions } from "@cloudflare/puppeteer";

/**
 * Page options of `POST /v1/generate`, with their units and defaults in one place.
 * Lengths are CSS lengths: a number (pixels) or a string with `px`, `in`, `cm` or `mm`.
 */
const CssLength = z
	.union([z.number().min(0).max(10_000), z.string().regex(/^\d+(\.\d+)?(px|in|cm|mm)?$/, "a CSS length such as 10mm, 0.5in or 20px")])
	.openapi({ example: "10mm" });

export const PageOptionsSchema = z
	.object({
		format: z.enum(["A3", "A4", "A5", "Letter", "Legal", "Tabloid"]).optional().openapi({ description: "Paper size. Default A4." }),
		landscape: z.boolean().optional().openapi({ description: "Landscape orientation. Default false." }),
		margin: z
			.object({ top: CssLength.optional(), right: CssLength.optional(), bottom: CssLength.optional(), left: CssLength.optional() })
			.strict()
			.optional()
			.openapi({ description: "Page margins (CSS lengths). Default 0 on every side: templates set their own padding." }),
		print_background: z.boolean().optional().openapi({ description: "Print background colours and images. Default true." }),
		scale: z.number().min(0.1).max(2).optional().openapi({ description: "Rendering scale, 0.1 to 2. Default 1." }),
		page_ranges: z
			.string()
			.regex(/^\s*\d+\s*(-\s*\d*\s*)?(,\s*\d+\s*(-\s*\d*\s*)?)*$/, "page ranges such as 1-3, 5")
			.optional()
			.openapi({ description: "Pages to keep, e.g. `1-3, 5`. Default: all pages." }),
		prefer_css_page_size: z.boolean().optional().openapi({ description: "Let CSS `@page { size }` win over `format`. Default false." }),
	})
	.strict()
	.openapi("PageOptions");

export type PageOptions = z.infer<typeof PageOptionsSchema>;

/** Maps the API's page options onto puppeteer's `page.pdf()` options, filling every default. */
export function toPdfOptions(options: PageOptions = {}): PDFOptions {
	return {
		format: options.format ?? "A4",
		landscape: options.landscape ?? false,
		margin: {
			top: options.margin?.top ?? 0,
			right: options.margin?.right ?? 0,
			bottom: options.margin?.bottom ?? 0,
			left: options.margin?.left ?? 0,
		},
		printBackground: options.print_background ?? true,
		scale: options.scale ?? 1,
		pageRanges: options.page_ranges ?? "",
		preferCSSPageSize: options.prefer_css_page_size ?? false,
	};
}
