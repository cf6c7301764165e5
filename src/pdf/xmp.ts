import { PDFName, PDFRef, type PDFDocument } from "@cantoo/pdf-lib";
import { documentLanguage } from "./info";

/**
 * The XMP metadata packet (catalog `/Metadata`), rebuilt from the document information
 * dictionary so the two agree, as PDF/A requires and `pdfinfo -meta` shows. One writer for every
 * step that touches metadata: `info` (title, author, …, language) and `factur_x` (PDF/A
 * identification and the Factur-X schema, passed as `pdfa` and `extensions`).
 *
 * pdf-lib's own PDF/A mode (convertToPDFA) rewrites this packet on save without `dc:language`,
 * so Quire writes it itself, once, just before saving.
 */
export function writeXmp(doc: PDFDocument, extra: { pdfa?: { part: number; conformance: string }; extensions?: string[] } = {}): void {
	const dc = ["<dc:format>application/pdf</dc:format>"];
	const title = doc.getTitle();
	if (title !== undefined) dc.push(`<dc:title><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(title)}</rdf:li></rdf:Alt></dc:title>`);
	const author = doc.getAuthor();
	if (author !== undefined) dc.push(`<dc:creator><rdf:Seq><rdf:li>${escapeXml(author)}</rdf:li></rdf:Seq></dc:creator>`);
	const subject = doc.getSubject();
	if (subject !== undefined) dc.push(`<dc:description><rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(subject)}</rdf:li></rdf:Alt></dc:description>`);
	const language = documentLanguage(doc);
	if (language !== undefined) dc.push(`<dc:language><rdf:Bag><rdf:li>${escapeXml(language)}</rdf:li></rdf:Bag></dc:language>`);

	const xmp: string[] = [];
	const creator = doc.getCreator();
	if (creator !== undefined) xmp.push(`<xmp:CreatorTool>${escapeXml(creator)}</xmp:CreatorTool>`);
	const created = doc.getCreationDate();
	if (created !== undefined) xmp.push(`<xmp:CreateDate>${xmpDate(created)}</xmp:CreateDate>`);
	const modified = doc.getModificationDate();
	if (modified !== undefined) xmp.push(`<xmp:ModifyDate>${xmpDate(modified)}</xmp:ModifyDate>`, `<xmp:MetadataDate>${xmpDate(modified)}</xmp:MetadataDate>`);

	const pdf: string[] = [];
	const producer = doc.getProducer();
	if (producer !== undefined) pdf.push(`<pdf:Producer>${escapeXml(producer)}</pdf:Producer>`);
	const keywords = doc.getKeywords();
	if (keywords !== undefined) pdf.push(`<pdf:Keywords>${escapeXml(keywords)}</pdf:Keywords>`);

	const descriptions = [
		description("dc", "http://purl.org/dc/elements/1.1/", dc),
		description("xmp", "http://ns.adobe.com/xap/1.0/", xmp),
		description("pdf", "http://ns.adobe.com/pdf/1.3/", pdf),
		extra.pdfa ? description("pdfaid", "http://www.aiim.org/pdfa/ns/id/", [`<pdfaid:part>${extra.pdfa.part}</pdfaid:part>`, `<pdfaid:conformance>${extra.pdfa.conformance}</pdfaid:conformance>`]) : "",
		...(extra.extensions ?? []),
	].filter(Boolean);
	const packet =
		`<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n` +
		`${descriptions.join("\n")}\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end="w"?>`;
	// Unfiltered, so archivers and `pdfinfo -meta` read it as it is (PDF/A requires that too).
	const stream = doc.context.stream(new TextEncoder().encode(packet), { Type: "Metadata", Subtype: "XML" });
	const existing = doc.catalog.get(PDFName.of("Metadata"));
	if (existing instanceof PDFRef) doc.context.assign(existing, stream);
	else doc.catalog.set(PDFName.of("Metadata"), doc.context.register(stream));
}

function description(prefix: string, uri: string, entries: string[]): string {
	return entries.length === 0 ? "" : `<rdf:Description rdf:about="" xmlns:${prefix}="${uri}">${entries.join("")}</rdf:Description>`;
}

/** ISO 8601 to the second, like the information dictionary's dates. */
function xmpDate(date: Date): string {
	return `${date.toISOString().split(".")[0]}Z`;
}

function escapeXml(text: string): string {
	return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
