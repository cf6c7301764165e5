import { PDFArray, PDFDocument, PDFName } from "@cantoo/pdf-lib";
import { describe, expect, it } from "vitest";
import { finishPdf } from "../../src/pdf/finish";
import { checkPdfSpec, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS } from "../../src/pdf/spec";
import { readPdf } from "../helpers";
import { apiErrorOf, attachmentsOf, printed } from "./printed";

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const csv = new TextEncoder().encode("date,hours\n2026-11-02,7.5\n");
const binary = Uint8Array.from({ length: 4096 }, (_, i) => (i * 37) % 256); // every byte value, not text

describe("pdf.attachments", () => {
	it("embeds each file with its name, bytes, type and description, listed as associated files", async () => {
		const original = await printed("<p>Timesheet attached</p>");
		const finished = await finishPdf(original, {
			attachments: [
				{ filename: "timesheet.csv", content_base64: base64(csv), mime_type: "text/csv", description: "Hours worked in November" },
				{ filename: "raw data.bin", content_base64: base64(binary) },
			],
		});
		// pdf.js: names and bytes.
		const attachments = await attachmentsOf(finished);
		expect(attachments.map((file) => file.filename).sort()).toEqual(["raw data.bin", "timesheet.csv"]);
		const byName = Object.fromEntries(attachments.map((file) => [file.filename, file]));
		expect(byName["timesheet.csv"]!.description).toBe("Hours worked in November");
		expect([...byName["timesheet.csv"]!.content]).toEqual([...csv]);
		expect([...byName["raw data.bin"]!.content]).toEqual([...binary]);
		// pdf-lib: MIME types, descriptions, relationship, and the catalog's /AF list.
		const doc = await PDFDocument.load(finished, { updateMetadata: false });
		const files = doc.getAttachments().map(({ name, mimeType, description, afRelationship }) => ({ name, mimeType, description, afRelationship }));
		// The name tree is sorted by name, as PDF requires.
		expect(files).toEqual([
			{ name: "raw data.bin", mimeType: "application/octet-stream", description: undefined, afRelationship: "Unspecified" },
			{ name: "timesheet.csv", mimeType: "text/csv", description: "Hours worked in November", afRelationship: "Unspecified" },
		]);
		expect(doc.catalog.lookup(PDFName.of("AF"), PDFArray).size()).toBe(2);
		// The pages are as they were.
		expect(await readPdf(finished)).toEqual(await readPdf(original));
	});

	it(`refuses, before any PDF: more than ${MAX_ATTACHMENTS} files, over ${MAX_ATTACHMENT_BYTES} bytes together, a name twice, bad base64 or names`, async () => {
		const file = (filename: string, content_base64 = "aGk=") => ({ filename, content_base64 });
		const fieldsOf = async (attachments: Array<Record<string, string>>) => (await apiErrorOf(() => checkPdfSpec({ attachments } as never))).fields;

		expect(await fieldsOf(Array.from({ length: MAX_ATTACHMENTS + 1 }, (_, i) => file(`f${i}.txt`)))).toEqual([{ path: "pdf.attachments", message: expect.stringContaining(`${MAX_ATTACHMENTS}`) }]);
		expect(() => checkPdfSpec({ attachments: Array.from({ length: MAX_ATTACHMENTS }, (_, i) => file(`f${i}.txt`)) })).not.toThrow(); // the limit itself is fine
		const half = "A".repeat(((MAX_ATTACHMENT_BYTES / 2 + 3) / 3) * 4); // just over half the limit each
		expect(await fieldsOf([file("a.bin", half), file("b.bin", half)])).toEqual([{ path: "pdf.attachments", message: expect.stringMatching(/^the attachments are \d+ bytes decoded; at most 3145728 together$/) }]);
		expect(await fieldsOf([file("a.txt"), file("a.txt")])).toEqual([{ path: "pdf.attachments.1.filename", message: "another attachment is already named a.txt" }]);
		expect((await fieldsOf([file("a.txt", "not base64!")]))[0]!.path).toBe("pdf.attachments.0.content_base64");
		expect((await fieldsOf([file("a.txt", "aGk")]))[0]!.path).toBe("pdf.attachments.0.content_base64");
		expect((await fieldsOf([file("../etc/passwd")]))[0]!.path).toBe("pdf.attachments.0.filename");
		expect((await fieldsOf([{ ...file("a.txt"), mime_type: "text" }]))[0]!.path).toBe("pdf.attachments.0.mime_type");
	});
});
