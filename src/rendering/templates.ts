import Mustache from "mustache";
import invoiceHtml from "../../templates/invoices/invoice.html";
import invoiceSample from "../../templates/invoices/invoice.sample.json";

/** A built-in template from `templates/`: id (its path there), Mustache HTML, sample data. */
export interface BuiltInTemplate {
	id: string;
	name: string;
	html: string;
	sampleData: Record<string, unknown>;
}

export const BUILT_IN_TEMPLATES: ReadonlyMap<string, BuiltInTemplate> = new Map(
	[{ id: "invoices/invoice", name: "Invoice", html: invoiceHtml, sampleData: invoiceSample }].map((t) => [t.id, t]),
);

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
 * Renders a Mustache template with `data` (values HTML-escaped by `{{ }}`).
 * Throws {@link TemplateSyntaxError} naming the line when the template does not parse.
 */
export function renderTemplate(html: string, data: Record<string, unknown>): string {
	try {
		Mustache.parse(html);
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		// mustache reports a character offset ("Unclosed tag at 118"); turn it into a line number.
		const offset = Number(/at (\d+)\s*$/.exec(message)?.[1] ?? 0);
		const line = html.slice(0, offset).split("\n").length;
		throw new TemplateSyntaxError(message.replace(/ at \d+\s*$/, ""), line);
	}
	return Mustache.render(html, withoutNullItems(data) as Record<string, unknown>);
}

/**
 * mustache.js throws when a list holds `null` and a section looks a name up in it; per the
 * Mustache spec a lookup that misses falls through to the enclosing context, which an empty
 * object does. So null list items become `{}`.
 */
export function withoutNullItems(value: unknown): unknown {
	if (Array.isArray(value)) return value.map((item) => (item === null ? {} : withoutNullItems(item)));
	if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNullItems(v)]));
	return value;
}
