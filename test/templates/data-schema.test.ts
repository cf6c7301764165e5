import { describe, expect, it } from "vitest";
import { checkSchema, validateData } from "../../src/templates/data-schema";
import { BUILT_IN_TEMPLATES } from "../../src/rendering/templates";

const invoiceSchema = BUILT_IN_TEMPLATES.get("invoices/invoice")!.schema;

describe("validateData", () => {
	it("is empty for data that matches", () => {
		expect(validateData(invoiceSchema, { client: "Acme Corp", total: "$564" })).toEqual([]);
	});

	it("names each bad field by its path under data, once, with what is wrong", () => {
		const problems = validateData(invoiceSchema, { client: 5, items: [{ description: "x" }, { description: "y", amount: true }], company: { name: true } });
		expect(problems).toEqual([
			{ path: "data.total", message: "is required" },
			{ path: "data.company.name", message: "must be string, not boolean" },
			{ path: "data.client", message: "must be string, not number" },
			{ path: "data.items.0.amount", message: "is required" },
			{ path: "data.items.1.amount", message: "must be string, number, not boolean" },
		]);
	});

	it("reports properties that are not allowed, formats, enums and bounds", () => {
		const schema = {
			type: "object",
			additionalProperties: false,
			properties: { email: { type: "string", format: "email" }, plan: { enum: ["free", "pro"] }, seats: { type: "integer", minimum: 1 }, "a/b": { type: "string" } },
		};
		const problems = validateData(schema, { email: "nope", plan: "gold", seats: 0, extra: 1, "a/b": 2 });
		expect(problems.map((p) => p.path).sort()).toEqual(["data.a/b", "data.email", "data.extra", "data.plan", "data.seats"]);
		expect(problems.find((p) => p.path === "data.extra")!.message).toBe("is not allowed");
		expect(problems.find((p) => p.path === "data.email")!.message).toMatch(/email/);
	});

	it("follows the draft a schema declares", () => {
		const draft4 = { $schema: "http://json-schema.org/draft-04/schema#", type: "object", properties: { n: { type: "number", maximum: 5, exclusiveMaximum: true } } };
		expect(validateData(draft4, { n: 5 }).map((p) => p.path)).toEqual(["data.n"]);
	});
});

describe("checkSchema", () => {
	it("accepts the built-in schemas and common shapes", () => {
		for (const template of BUILT_IN_TEMPLATES.values()) expect(checkSchema(template.schema), template.id).toEqual([]);
		expect(checkSchema({ type: "object", $defs: { money: { type: "string", pattern: "^\\$[0-9,.]+$" } }, properties: { total: { $ref: "#/$defs/money" } } })).toEqual([]);
	});

	it("refuses what is not a JSON Schema, naming where", () => {
		expect(checkSchema({ type: "strin" })).toEqual([{ path: "schema.type", message: expect.any(String) }]);
		expect(checkSchema({ properties: { total: { type: "string", minLength: -1 } } }).map((p) => p.path)).toEqual(["schema.properties.total.minLength"]);
		expect(checkSchema({ required: "total" }).map((p) => p.path)).toEqual(["schema.required"]);
		expect(checkSchema({ properties: { x: { pattern: "(" } } }).map((p) => p.path)).toEqual(["schema.properties.x.pattern"]);
	});

	it("refuses a $ref that points outside the schema, since nothing is fetched", () => {
		expect(checkSchema({ $ref: "https://example.com/schema.json" })[0]!.message).toMatch(/does not point inside this schema/);
		expect(checkSchema({ properties: { a: { $ref: "#/$defs/missing" } } })[0]!.message).toMatch(/#\/\$defs\/missing/);
	});
});
