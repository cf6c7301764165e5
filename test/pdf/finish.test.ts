import { describe, expect, it } from "vitest";
import { finishPdf, mergePdfSpecs } from "../../src/pdf/finish";
import { PdfSpecSchema, type PdfSpec } from "../../src/pdf/spec";
import { minimumInvoiceXml } from "./factur-x-sample";
import { attachmentsOf, invoice, metadataOf } from "./printed";

describe("finishPdf and mergePdfSpecs", () => {
	it("a request's part replaces the template's whole; parts the request leaves out are the template's", () => {
		const template: PdfSpec = { info: { title: "Invoice", author: "Acme" }, outline: true, watermark: { text: "DRAFT", pages: "1" } };
		expect(mergePdfSpecs(template, { info: { title: "Invoice 7" }, outline: false })).toEqual({ info: { title: "Invoice 7" }, outline: false, watermark: { text: "DRAFT", pages: "1" } });
		expect(mergePdfSpecs(template, undefined)).toBe(template);
		expect(mergePdfSpecs(undefined, { tagged: false })).toEqual({ tagged: false });
		expect(mergePdfSpecs(undefined, undefined)).toBeUndefined();
		expect(mergePdfSpecs(template, { watermark: undefined })).toEqual(template); // an absent part is not a removal
	});

	it("keeps the PDF library out of the request path: spec and finish import it (and the steps) only when a document needs finishing", () => {
		const sources = import.meta.glob<string>("../../src/pdf/*.ts", { query: "?raw", import: "default", eager: true });
		const staticImports = (file: string) => [...sources[`../../src/pdf/${file}`]!.matchAll(/^import\b(?!\s+type\b)[^;]*?\bfrom\s+"([^"]+)"/gm)].map(([, spec]) => spec);
		expect(staticImports("watermark.ts")).toContain("@cantoo/pdf-lib"); // the positive control: a step does
		// What the routes and the pipeline import, and everything that imports statically.
		for (const file of ["spec.ts", "finish.ts", "factur-x-xml.ts", "page-ranges.ts"]) {
			expect(staticImports(file), file).not.toContain("@cantoo/pdf-lib");
			for (const spec of staticImports(file)) expect(["./spec", "./factur-x-xml", "./page-ranges", "../http/errors", "@hono/zod-openapi", "fast-xml-parser"], `${file} imports ${spec}`).toContain(spec);
		}
	});

	it("the schema accepts the documented example and refuses unknown parts", () => {
		expect(PdfSpecSchema.safeParse({ info: { title: "Invoice INV-2026-001", author: "Acme Corp", language: "en-US" }, outline: true, watermark: { text: "PAID", pages: "1" } }).success).toBe(true);
		const unknown = PdfSpecSchema.safeParse({ metadata: { title: "x" } });
		expect(unknown.success).toBe(false);
	});

	it("every step on the invoice, each alone and all together, with their costs (printed for the report, not asserted)", async () => {
		const pdf = await invoice();
		const steps: Record<string, PdfSpec> = {
			info: { info: { title: "Invoice INV-2026-001", author: "Acme Corp", subject: "November", keywords: ["invoice"], creator: "Acme Billing", language: "en-US" } },
			watermark: { watermark: { text: "PAID" } },
			attachments: { attachments: [{ filename: "timesheet.csv", content_base64: btoa("date,hours\n2026-11-02,7.5\n".repeat(100)), mime_type: "text/csv" }] },
			factur_x: { factur_x: { xml: minimumInvoiceXml(), profile: "MINIMUM" } },
			encryption: { encryption: { user_password: "pw" } },
		};
		await finishPdf(pdf, steps.info); // the first call imports pdf-lib: not counted
		const costs: Record<string, number> = {};
		const time = async (name: string, spec: PdfSpec) => {
			const runs = 5;
			const start = performance.now();
			for (let i = 0; i < runs; i++) await finishPdf(pdf, spec);
			costs[name] = Math.round(((performance.now() - start) / runs) * 10) / 10;
		};
		for (const [name, spec] of Object.entries(steps)) await time(name, spec);
		const { factur_x: _, ...allButFacturX } = Object.assign({}, ...Object.values(steps)) as PdfSpec;
		await time("all but factur_x (info, watermark, attachments, encryption)", allButFacturX);
		const { encryption: __, watermark: ___, ...allButEncryption } = Object.assign({}, ...Object.values(steps)) as PdfSpec;
		await time("info, attachments, factur_x", allButEncryption);
		console.log(`finishing the invoice (${pdf.byteLength} bytes), ms per call inside workerd:`, JSON.stringify(costs));

		const everything = await finishPdf(pdf, allButFacturX);
		const { metadata } = await metadataOf(everything, "pw");
		expect(metadata.get("dc:title")).toBe("Invoice INV-2026-001");
		expect((await attachmentsOf(everything, "pw")).map((file) => file.filename)).toEqual(["timesheet.csv"]);
	});
});
