import { ApiError } from "../http/errors";
import { checkPdfSpec, type PdfSpec } from "../pdf/spec";
import type { PageOptions } from "../rendering/page-options";
import Mustache from "mustache";
import { atDocumentStart } from "../outbound/public-url";
import { MissingVariables, renderHeaderFooter, renderTemplate, TemplateSyntaxError, TemplateTooLargeError } from "../rendering/templates";
import { checkSchema, declaredIn, validateData, type FieldProblem } from "./data-schema";
import { HelperError } from "./helpers";
import type { TemplateContent } from "./store";

/** What a document is made from: a template's HTML, the JSON Schema of its data, its default page options and `pdf` settings. */
export interface DocumentSource {
	html: string;
	schema: Record<string, unknown> | null;
	options: PageOptions;
	/** The template's default `pdf` object; a request's parts replace its parts. */
	pdf?: PdfSpec | null;
	/** Turns data that matches the schema into what the template renders: what Mustache can't compute (built-ins only). */
	prepareData?: (data: Record<string, unknown>) => Record<string, unknown>;
}

/** The 400 of the contract for a list of bad fields. */
export function validationError(problems: FieldProblem[], what = "Invalid request"): ApiError {
	const summary = problems.map((p) => `${p.path}: ${p.message}`).join("; ");
	return new ApiError("VALIDATION_ERROR", `${what}: ${summary}`, { fields: problems });
}

/** A template that does not parse, as the contract's 422 naming the line. */
export function templateError(error: TemplateSyntaxError): ApiError {
	return new ApiError("TEMPLATE_ERROR", `Template error on line ${error.line}: ${error.message}`, { line: error.line });
}

/** A document prepared for printing, and the template variables its data left blank. */
export interface PreparedDocument {
	html: string;
	options: PageOptions;
	/** See {@link MissingVariables}. */
	missing: string[];
}

/**
 * Everything about a document that can be known without a browser: the data matches the
 * template's schema (400 listing each field), the template and its header and footer parse
 * (422 naming the line), then the HTML, with `title` as its `<title>` when it has none, the page
 * options to print it with (the template's defaults, each replaced by the request's option of the
 * same name), and the variables the data lacks (those the schema declares are optional, not missing).
 */
export function prepareDocument(source: DocumentSource, data: Record<string, unknown>, requested: PageOptions, title: string): PreparedDocument {
	const schema = source.schema;
	if (schema) {
		const problems = validateData(schema, data);
		if (problems.length > 0) throw validationError(problems, "data does not match the template's schema");
	}
	const view = source.prepareData ? source.prepareData(data) : data;
	const missing = new MissingVariables(schema ? (scope, name) => declaredIn(schema, scope, name) : undefined);
	try {
		const html = withTitle(renderTemplate(source.html, view, missing), title);
		const options = renderHeaderFooter({ ...source.options, ...requested }, view, missing);
		return { html, options, missing: [...missing.paths] };
	} catch (error) {
		if (error instanceof TemplateSyntaxError) throw templateError(error);
		if (error instanceof TemplateTooLargeError) throw new ApiError("DOCUMENT_TOO_LARGE", error.message);
		if (error instanceof HelperError) throw new ApiError("TEMPLATE_ERROR", `Template helper error: ${error.message}`, { helper: error.helper });
		throw error;
	}
}

/** `strict: true`: the 400 listing each variable the data lacks, under `data.`. */
export function missingVariablesError(missing: string[]): ApiError {
	return validationError(
		missing.map((path) => ({ path: `data.${path}`, message: "is used by the template but missing from data" })),
		"strict: the template uses variables data does not have",
	);
}

/**
 * Chromium titles a PDF with the page's `<title>`, and a page without one "about:blank": give it
 * `title` (HTML-escaped) before its first element. A `<title>` inside an SVG is not the page's.
 */
export function withTitle(html: string, title: string): string {
	return hasTitle(html) ? html : atDocumentStart(html, `<title>${Mustache.escape(title)}</title>`);
}

/** One pass over the tags that matter (a regex skipping SVG blocks would rescan megabytes for each unclosed `<svg`). */
function hasTitle(html: string): boolean {
	const tags = /<!--|<(\/?)(svg|title)[\s/>]/gi;
	let svgDepth = 0;
	for (let match = tags.exec(html); match; match = tags.exec(html)) {
		if (match[0] === "<!--") {
			const end = html.indexOf("-->", match.index + 4);
			if (end < 0) return false;
			tags.lastIndex = end + 3;
		} else if (match[2]!.toLowerCase() === "svg") svgDepth = Math.max(0, svgDepth + (match[1] ? -1 : 1));
		else if (!match[1] && svgDepth === 0) return true;
	}
	return false;
}

/**
 * Checks what an account stores as a template version: the HTML and the header and footer
 * templates parse (422 naming the line), the schema is a JSON Schema this service can apply and
 * the sample data matches it, the default `pdf` passes every check a request's does (400 listing each field).
 */
export function checkTemplateContent(content: TemplateContent): void {
	checkPdfSpec(content.pdf ?? undefined);
	if (content.schema) {
		const problems = checkSchema(content.schema);
		if (problems.length > 0) throw validationError(problems, "schema is not a JSON Schema this service can apply");
		if (content.sampleData) {
			const mismatches = validateData(content.schema, content.sampleData, "sample_data");
			if (mismatches.length > 0) throw validationError(mismatches, "sample_data does not match schema");
		}
	}
	try {
		renderTemplate(content.html, {});
		renderHeaderFooter(content.options ?? {}, {});
	} catch (error) {
		if (error instanceof TemplateSyntaxError) throw templateError(error);
		throw error;
	}
}
