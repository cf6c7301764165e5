import Mustache from "mustache";
import certificateHtml from "../../templates/certificates/certificate.html";
import certificateSample from "../../templates/certificates/certificate.sample.json";
import certificateSchema from "../../templates/certificates/certificate.schema.json";
import invoiceHtml from "../../templates/invoices/invoice.html";
import invoiceSample from "../../templates/invoices/invoice.sample.json";
import invoiceSchema from "../../templates/invoices/invoice.schema.json";
import receiptHtml from "../../templates/invoices/receipt.html";
import receiptSample from "../../templates/invoices/receipt.sample.json";
import receiptSchema from "../../templates/invoices/receipt.schema.json";
import letterHtml from "../../templates/letters/letter.html";
import letterSample from "../../templates/letters/letter.sample.json";
import letterSchema from "../../templates/letters/letter.schema.json";
import quoteHtml from "../../templates/quotes/quote.html";
import quoteSample from "../../templates/quotes/quote.sample.json";
import quoteSchema from "../../templates/quotes/quote.schema.json";
import reportHtml from "../../templates/reports/report.html";
import reportSample from "../../templates/reports/report.sample.json";
import reportSchema from "../../templates/reports/report.schema.json";
import labelHtml from "../../templates/shipping/label.html";
import labelSample from "../../templates/shipping/label.sample.json";
import labelSchema from "../../templates/shipping/label.schema.json";
import packingSlipHtml from "../../templates/shipping/packing-slip.html";
import packingSlipSample from "../../templates/shipping/packing-slip.sample.json";
import packingSlipSchema from "../../templates/shipping/packing-slip.schema.json";
import { expandPageTokens, type PageOptions } from "./page-options";
import { HELPER_VIEW } from "../templates/helpers";

/**
 * A built-in template from `templates/`: id (its path there), Mustache HTML, sample data, the
 * JSON Schema of its data, the page options it is printed with unless the request says otherwise,
 * and what its data needs computed before Mustache renders it.
 */
export interface BuiltInTemplate {
	id: string;
	name: string;
	description: string;
	html: string;
	sampleData: Record<string, unknown>;
	schema: Record<string, unknown>;
	options: PageOptions;
	prepareData?: (data: Record<string, unknown>) => Record<string, unknown>;
}

/**
 * What the shipping label's Code 128 barcode encodes (`{{#code128}}{{barcode}}{{/code128}}`):
 * `barcode` when given (a string, or the earlier list of characters), else the tracking number
 * with its spaces left out and its letters capitalised.
 */
export function shippingLabelData(data: Record<string, unknown>): Record<string, unknown> {
	const { barcode, tracking_number } = data;
	const encoded = Array.isArray(barcode) ? barcode.join("") : typeof barcode === "string" ? barcode : String(tracking_number ?? "").replace(/\s+/g, "").toUpperCase();
	return { ...data, barcode: encoded };
}

/** Built-in templates exist in one version: this one. */
export const BUILT_IN_VERSION = 1;

const GALLERY: BuiltInTemplate[] = [
	{
		id: "invoices/invoice",
		name: "Invoice",
		description: "An invoice with line items, subtotal, tax and notes; DokJet's {client, total} alone makes a one-line invoice.",
		html: invoiceHtml,
		sampleData: invoiceSample,
		schema: invoiceSchema,
		options: {},
	},
	{
		id: "invoices/receipt",
		name: "Receipt",
		description: "A payment receipt with a PAID stamp, payment details, items and totals.",
		html: receiptHtml,
		sampleData: receiptSample,
		schema: receiptSchema,
		options: {},
	},
	{
		id: "quotes/quote",
		name: "Quote",
		description: "A quote or estimate with line items, totals, validity and an acceptance block.",
		html: quoteHtml,
		sampleData: quoteSample,
		schema: quoteSchema,
		options: {},
	},
	{
		id: "letters/letter",
		name: "Letter",
		description: "A business letter on letterhead, with references, subject and signature.",
		html: letterHtml,
		sampleData: letterSample,
		schema: letterSchema,
		options: {},
	},
	{
		id: "certificates/certificate",
		name: "Certificate",
		description: "A certificate of completion or achievement on one landscape A4 page.",
		html: certificateHtml,
		sampleData: certificateSample,
		schema: certificateSchema,
		options: { landscape: true },
	},
	{
		id: "shipping/label",
		name: "Shipping label",
		description: "A 4 × 6 inch shipping label with a Code 128 barcode.",
		html: labelHtml,
		sampleData: labelSample,
		schema: labelSchema,
		// The label's size is its CSS @page size, not a paper format.
		options: { prefer_css_page_size: true },
		prepareData: shippingLabelData,
	},
	{
		id: "reports/report",
		name: "Report",
		description: "A report with metric cards, a summary and a table of any length whose header row repeats on every page; pages are numbered.",
		html: reportHtml,
		sampleData: reportSample,
		schema: reportSchema,
		options: {},
	},
	{
		id: "shipping/packing-slip",
		name: "Packing slip",
		description: "A packing slip without prices, with a check box per line and sign-off lines.",
		html: packingSlipHtml,
		sampleData: packingSlipSample,
		schema: packingSlipSchema,
		options: {},
	},
];

