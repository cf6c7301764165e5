import { type OutputUnit, type Schema, type SchemaDraft, Validator } from "@cfworker/json-schema";

/** One problem with a request field, as `details.fields` lists them. */
export interface FieldProblem {
	path: string;
	message: string;
}

/** Keywords whose failure only says that something inside failed; the inner failure is reported instead. */
const WRAPPERS = new Set(["properties", "patternProperties", "items", "prefixItems", "additionalItems", "contains", "$ref", "$recursiveRef", "allOf", "if", "then", "else", "dependentSchemas", "false"]);

/** `#/items/0/amount` under `data` → `data.items.0.amount`. */
function fieldPath(prefix: string, pointer: string, child?: string): string {
	const parts = pointer.replace(/^#\/?/, "").split("/").filter(Boolean).map((p) => decodeURIComponent(p).replaceAll("~1", "/").replaceAll("~0", "~"));
	return [prefix, ...parts, ...(child === undefined ? [] : [child])].join(".");
}

function problemOf(unit: OutputUnit, prefix: string, all: OutputUnit[]): FieldProblem | null {
	if (WRAPPERS.has(unit.keyword)) return null;
	const property = /^Property "(.*)" does not match/.exec(unit.error)?.[1];
	if ((unit.keyword === "additionalProperties" || unit.keyword === "unevaluatedProperties") && property !== undefined) {
		const path = fieldPath(prefix, unit.instanceLocation, property);
		// Refused outright (a `false` schema), or only wrapping what is wrong inside the property.
		const refused = all.some((other) => other.keyword === "false" && fieldPath(prefix, other.instanceLocation) === path);
		return refused ? { path, message: "is not allowed" } : null;
	}
	const missing = /required property "(.*)"/.exec(unit.error)?.[1];
	if (unit.keyword === "required" && missing !== undefined) return { path: fieldPath(prefix, unit.instanceLocation, missing), message: "is required" };
	const type = /Instance type "(.*)" is invalid. Expected (.*)\.$/.exec(unit.error);
	if (unit.keyword === "type" && type) return { path: fieldPath(prefix, unit.instanceLocation), message: `must be ${type[2]!.replaceAll('"', "")}, not ${type[1]}` };
	return { path: fieldPath(prefix, unit.instanceLocation), message: unit.error.replace(/^Instance /, "value ").replace(/\.$/, "") };
}

/** The JSON Schema draft a schema declares in `$schema`; 2020-12 when it declares none. */
function draftOf(schema: Record<string, unknown>): SchemaDraft {
	const declared = typeof schema.$schema === "string" ? schema.$schema : "";
	if (/draft-04/.test(declared)) return "4";
	if (/draft-0[67]/.test(declared)) return "7";
	if (/2019-09/.test(declared)) return "2019-09";
	return "2020-12";
}

// Built-in schemas are the same objects on every request: prepare each once. Stored ones are parsed
// per request, so their entries go with them.
const validators = new WeakMap<object, Validator>();

function validatorFor(schema: Record<string, unknown>): Validator {
	let validator = validators.get(schema);
	if (!validator) {
		validator = new Validator(schema as Schema, draftOf(schema), false);
		validators.set(schema, validator);
	}
	return validator;
}

/**
 * Checks `data` against a template's JSON Schema and lists every problem, each with the field's
 * path under `prefix` (`data.items.0.amount`). Empty when the data is valid.
 *
 * @example validateData({ type: "object", required: ["total"] }, {}) // [{ path: "data.total", message: "is required" }]
 */
export function validateData(schema: Record<string, unknown>, data: unknown, prefix = "data"): FieldProblem[] {
	const result = validatorFor(schema).validate(data);
	if (result.valid) return [];
	const problems = result.errors.map((unit) => problemOf(unit, prefix, result.errors)).filter((p): p is FieldProblem => p !== null);
	const unique = [...new Map(problems.map((p) => [`${p.path}\n${p.message}`, p])).values()];
	return unique.length > 0 ? unique : [{ path: prefix, message: "does not match the template's schema" }];
}

/**
 * Whether a template's schema declares the name a template looked up in a section scope
 * (`["items[]"]`, `"sku"`), at that level or, as Mustache falls back to enclosing contexts, at
 * any level above: a declared field the data leaves out is optional, not missing.
 *
 * @example declaredIn({ properties: { items: { items: { properties: { sku: {} } } } } }, ["items[]"], "sku") // true
 */
export function declaredIn(schema: Record<string, unknown>, scope: readonly string[], name: string): boolean {
	for (let depth = scope.length; depth >= 0; depth--) {
		let node: unknown = schema;
		for (const segment of [...scope.slice(0, depth), name].flatMap((part) => part.split("."))) {
			const list = segment.endsWith("[]");
			const property = propertiesOf(node)?.[list ? segment.slice(0, -2) : segment];
			node = list ? (property as { items?: unknown } | undefined)?.items : property;
			if (node === undefined) break;
		}
		if (node !== undefined) return true;
	}
	return false;
}

const propertiesOf = (node: unknown) =>
	node !== null && typeof node === "object" && "properties" in node && node.properties !== null && typeof node.properties === "object" ? (node.properties as Record<string, unknown>) : undefined;

const schemaList = { type: "array", minItems: 1, items: { $ref: "#" } };
const schemaMap = { type: "object", additionalProperties: { $ref: "#" } };
const count = { type: "integer", minimum: 0 };
const names = { type: "array", items: { type: "string" }, uniqueItems: true };
const typeName = { enum: ["array", "boolean", "integer", "null", "number", "object", "string"] };
const bound = { type: ["number", "boolean"] }; // draft 4 spells exclusiveMinimum as a boolean

/**
 * The shape of a JSON Schema (drafts 4 to 2020-12): each keyword this validator applies must
 * have the type the specification gives it, and every subschema is itself checked. Unknown
 * keywords are allowed, as the specification allows them.
 */
const META_SCHEMA = {
	type: ["object", "boolean"],
	properties: {
		$schema: { type: "string" },
		$id: { type: "string" },
		$ref: { type: "string" },
		$anchor: { type: "string" },
		$comment: { type: "string" },
		$defs: schemaMap,
		definitions: schemaMap,
		title: { type: "string" },
		description: { type: "string" },
		examples: { type: "array" },
		deprecated: { type: "boolean" },
		readOnly: { type: "boolean" },
		writeOnly: { type: "boolean" },
		type: { anyOf: [typeName, { type: "array", items: typeName, minItems: 1, uniqueItems: true }] },
		enum: { type: "array" },
		multipleOf: { type: "number", exclusiveMinimum: 0 },
		maximum: { type: "number" },
		minimum: { type: "number" },
		exclusiveMaximum: bound,
		exclusiveMinimum: bound,
		maxLength: count,
		minLength: count,
		pattern: { type: "string", format: "regex" },
		format: { type: "string" },
		maxItems: count,
		minItems: count,
		uniqueItems: { type: "boolean" },
		maxContains: count,
		minContains: count,
		maxProperties: count,
		minProperties: count,
		required: names,
		dependentRequired: { type: "object", additionalProperties: names },
		properties: schemaMap,
		patternProperties: { type: "object", propertyNames: { format: "regex" }, additionalProperties: { $ref: "#" } },
		dependentSchemas: schemaMap,
		additionalProperties: { $ref: "#" },
		unevaluatedProperties: { $ref: "#" },
		propertyNames: { $ref: "#" },
		items: { anyOf: [{ $ref: "#" }, schemaList] },
		prefixItems: schemaList,
		additionalItems: { $ref: "#" },
		unevaluatedItems: { $ref: "#" },
		contains: { $ref: "#" },
		allOf: schemaList,
		anyOf: schemaList,
		oneOf: schemaList,
		not: { $ref: "#" },
		if: { $ref: "#" },
		then: { $ref: "#" },
		else: { $ref: "#" },
	},
};

const metaValidator = new Validator(META_SCHEMA as Schema, "2020-12", false);

/** Every `$ref` in a schema (values of `enum`, `const`, `default` and `examples` are data, not schemas). */
function refsOf(node: unknown, found: string[] = []): string[] {
	if (Array.isArray(node)) for (const item of node) refsOf(item, found);
	else if (node && typeof node === "object") {
		for (const [key, value] of Object.entries(node)) {
			if (key === "$ref" && typeof value === "string") found.push(value);
			else if (!["enum", "const", "default", "examples"].includes(key)) refsOf(value, found);
		}
	}
	return found;
}

function anchorsOf(node: unknown, found = new Set<string>()): Set<string> {
	if (Array.isArray(node)) for (const item of node) anchorsOf(item, found);
	else if (node && typeof node === "object") {
		for (const [key, value] of Object.entries(node)) {
			if (key === "$anchor" && typeof value === "string") found.add(value);
			else if (!["enum", "const", "default", "examples"].includes(key)) anchorsOf(value, found);
		}
	}
	return found;
}

/** Whether a `#/…` JSON Pointer leads somewhere in `root`. */
function resolves(root: unknown, pointer: string): boolean {
	let node = root;
	for (const raw of pointer.slice(2).split("/")) {
		const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
		if (!node || typeof node !== "object" || !(key in node)) return false;
		node = (node as Record<string, unknown>)[key];
	}
	return true;
}

/**
 * Checks that a stored template's `schema` is a JSON Schema this service can apply: the right
 * shape ({@link META_SCHEMA}), valid regular expressions, and only `$ref`s inside the schema (it
 * never fetches another). Lists the problems under `prefix` (`schema.properties.total.type`).
 */
export function checkSchema(schema: Record<string, unknown>, prefix = "schema"): FieldProblem[] {
	let problems: FieldProblem[];
	try {
		const { errors } = metaValidator.validate(schema);
		problems = errors.map((unit) => problemOf(unit, prefix, errors)).filter((p): p is FieldProblem => p !== null);
	} catch {
		return [{ path: prefix, message: "is too deeply nested" }];
	}
	if (problems.length > 0) {
		// anyOf failures repeat their branches' complaints: keep one line per field.
		return [...new Map(problems.map((p) => [p.path, p])).values()];
	}
	const anchors = anchorsOf(schema);
	for (const ref of refsOf(schema)) {
		const local = ref === "#" || (ref.startsWith("#/") && resolves(schema, ref)) || (ref.startsWith("#") && anchors.has(ref.slice(1)));
		if (!local) problems.push({ path: prefix, message: `$ref "${ref}" does not point inside this schema (other documents are never fetched)` });
	}
	if (problems.length > 0) return problems;
	try {
		// Applying it once finds what the shape can't show (e.g. a pattern JavaScript can't compile).
		new Validator(schema as Schema, draftOf(schema), false).validate({});
	} catch (error) {
		return [{ path: prefix, message: `can't be applied: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` }];
	}
	return [];
}
