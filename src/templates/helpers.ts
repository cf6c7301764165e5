import Mustache from "mustache";
import { code128, code39, drawingSVG, ean13, qrcode } from "bwip-js/generic";
import { namedAssetUrl } from "../assets/url";

/**
 * Template helpers: Mustache sections every template and inline HTML can use (docs/template-helpers.md).
 *
 *     {{#money}}[EUR de-DE]{{total}}{{/money}}      → 1.234,50 €
 *     {{#qr}}[H]{{payment_url}}{{/qr}}              → an SVG QR code
 *
 * A helper reads its section: an optional options block in square brackets first, then the value.
 * Both are rendered with the data, each on its own, so a value can never add options. Helpers
 * are pure: the same section and data give the same output, with no clock, network or user code.
 * A data field of the same name hides a helper (existing templates keep their meaning).
 */

/** A helper's input it can't turn into output (a barcode of characters its symbology lacks…): 422 TEMPLATE_ERROR. */
export class HelperError extends Error {
	constructor(
		readonly helper: string,
		message: string,
	) {
		super(`{{#${helper}}}: ${message}`);
	}
}

type Render = (template: string) => string;
/** What a helper does with its section: its options (words) and its value, both rendered and unescaped. */
type Helper = (value: string, options: string[]) => string;

