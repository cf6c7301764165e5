import { AFRelationship, buildFacturXDescription, FACTUR_X_EXTENSION_SCHEMA, getDefaultSRGBProfile, PDFHeader, PDFHexString, PDFName, PDFString, type PDFDocument } from "@cantoo/pdf-lib";
import type { FacturXProfile } from "./factur-x-xml";
import type { PdfSpec } from "./spec";

type FacturX = NonNullable<PdfSpec["factur_x"]>;

/** The embedded invoice's name, fixed by the Factur-X specification. */
export const FACTUR_X_FILENAME = "factur-x.xml";

/**
 * How the XML relates to the PDF (Factur-X 1.0 §6.2.2): for MINIMUM and BASIC WL the XML is not
 * a whole invoice, only data about it (`/Data`); from BASIC on it is the invoice in another form
 * (`/Alternative`).
 */
export function facturXRelationship(profile: FacturXProfile): AFRelationship {
	return profile === "MINIMUM" || profile === "BASIC WL" ? AFRelationship.Data : AFRelationship.Alternative;
}

/**
 * `pdf.factur_x`: a Factur-X / ZUGFeRD hybrid invoice. The XML (checked with the request:
 * well-formed, a CII CrossIndustryInvoice, its guideline the profile's) is embedded as
 * `factur-x.xml` with its relationship and listed in the catalog's `/AF`; the document becomes
 * PDF 1.7 with a file identifier and an sRGB output intent. Returns what the XMP packet must
 * then say (PDF/A-3B and the Factur-X `fx:` schema with its PDF/A extension schema), which
 * src/pdf/xmp.ts writes with the rest of the metadata.
 *
 * The ICC profile is pdf-lib's bundled sRGB IEC61966-2.1 (© 1998 Hewlett-Packard, freely
 * redistributable, ICC v2, the one Ghostscript, PDFBox and Little CMS ship): the same bytes a
 * vendored copy would be, without a second copy in the bundle.
 */
export async function embedFacturX(doc: PDFDocument, facturX: FacturX, now: Date): Promise<{ pdfa: { part: number; conformance: string }; extensions: string[] }> {
	doc.context.header = PDFHeader.forVersion(1, 7);
	if (!doc.context.trailerInfo.ID) {
		const id = PDFHexString.fromBytes(crypto.getRandomValues(new Uint8Array(16)));
		doc.context.trailerInfo.ID = doc.context.obj([id, id]);
	}
	const profile = doc.context.register(doc.context.flateStream(getDefaultSRGBProfile(), { N: 3 }));
	const intent = doc.context.obj({ Type: "OutputIntent", S: "GTS_PDFA1", OutputConditionIdentifier: PDFString.of("sRGB IEC61966-2.1"), Info: PDFString.of("sRGB IEC61966-2.1"), DestOutputProfile: profile });
	doc.catalog.set(PDFName.of("OutputIntents"), doc.context.obj([doc.context.register(intent)]));
	await doc.attach(new TextEncoder().encode(facturX.xml), FACTUR_X_FILENAME, {
		mimeType: "text/xml",
		description: `Factur-X invoice (${facturX.profile})`,
		afRelationship: facturXRelationship(facturX.profile),
		creationDate: now,
		modificationDate: now,
	});
	return {
		pdfa: { part: 3, conformance: "B" },
		extensions: [buildFacturXDescription({ fileName: FACTUR_X_FILENAME, version: "1.0", documentType: "INVOICE", conformanceLevel: facturX.profile }), FACTUR_X_EXTENSION_SCHEMA],
	};
}
