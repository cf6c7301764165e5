import { XMLValidator } from "fast-xml-parser";

/**
 * Checks of a Factur-X invoice's XML that need no PDF, so a malformed invoice is a 400 before
 * anything is rendered or charged. workerd has no DOMParser: fast-xml-parser's XMLValidator (pure
 * JS, maintained) checks well-formedness; the root element and the profile are read with two
 * anchored patterns on the already well-formed text.
 */

export const FACTUR_X_PROFILES = ["MINIMUM", "BASIC WL", "BASIC", "EN 16931", "EXTENDED"] as const;
export type FacturXProfile = (typeof FACTUR_X_PROFILES)[number];

/** The guideline identifier (BT-24) each profile's XML declares, from the Factur-X 1.0 specification. */
export const PROFILE_GUIDELINE: Record<FacturXProfile, string> = {
	MINIMUM: "urn:factur-x.eu:1p0:minimum",
	"BASIC WL": "urn:factur-x.eu:1p0:basicwl",
	BASIC: "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
	"EN 16931": "urn:cen.eu:en16931:2017",
	EXTENDED: "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
};

const CII_NAMESPACE = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";

/** Everything that may come before the root element: an XML declaration, comments, processing instructions, whitespace. */
const PROLOG = /^\uFEFF?(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->)*/;
const ROOT_TAG = /^<(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)([^>]*)>/;
const GUIDELINE = /<(?:[\w.-]+:)?GuidelineSpecifiedDocumentContextParameter\b[^>]*>\s*<(?:[\w.-]+:)?ID\b[^>]*>\s*([^<]*?)\s*</;

/**
 * What is wrong with `xml` as the `profile` invoice of a Factur-X PDF, each with the field it is
 * about (`xml` or `profile`); empty when nothing is.
 *
 * @example facturXProblems("<a>", "MINIMUM") // [{ field: "xml", message: "not well-formed XML: …" }]
 */
export function facturXProblems(xml: string, profile: FacturXProfile): Array<{ field: "xml" | "profile"; message: string }> {
	// A DTD has no place in an invoice (and entity expansion none in a service): refused outright.
	if (/<!DOCTYPE/i.test(xml)) return [{ field: "xml", message: "a DOCTYPE is not allowed in a Factur-X invoice" }];
	const valid = XMLValidator.validate(xml);
	if (valid !== true) return [{ field: "xml", message: `not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})` }];
	const root = ROOT_TAG.exec(xml.slice(PROLOG.exec(xml)![0].length));
	const [, prefix, name, attributes = ""] = root ?? [];
	const declared = new RegExp(`\\sxmlns${prefix ? `:${prefix}` : ""}\\s*=\\s*["']([^"']*)["']`).exec(attributes)?.[1];
	if (name !== "CrossIndustryInvoice" || declared !== CII_NAMESPACE) {
		return [{ field: "xml", message: `the root element must be a CII CrossIndustryInvoice (namespace ${CII_NAMESPACE}), not ${prefix ? `${prefix}:` : ""}${name ?? "nothing"}` }];
	}
	const guideline = GUIDELINE.exec(xml)?.[1];
	if (guideline !== undefined && guideline !== PROFILE_GUIDELINE[profile]) {
		return [{ field: "profile", message: `the XML declares the guideline ${guideline}, not ${profile}'s (${PROFILE_GUIDELINE[profile]})` }];
	}
	return [];
}
