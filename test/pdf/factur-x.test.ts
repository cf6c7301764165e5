import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFString, decodePDFRawStream } from "@cantoo/pdf-lib";
import { describe, expect, it } from "vitest";
import { PROFILE_GUIDELINE } from "../../src/pdf/factur-x-xml";
import { finishPdf } from "../../src/pdf/finish";
import { checkPdfSpec } from "../../src/pdf/spec";
import { readPdf } from "../helpers";
import { minimumInvoiceXml } from "./factur-x-sample";
import { apiErrorOf, attachmentsOf, invoice, metadataOf } from "./printed";

describe("pdf.factur_x", () => {
	it("embeds the XML as factur-x.xml (/Data for MINIMUM), with PDF/A-3B, the Factur-X XMP schema and an sRGB output intent", async () => {
		const original = await invoice();
		const xml = minimumInvoiceXml();
		const finished = await finishPdf(original, { info: { title: "Invoice INV-2026-001" }, factur_x: { xml, profile: "MINIMUM" } });

		// The file, as pdf.js lists it, byte for byte.
		const [file, ...others] = await attachmentsOf(finished);
		expect(others).toEqual([]);
		expect(file!.filename).toBe("factur-x.xml");
		expect(new TextDecoder().decode(file!.content)).toBe(xml);
		// Its relationship and type, and the catalog's /AF list that names it.
		const doc = await PDFDocument.load(finished, { updateMetadata: false });
		expect(doc.getAttachments().map(({ name, mimeType, afRelationship }) => ({ name, mimeType, afRelationship }))).toEqual([{ name: "factur-x.xml", mimeType: "text/xml", afRelationship: "Data" }]);
		expect(doc.catalog.lookup(PDFName.of("AF"), PDFArray).size()).toBe(1);

		// PDF/A-3B and the Factur-X fields, as pdf.js parses the XMP, beside the info it mirrors.
		const { info, metadata } = await metadataOf(finished);
		expect(info.PDFFormatVersion).toBe("1.7");
		expect(metadata.get("pdfaid:part")).toBe("3");
		expect(metadata.get("pdfaid:conformance")).toBe("B");
		expect(metadata.get("fx:documenttype")).toBe("INVOICE");
		expect(metadata.get("fx:documentfilename")).toBe("factur-x.xml");
		expect(metadata.get("fx:version")).toBe("1.0");
		expect(metadata.get("fx:conformancelevel")).toBe("MINIMUM");
		expect(metadata.get("dc:title")).toBe("Invoice INV-2026-001");
		expect(metadata.getRaw()).toContain("<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>");

		// The output intent: GTS_PDFA1 with an RGB ICC profile (its header says so).
		const [intent] = doc.catalog.lookup(PDFName.of("OutputIntents"), PDFArray).asArray().map((ref) => doc.context.lookup(ref, PDFDict));
		expect(intent!.get(PDFName.of("S"))).toBe(PDFName.of("GTS_PDFA1"));
		expect((intent!.lookup(PDFName.of("OutputConditionIdentifier")) as PDFString).decodeText()).toBe("sRGB IEC61966-2.1");
		const icc = decodePDFRawStream(doc.context.lookup(intent!.get(PDFName.of("DestOutputProfile"))) as PDFRawStream).decode();
		expect(new TextDecoder("latin1").decode(icc.subarray(36, 40))).toBe("acsp");
		expect(new TextDecoder("latin1").decode(icc.subarray(16, 20))).toBe("RGB ");
		expect(doc.context.trailerInfo.ID).toBeDefined();

		// The invoice itself is unchanged.
		expect(await readPdf(finished)).toEqual(await readPdf(original));
	});

	it("relates the XML as /Alternative from the BASIC profile on", async () => {
		const original = await invoice();
		for (const profile of ["BASIC", "EN 16931", "EXTENDED"] as const) {
			const finished = await finishPdf(original, { factur_x: { xml: minimumInvoiceXml(PROFILE_GUIDELINE[profile]), profile } });
			const doc = await PDFDocument.load(finished, { updateMetadata: false });
			expect(doc.getAttachments()[0]!.afRelationship, profile).toBe("Alternative");
			const { metadata } = await metadataOf(finished);
			expect(metadata.get("fx:conformancelevel")).toBe(profile);
		}
		const basicWl = await finishPdf(original, { factur_x: { xml: minimumInvoiceXml(PROFILE_GUIDELINE["BASIC WL"]), profile: "BASIC WL" } });
		expect((await PDFDocument.load(basicWl, { updateMetadata: false })).getAttachments()[0]!.afRelationship).toBe("Data");
	});

	it("refuses, before any PDF, XML that is malformed, not a CII invoice, of another profile, or with a DOCTYPE, and PDF/A's exclusions", async () => {
		const fieldsOf = async (spec: object) => (await apiErrorOf(() => checkPdfSpec(spec as never))).fields;
		const xml = minimumInvoiceXml();

		const [malformed] = await fieldsOf({ factur_x: { xml: xml.replace("</rsm:ExchangedDocument>", ""), profile: "MINIMUM" } });
		expect(malformed).toEqual({ path: "pdf.factur_x.xml", message: expect.stringMatching(/^not well-formed XML: .*\(line \d+, column \d+\)$/) });
		expect(await fieldsOf({ factur_x: { xml: "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"/>", profile: "MINIMUM" } })).toEqual([
			{ path: "pdf.factur_x.xml", message: "the root element must be a CII CrossIndustryInvoice (namespace urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100), not Invoice" },
		]);
		// The right name in the wrong namespace is not a CII invoice either.
		expect((await fieldsOf({ factur_x: { xml: xml.replace('xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"', 'xmlns:rsm="urn:example"'), profile: "MINIMUM" } }))[0]!.path).toBe("pdf.factur_x.xml");
		expect(await fieldsOf({ factur_x: { xml, profile: "EN 16931" } })).toEqual([
			{ path: "pdf.factur_x.profile", message: "the XML declares the guideline urn:factur-x.eu:1p0:minimum, not EN 16931's (urn:cen.eu:en16931:2017)" },
		]);
		expect(await fieldsOf({ factur_x: { xml: xml.replace("<rsm:", '<!DOCTYPE x [<!ENTITY a "b">]><rsm:'), profile: "MINIMUM" } })).toEqual([{ path: "pdf.factur_x.xml", message: "a DOCTYPE is not allowed in a Factur-X invoice" }]);
		expect((await fieldsOf({ factur_x: { xml, profile: "XRECHNUNG" } }))[0]!.path).toBe("pdf.factur_x.profile");

		expect((await fieldsOf({ factur_x: { xml, profile: "MINIMUM" }, encryption: { user_password: "x" } })).map((f) => f.path)).toEqual(["pdf.encryption"]);
		expect((await fieldsOf({ factur_x: { xml, profile: "MINIMUM" }, watermark: { text: "PAID" } })).map((f) => f.path)).toEqual(["pdf.watermark"]);
		expect((await fieldsOf({ factur_x: { xml, profile: "MINIMUM" }, attachments: [{ filename: "factur-x.xml", content_base64: "aGk=" }] })).map((f) => f.path)).toEqual(["pdf.attachments.0.filename"]);
		expect(() => checkPdfSpec({ factur_x: { xml, profile: "MINIMUM" }, attachments: [{ filename: "timesheet.csv", content_base64: "aGk=" }] })).not.toThrow(); // the positive control
	});
});
