import { AFRelationship, type PDFDocument } from "@cantoo/pdf-lib";
import type { PdfSpec } from "./spec";

type Attachment = NonNullable<PdfSpec["attachments"]>[number];

/**
 * `pdf.attachments`: each file embedded in the document's EmbeddedFiles name tree (what viewers'
 * attachment panes and `pdfdetach -list` show) and in the catalog's `/AF` list (associated
 * files, which PDF/A-3 asks of every embedded file). Names, sizes and base64 were checked with
 * the request (src/pdf/spec.ts).
 */
export async function attachFiles(doc: PDFDocument, attachments: Attachment[]): Promise<void> {
	for (const file of attachments) {
		// No dates: they are optional, would only say when Quire attached the file, and pdf-lib would
		// leave them in clear text in an encrypted document (strings in a stream's dictionary are not encrypted).
		await doc.attach(decodeBase64(file.content_base64), file.filename, {
			mimeType: file.mime_type ?? "application/octet-stream",
			description: file.description,
			afRelationship: AFRelationship.Unspecified,
		});
	}
}

function decodeBase64(base64: string): Uint8Array {
	const binary = atob(base64);
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}
