import { describe, expect, it } from "vitest";
import { finishPdf } from "../../src/pdf/finish";
import { metadataOf, printed } from "./printed";

describe("pdf.info: the document information dictionary and the XMP metadata", () => {
	it("sets every field in both, keeping Chromium's producer and dates", async () => {
		const original = await printed("<h1>Invoice</h1><p>Total: $564</p>");
		const before = await metadataOf(original);
		const info = { title: "Invoice <INV-1> & co", author: "Acme Corp", subject: "November's invoice", keywords: ["invoice", "acme"], creator: "Acme Billing", language: "fr-CA" };
		const finished = await finishPdf(original, { info });

		const { info: dict, metadata } = await metadataOf(finished);
		expect(dict).toMatchObject({ Title: info.title, Author: info.author, Subject: info.subject, Keywords: "invoice acme", Creator: info.creator, Language: "fr-CA" });
		const producer = before.info.Producer;
		expect(producer).toMatch(/Skia/);
		expect(dict.Producer).toBe(producer);
		expect(dict.CreationDate).toBe(before.info.CreationDate);

		// pdf.js parses the XMP packet itself: the same values, escaped and read back whole.
		expect(metadata).not.toBeNull();
		expect(metadata!.get("dc:title")).toBe(info.title);
		expect(metadata!.get("dc:creator")).toEqual([info.author]);
		expect(metadata!.get("dc:description")).toBe(info.subject);
		expect(metadata!.get("dc:language")).toBe("fr-CA"); // pdf.js gives a one-item bag as its item
		expect(metadata!.get("pdf:keywords")).toBe("invoice acme");
		expect(metadata!.get("xmp:creatortool")).toBe(info.creator);
		expect(metadata!.get("pdf:producer")).toBe(producer);
		expect(metadata!.getRaw()).not.toContain("pdfaid"); // not claimed PDF/A without factur_x
	});

	it("changes only what is given, and a spec without steps gives the very same bytes back", async () => {
		const original = await printed("<html lang='de'><h1>Rechnung</h1></html>");
		expect(await finishPdf(original, undefined)).toBe(original);
		expect(await finishPdf(original, { outline: true, tagged: true })).toBe(original);

		const finished = await finishPdf(original, { info: { title: "Rechnung 7" } });
		expect(finished).not.toBe(original); // the positive control: a step rewrites the document
		const { info, metadata } = await metadataOf(finished);
		expect(info.Title).toBe("Rechnung 7");
		expect(info.Author).toBeUndefined();
		// The page's own language (Chromium's /Lang from <html lang>) reaches the XMP too.
		expect(info.Language).toBe("de");
		expect(metadata.get("dc:language")).toBe("de");
	});
});