/** Mustache.escape's entities, back to characters: helpers work on the data's text, then escape what they write. */
const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#x2F;": "/", "&#x60;": "`", "&#x3D;": "=" };
export function unescapeHtml(text: string): string {
	return text.replace(/&(?:amp|lt|gt|quot|#39|#x2F|#x60|#x3D);/g, (entity) => ENTITIES[entity]!);
}

/** The section's options block (`[…]` at its start, in the template's text) and the rest. */
function splitSection(section: string): { options: string; value: string } {
	const match = /^\s*\[([^\]]*)\]/.exec(section);
	return match ? { options: match[1]!, value: section.slice(match[0].length) } : { options: "", value: section };
}

/** A Mustache lambda (a function returning `(text, render)`) running `helper` on its section. */
function section(helper: Helper): () => (text: string, render: Render) => string {
	return () => (text, render) => {
		const { options, value } = splitSection(text);
		const words = unescapeHtml(render(options)).split(/\s+/).filter(Boolean);
		const input = unescapeHtml(render(value)).trim();
		return input === "" ? "" : helper(input, words);
	};
}

const DEFAULT_LOCALE = "en-US";

/** The first option that is a locale Intl knows (`de-DE`, `fr`: its language in lower case, so never a currency), else en-US. */
function localeOf(options: string[]): string {
	for (const word of options) {
		if (!/^[a-z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(word)) continue;
		try {
			const [canonical] = Intl.getCanonicalLocales(word);
			if (canonical && Intl.NumberFormat.supportedLocalesOf(canonical).length > 0) return canonical;
		} catch {
			// not a locale: another option
		}
	}
	return DEFAULT_LOCALE;
}

/** A number in the data's own notation (`1234.5`, `-3`, `1e3`), or null: formatting helpers write any other text as it is. */
function numberOf(text: string): number | null {
	if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) return null;
	const n = Number(text);
	return Number.isFinite(n) ? n : null;
}

/** `money`: an amount in a currency (`EUR`, ISO 4217: required to format), by locale. */
function money(value: string, options: string[]): string {
	const amount = numberOf(value);
	const currency = options.find((word) => /^[A-Z]{3}$/.test(word));
	if (amount === null) return Mustache.escape(value);
	if (!currency) throw new HelperError("money", "name the currency in the options, e.g. {{#money}}[EUR]{{total}}{{/money}}");
	return Mustache.escape(new Intl.NumberFormat(localeOf(options), { style: "currency", currency }).format(amount));
}

/** `number`: a number by locale; an integer option is the exact count of decimals, `percent` multiplies by 100 and adds %. */
function number(value: string, options: string[]): string {
	const n = numberOf(value);
	if (n === null) return Mustache.escape(value);
	const decimals = options.find((word) => /^\d{1,2}$/.test(word));
	const digits = decimals === undefined ? {} : { minimumFractionDigits: Math.min(Number(decimals), 20), maximumFractionDigits: Math.min(Number(decimals), 20) };
	const style = options.includes("percent") ? { style: "percent" as const } : {};
	return Mustache.escape(new Intl.NumberFormat(localeOf(options), { ...digits, ...style }).format(n));
}

const DATE_STYLES = ["full", "long", "medium", "short"] as const;

/**
 * `date`: an ISO 8601 date or date-time by locale and style (`full`, `long`, `medium` (default),
 * `short`); `time` adds the time, a time zone option (`Europe/Paris`) sets where (default UTC).
 */
function date(value: string, options: string[]): string {
	const when = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? new Date(value.length === 10 ? `${value}T00:00:00Z` : value) : null;
	if (!when || Number.isNaN(when.getTime())) return Mustache.escape(value);
	const dateStyle = DATE_STYLES.find((style) => options.includes(style)) ?? "medium";
	const timeZone = options.find((word) => word === "UTC" || /^[A-Z][A-Za-z_]+\/[A-Za-z_/-]+$/.test(word)) ?? "UTC";
	try {
		return Mustache.escape(new Intl.DateTimeFormat(localeOf(options), { dateStyle, ...(options.includes("time") ? { timeStyle: "short" } : {}), timeZone }).format(when));
	} catch {
		throw new HelperError("date", `"${timeZone}" is not a time zone`);
	}
}

/** `plural`: a count and the word for it, `[item items]` → `1 item`, `3 items` (the plural rule of the locale option, default English). */
function plural(value: string, options: string[]): string {
	const [one, other] = options;
	const n = numberOf(value);
	if (!one || !other) throw new HelperError("plural", "give the singular and plural forms, e.g. {{#plural}}[item items]{{count}}{{/plural}}");
	if (n === null) return Mustache.escape(value);
	const rule = new Intl.PluralRules(localeOf(options.slice(2))).select(n);
	return Mustache.escape(`${new Intl.NumberFormat(localeOf(options.slice(2))).format(n)} ${rule === "one" ? one : other}`);
}

type Encoder = typeof code128;

/**
 * An SVG barcode from bwip-js (Barcode Writer in Pure PostScript, maintained): black modules on
 * no background, sized in CSS pixels from its own module size (CSS `width`/`height` resize it; a
 * linear one stretches to the box), the text in `aria-label`; option `text` prints it below. bwip-js draws its human-readable text as paths, so no data reaches the
 * markup but the escaped label.
 */
function barcode(name: string, bcid: string, encode: Encoder, extra: (options: string[]) => Record<string, unknown> = () => ({})): Helper {
	return (value, options) => {
		let svg: string;
		try {
			svg = encode({ bcid, text: value, includetext: options.includes("text"), textxalign: "center", ...extra(options) }, drawingSVG());
		} catch (error) {
			const reason = String((error as Error)?.message ?? error).replace(/^bwipp\.\w+:\s*/, "");
			throw new HelperError(name, `can't encode "${value}": ${reason}`);
		}
		const [, width, height] = /viewBox="0 0 (\d+) (\d+)"/.exec(svg) ?? [];
		// A linear barcode may be stretched to any box (its bars scale alike); a QR code keeps its square.
		const fit = bcid === "qrcode" ? "" : ` preserveAspectRatio="none"`;
		// A function, not a replacement string: `$&` or `$'` in the data must stay text.
		return svg.replace("<svg ", () => `<svg class="quire-${name}" role="img" aria-label="${Mustache.escape(value)}" width="${width}" height="${height}"${fit} `).trim();
	};
}

const QR_LEVELS = ["L", "M", "Q", "H"];

/** Every helper by the name a template uses. */
export const HELPERS: Record<string, Helper> = {
	money,
	number,
	date,
	plural,
	/** `qr`: the text as a QR code; option L, M (default), Q or H: the error-correction level. */
	qr: barcode("qr", "qrcode", qrcode, (options) => ({ eclevel: QR_LEVELS.find((level) => options.includes(level)) ?? "M" })),
	code128: barcode("code128", "code128", code128),
	ean13: barcode("ean13", "ean13", ean13),
	code39: barcode("code39", "code39", code39),
	/** `asset`: the URL of the account's asset of that name (POST /v1/assets), answered by the renderer. */
	asset: (value) => Mustache.escape(namedAssetUrl(value)),
};

/** The helpers as Mustache section values: the context under every template's data. */
export const HELPER_VIEW: Record<string, unknown> = Object.fromEntries(Object.entries(HELPERS).map(([name, helper]) => [name, section(helper)]));
