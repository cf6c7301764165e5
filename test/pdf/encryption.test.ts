import { PDFDict, PDFDocument, PDFName, PDFNumber } from "@cantoo/pdf-lib";
import { getResolvedPDFJS } from "unpdf";
import { describe, expect, it } from "vitest";
import { finishPdf } from "../../src/pdf/finish";
import { checkPdfSpec } from "../../src/pdf/spec";
import { readPdf } from "../helpers";
import { apiErrorOf, attachmentsOf, invoice, metadataOf, open } from "./printed";

/** How pdf.js fails to open `pdf` with `password` (its exception's name), or "opened". */
async function opening(pdf: Uint8Array, password?: string): Promise<string> {
	try {
		await open(pdf, password);
		return "opened";
	} catch (error) {
		return (error as { name: string }).name;
	}
}

describe("pdf.encryption", () => {
	it("AES-256 (/V 5 /R 6, AESV3): pdf.js refuses the document without its password, or with a wrong one, and opens it with it", async () => {
		const original = await invoice();
		const finished = await finishPdf(original, { encryption: { user_password: "open sesame" } });
		expect(await opening(original)).toBe("opened"); // the positive control: the same document unencrypted
		expect(await opening(finished)).toBe("PasswordException");
		expect(await opening(finished, "open says me")).toBe("PasswordException");
		expect(await opening(finished, "open sesame")).toBe("opened");
		const { text } = await readPdfWith(finished, "open sesame");
		expect(text.replace(/\s/g, "")).toBe((await readPdf(original)).text.replace(/\s/g, ""));

		const doc = await PDFDocument.load(finished, { ignoreEncryption: true, updateMetadata: false });
		const encrypt = doc.context.lookup(doc.context.trailerInfo.Encrypt, PDFDict);
		const number = (dict: PDFDict, key: string) => dict.lookup(PDFName.of(key), PDFNumber).asNumber();
		expect({ V: number(encrypt, "V"), R: number(encrypt, "R"), Length: number(encrypt, "Length") }).toEqual({ V: 5, R: 6, Length: 256 });
		const filter = encrypt.lookup(PDFName.of("CF"), PDFDict).lookup(PDFName.of("StdCF"), PDFDict);
		expect(filter.get(PDFName.of("CFM"))).toBe(PDFName.of("AESV3"));
	});

	it("with only an owner password, opens without one, and the permissions say what the reader may do", async () => {
		const original = await invoice();
		const finished = await finishPdf(original, { encryption: { owner_password: "owner", permissions: { print: false, copy: false } } });
		expect(await opening(finished)).toBe("opened");
		const { PermissionFlag } = await getResolvedPDFJS();
		const permissions = (await (await open(finished)).getPermissions()) ?? [];
		expect(permissions).not.toContain(PermissionFlag.PRINT);
		expect(permissions).not.toContain(PermissionFlag.COPY);
		expect(permissions).toContain(PermissionFlag.MODIFY_CONTENTS);
		expect(permissions).toContain(PermissionFlag.MODIFY_ANNOTATIONS);
		// Every permission by default, with a user password (and a random owner password nobody knows).
		const open_ = await finishPdf(original, { encryption: { user_password: "u" } });
		expect(await (await open(open_, "u")).getPermissions()).toEqual(expect.arrayContaining([PermissionFlag.PRINT, PermissionFlag.COPY, PermissionFlag.MODIFY_CONTENTS, PermissionFlag.MODIFY_ANNOTATIONS, PermissionFlag.PRINT_HIGH_QUALITY]));
	});

	it("is applied last: the other steps' work is inside the encrypted document", async () => {
		const finished = await finishPdf(await invoice(), {
			info: { title: "Secret invoice" },
			watermark: { text: "CONFIDENTIAL", pages: "1" },
			attachments: [{ filename: "note.txt", content_base64: btoa("for your eyes only") }],
			encryption: { user_password: "pw" },
		});
		expect(await opening(finished)).toBe("PasswordException");
		const { info, metadata } = await metadataOf(finished, "pw");
		expect(info.Title).toBe("Secret invoice");
		expect(metadata.get("dc:title")).toBe("Secret invoice");
		expect((await readPdfWith(finished, "pw")).text).toContain("CONFIDENTIAL");
		const [note] = await attachmentsOf(finished, "pw");
		expect(new TextDecoder().decode(note!.content)).toBe("for your eyes only");
		// Nothing readable in the bytes without the key.
		expect(new TextDecoder("latin1").decode(finished)).not.toContain("Secret invoice");
	});

	it("needs a password, of at most 127 characters", async () => {
		expect((await apiErrorOf(() => checkPdfSpec({ encryption: {} }))).fields).toEqual([{ path: "pdf.encryption", message: "give user_password, owner_password or both" }]);
		expect((await apiErrorOf(() => checkPdfSpec({ encryption: { user_password: "x".repeat(128) } }))).fields[0]!.path).toBe("pdf.encryption.user_password");
		expect((await apiErrorOf(() => checkPdfSpec({ encryption: { owner_password: "o", permissions: { printing: false } } as never }))).fields[0]!.path).toBe("pdf.encryption.permissions");
	});
});

/** The text of an encrypted PDF, opened with its password. */
async function readPdfWith(pdf: Uint8Array, password: string): Promise<{ text: string }> {
	const doc = await open(pdf, password);
	let text = "";
	for (let n = 1; n <= doc.numPages; n++) {
		const { items } = await (await doc.getPage(n)).getTextContent();
		text += items.map((item) => ("str" in item ? item.str : "")).join("");
	}
	return { text };
}