/** Every built-in template by id, in gallery order. */
export const BUILT_IN_TEMPLATES: ReadonlyMap<string, BuiltInTemplate> = new Map(GALLERY.map((t) => [t.id, t]));

// Inline templates come from clients: caching every parsed one would grow memory without bound.
Mustache.templateCache = undefined;

export class TemplateSyntaxError extends Error {
	constructor(
		message: string,
		readonly line: number,
	) {
		super(message);
	}
}

/**
 * Checks that a Mustache template parses. Throws {@link TemplateSyntaxError} naming the line
 * when it does not.
 *
 * @example parseTemplate("<p>{{#items}}") // throws: Unclosed section "items", line 1
 */
export function parseTemplate(html: string): void {
	try {
		Mustache.parse(html);
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		// mustache reports a character offset ("Unclosed tag at 118"); turn it into a line number.
		const offset = Number(/at (\d+)\s*$/.exec(message)?.[1] ?? 0);
		const line = html.slice(0, offset).split("\n").length;
		throw new TemplateSyntaxError(message.replace(/ at \d+\s*$/, ""), line);
	}
}

/**
 * How much one document's template may render: section iterations, and characters of HTML.
 * Nested sections over one list multiply (`{{#a}}{{#a}}{{#a}}…` over 1,000 items is a billion
 * iterations), so a small request could otherwise take minutes of CPU and gigabytes of memory.
 */
export const RENDER_BUDGET = { iterations: 200_000, htmlChars: 10 * 1024 * 1024 };

/** The template, with this data, renders more than {@link RENDER_BUDGET} allows. */
export class TemplateTooLargeError extends Error {}

/**
 * Mustache's writer, counting what it renders: each section iteration renders its tokens once,
 * and every piece of output (text, value) is counted before it is concatenated, so an over-budget
 * document stops before its HTML exists (`{{#a}}{{{big}}}{{/a}}` could otherwise build a string
 * past what V8 can hold).
 */
class BudgetedWriter extends Mustache.Writer {
	private iterations = 0;
	private htmlChars = 0;
	/** The sections being rendered, as path segments (`items[]`, `client`), for {@link MissingVariables} paths. */
	private readonly scope: string[] = [];

	constructor(private readonly missing?: MissingVariables) {
		super();
	}

	override renderTokens(...args: Parameters<Mustache.Writer["renderTokens"]>): string {
		if (++this.iterations > RENDER_BUDGET.iterations) {
			throw new TemplateTooLargeError(`The template repeats its sections more than ${RENDER_BUDGET.iterations} times with this data`);
		}
		return super.renderTokens(...args);
	}

	override renderSection(...args: Parameters<Mustache.Writer["renderSection"]>): string {
		const [token, context] = args;
		const name = token[1]!;
		const value = this.lookUp(name, context);
		// Names inside a section over a list or an object are reported under it: `items[].sku`, `client.name`.
		const segment = Array.isArray(value) ? `${name}[]` : value !== null && typeof value === "object" ? name : null;
		if (segment !== null) this.scope.push(segment);
		try {
			return super.renderSection(...args);
		} finally {
			if (segment !== null) this.scope.pop();
		}
	}

	override renderInverted(...args: Parameters<Mustache.Writer["renderInverted"]>): string {
		this.lookUp(args[0][1]!, args[1]);
		return super.renderInverted(...args);
	}

	override rawValue(...args: Parameters<Mustache.Writer["rawValue"]>): string {
		return this.counted(super.rawValue(...args));
	}

	override escapedValue(...args: Parameters<Mustache.Writer["escapedValue"]>): string {
		this.lookUp(args[0][1]!, args[1]);
		return this.counted(super.escapedValue(...args));
	}

	override unescapedValue(...args: Parameters<Mustache.Writer["unescapedValue"]>): string {
		this.lookUp(args[0][1]!, args[1]);
		return this.counted(super.unescapedValue(...args));
	}

