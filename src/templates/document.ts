import { ApiError } from "../http/errors";
import type { PageOptions } from "../rendering/page-options";
import { renderHeaderFooter, renderTemplate, TemplateSyntaxError, TemplateTooLargeError } from "../rendering/templates";
import { checkSchema, validateData, type FieldProblem } from "./data-schema";
import type { TemplateContent } from "./store";

/** What a document is made from: a template's HTML, the JSON Schema of its data and its default page options. */
export interface DocumentSource {
	html: string;
	schema: Record<string, unknown> | null;
	options: PageOptions;
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

/**
 * Everything about a document that can be known without a browser: the data matches the
 * template's schema (400 listing each field), the template and its header and footer parse
 * (422 naming the line), then the HTML and the page options to print it with (the template's
 * defaults, each replaced by the request's option of the same name).
 */
export function prepareDocument(source: DocumentSource, data: Record<string, unknown>, requested: PageOptions): { html: string; options: PageOptions } {
	if (source.schema) {
		const problems = validateData(source.schema, data);
		if (problems.length > 0) throw validationError(problems, "data does not match the template's schema");
	}
	const view = source.prepareData ? source.prepareData(data) : data;
	try {
		const html = renderTemplate(source.html, view);
		const options = renderHeaderFooter({ ...source.options, ...requested }, view);
		return { html, options };
	} catch (error) {
		if (error instanceof TemplateSyntaxError) throw templateError(error);
		if (error instanceof TemplateTooLargeError) throw new ApiError("DOCUMENT_TOO_LARGE", error.message);
		throw error;
	}
}

/**
 * Checks what an account stores as a template version: the HTML and the header and footer
 * templates parse (422 naming the line), the schema is a JSON Schema this service can apply and
 * the sample data matches it (400 listing each field).
 */
export function checkTemplateContent(content: TemplateContent): void {
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
