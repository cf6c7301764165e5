import type { PDFDocument } from "@cantoo/pdf-lib";
import type { PdfSpec } from "./spec";

type Encryption = NonNullable<PdfSpec["encryption"]>;

/**
 * `pdf.encryption`, the last step: the document is encrypted as it is saved, with AES-256
 * (@cantoo/pdf-lib's default: the standard security handler /V 5 /R 6, AESV3, what ISO 32000-2
 * recommends). Without an `owner_password` a random one is made and forgotten, so the
 * permissions hold for everyone who opens the document with the user password (pdf-lib would
 * otherwise make the owner password the user's, and the permissions would mean nothing).
 */
export function encrypt(doc: PDFDocument, encryption: Encryption): void {
	const allowed = { print: true, copy: true, modify: true, annotate: true, ...encryption.permissions };
	doc.encrypt({
		algorithm: "AES-256",
		userPassword: encryption.user_password ?? "",
		ownerPassword: encryption.owner_password ?? randomPassword(),
		permissions: {
			printing: allowed.print ? "highResolution" : false,
			copying: allowed.copy,
			modifying: allowed.modify,
			fillingForms: allowed.modify,
			documentAssembly: allowed.modify,
			annotating: allowed.annotate,
			// Screen readers may always extract the text: an accessible document stays accessible.
			contentAccessibility: true,
		},
	});
}

function randomPassword(): string {
	return [...crypto.getRandomValues(new Uint8Array(24))].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