	/**
	 * Looks a name up (mustache caches it for the writer's own lookup) and records it as missing
	 * when no context has it: data is JSON, so `undefined` means absent, never a value.
	 */
	private lookUp(name: string, context: Mustache.Context): unknown {
		const value: unknown = context.lookup(name);
		if (value === undefined) this.missing?.add(this.scope, name);
		return value;
	}

	/** The writer appends `undefined` as nothing, and anything else as its string. */
	private counted(output: unknown): string {
		const text = output === undefined ? "" : String(output);
		this.htmlChars += text.length;
		if (this.htmlChars > RENDER_BUDGET.htmlChars) {
			throw new TemplateTooLargeError(`The rendered HTML is over ${RENDER_BUDGET.htmlChars / 1024 / 1024} MB`);
		}
		return text;
	}
}

/** Most missing variables one document reports. */
export const MAX_MISSING_REPORTED = 100;

/**
 * The variables a template looked up that `data` does not have, as paths: `{{name}}`,
 * `{{{name}}}`, `{{#name}}` or `{{^name}}` whose name no context holds (a key present with
 * `null`, `false` or `""` is not missing). A name inside a section over a list is under `list[]`,
 * inside a section over an object under `object.`: `items[].sku`, `client.address.city`.
 * Up to {@link MAX_MISSING_REPORTED}, in the order the template first looked them up.
 */
export class MissingVariables {
	readonly paths = new Set<string>();

	/** `declared`: names the template's data schema allows to be absent (see `declaredIn`), not reported. */
	constructor(private readonly declared?: (scope: readonly string[], name: string) => boolean) {}

	add(scope: readonly string[], name: string): void {
		if (this.paths.size >= MAX_MISSING_REPORTED || this.declared?.(scope, name)) return;
		this.paths.add([...scope, name].join("."));
	}
}

/**
 * Renders a Mustache template with `data` (values HTML-escaped by `{{ }}`) and the template
 * helpers (src/templates/helpers.ts) under it, adding to `missing`
 * the variables it found no value for (up to {@link MAX_MISSING_REPORTED}).
 * Throws {@link TemplateSyntaxError} naming the line when the template does not parse, and
 * {@link TemplateTooLargeError} past {@link RENDER_BUDGET}.
 */
export function renderTemplate(html: string, data: Record<string, unknown>, missing?: MissingVariables): string {
	parseTemplate(html);
	// The helpers sit under the data: a field of the same name hides one, as it always has.
	return new BudgetedWriter(missing).render(html, new Mustache.Context(HELPER_VIEW).push(withoutNullItems(data)));
}

/**
 * mustache.js throws when a list holds `null` and a section looks a name up in it; per the
 * Mustache spec a lookup that misses falls through to the enclosing context, which an empty
 * object does. So null list items become `{}`.
 */
export function withoutNullItems(value: unknown): unknown {
	// A walk with its own stack, not recursion: stored sample data, say, may nest deeper than the
	// call stack goes, and no input may overflow it.
	const copyOf = (item: unknown): unknown => (Array.isArray(item) ? new Array(item.length) : item !== null && typeof item === "object" ? {} : item);
	const root = copyOf(value);
	const pending: Array<[from: object, to: Record<string, unknown>]> = root === value ? [] : [[value as object, root as Record<string, unknown>]];
	while (pending.length > 0) {
		const [from, to] = pending.pop()!;
		const inList = Array.isArray(from);
		for (const [key, item] of Object.entries(from)) {
			const copy = inList && item === null ? {} : copyOf(item);
			// defineProperty, not `to[key] =`: a `__proto__` key stays data, as Object.fromEntries keeps it.
			Object.defineProperty(to, key, { value: copy, writable: true, enumerable: true, configurable: true });
			if (copy !== item && !(inList && item === null)) pending.push([item as object, copy as Record<string, unknown>]);
		}
	}
	return root;
}

/**
 * Renders the header and footer templates of `options` with `data`, after turning `{{page}}`,
 * `{{pages}}`, `{{date}}` and `{{title}}` into Chromium's placeholders. A template that does not
 * parse throws a {@link TemplateSyntaxError} whose message names the option.
 */
export function renderHeaderFooter(options: PageOptions, data: Record<string, unknown>, missing?: MissingVariables): PageOptions {
	const rendered = { ...options };
	for (const name of ["header_template", "footer_template"] as const) {
		const template = options[name];
		if (template === undefined) continue;
		try {
			rendered[name] = renderTemplate(expandPageTokens(template), data, missing);
		} catch (error) {
			if (error instanceof TemplateSyntaxError) throw new TemplateSyntaxError(`options.${name}: ${error.message}`, error.line);
			throw error;
		}
	}
	return rendered;
}
