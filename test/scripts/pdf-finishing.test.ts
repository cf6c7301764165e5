import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ParseSpeeds, PDFDocument } from "@cantoo/pdf-lib";
import Mustache from "mustache";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finishPdf } from "../../src/pdf/finish";
import type { PdfSpec } from "../../src/pdf/spec";
import { minimumInvoiceXml } from "../pdf/factur-x-sample";
import { launchBrowser } from "../web/browser";
import { root } from "./local-server";

/**
 * The finishing steps as poppler sees their output (pdfinfo, pdfinfo -meta, pdfdetach), on the
 * built-in invoice printed by Debian's Chromium (tagged, as Quire prints it), and each step's
 * wall-clock cost in Node (workerd's test pool is no place to time CPU).
 */
describe("finished PDFs, read by poppler", () => {
	let browser: Browser;
	let invoice: Uint8Array;
	const work = mkdtempSync(join(tmpdir(), "quire-finishing-"));

	beforeAll(async () => {
		browser = await launchBrowser();
		const page = await browser.newPage();
		const html = readFileSync(join(root, "templates/invoices/invoice.html"), "utf8");
		const sample = JSON.parse(readFileSync(join(root, "templates/invoices/invoice.sample.json"), "utf8")) as Record<string, unknown>;
		await page.setContent(Mustache.render(html, sample));
		invoice = new Uint8Array(await page.pdf({ preferCSSPageSize: true, printBackground: true, tagged: true }));
	});
	afterAll(async () => {
		await browser?.close();
		rmSync(work, { recursive: true, force: true });
	});

	/** `spec` applied to the invoice, written to `<name>.pdf`; its path. */
	async function finished(name: string, spec: PdfSpec): Promise<string> {
		const path = join(work, `${name}.pdf`);
		writeFileSync(path, await finishPdf(invoice, spec));
		return path;
	}
	const run = (tool: string, ...args: string[]) => execFileSync(tool, args, { encoding: "utf8" });

	it("pdfinfo and pdfinfo -meta show the info", async () => {
		const pdf = await finished("info", { info: { title: "Invoice INV-2026-001", author: "Acme Corp", subject: "November", keywords: ["invoice", "acme"], creator: "Acme Billing", language: "en-GB" } });
		const info = run("pdfinfo", pdf);
		expect(info).toMatch(/^Title:\s+Invoice INV-2026-001$/m);
		expect(info).toMatch(/^Author:\s+Acme Corp$/m);
		expect(info).toMatch(/^Subject:\s+November$/m);
		expect(info).toMatch(/^Keywords:\s+invoice acme$/m);
		expect(info).toMatch(/^Creator:\s+Acme Billing$/m);
		expect(info).toMatch(/^Tagged:\s+yes$/m);
		const meta = run("pdfinfo", "-meta", pdf);
		expect(meta).toContain('<rdf:li xml:lang="x-default">Invoice INV-2026-001</rdf:li>');
		expect(meta).toContain("<rdf:li>en-GB</rdf:li>");
		expect(meta).toContain("<xmp:CreatorTool>Acme Billing</xmp:CreatorTool>");
	});

	it("pdfdetach lists and saves the attachments and the Factur-X invoice, byte for byte", async () => {
		const xml = minimumInvoiceXml();
		const pdf = await finished("factur-x", { attachments: [{ filename: "timesheet.csv", content_base64: Buffer.from("date,hours\n").toString("base64"), description: "Hours" }], factur_x: { xml, profile: "MINIMUM" } });
		expect(run("pdfdetach", "-list", pdf)).toBe("2 embedded files\n1: factur-x.xml\n2: timesheet.csv\n");
		run("pdfdetach", "-saveall", "-o", work, pdf);
		expect(readFileSync(join(work, "factur-x.xml"), "utf8")).toBe(xml);
		expect(readFileSync(join(work, "timesheet.csv"), "utf8")).toBe("date,hours\n");
		const meta = run("pdfinfo", "-meta", pdf);
		expect(meta).toContain("<pdfaid:part>3</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>");
		expect(meta).toContain("<fx:ConformanceLevel>MINIMUM</fx:ConformanceLevel>");
		expect(run("pdfinfo", pdf)).toMatch(/^PDF version:\s+1\.7$/m);
	});

	it("pdfinfo needs the password of an encrypted PDF, and shows AES-256 with the permissions", async () => {
		const pdf = await finished("encrypted", { encryption: { user_password: "open sesame", permissions: { copy: false } } });
		const refused = spawnSync("pdfinfo", [pdf], { encoding: "utf8" });
		expect(refused.status).not.toBe(0);
		expect(refused.stderr).toMatch(/Incorrect password/i);
		const info = run("pdfinfo", "-upw", "open sesame", pdf);
		expect(info).toMatch(/^Encrypted:\s+yes \(print:yes copy:no change:yes addNotes:yes algorithm:AES-256\)$/m);
		expect(run("pdftotext", "-upw", "open sesame", pdf, "-")).toContain("INVOICE");
	});

	it("costs, on the invoice (printed for the report, not asserted)", async () => {
		const steps: Record<string, PdfSpec> = {
			info: { info: { title: "Invoice INV-2026-001", author: "Acme Corp", language: "en-US" } },
			watermark: { watermark: { text: "PAID" } },
			attachments: { attachments: [{ filename: "timesheet.csv", content_base64: Buffer.from("date,hours\n2026-11-02,7.5\n".repeat(100)).toString("base64") }] },
			factur_x: { factur_x: { xml: minimumInvoiceXml(), profile: "MINIMUM" } },
			encryption: { encryption: { user_password: "pw" } },
			"encryption, both passwords": { encryption: { user_password: "pw", owner_password: "owner" } },
		};
		steps["info + watermark + attachments + encryption"] = { ...steps.info, ...steps.watermark, ...steps.attachments, ...steps.encryption };
		steps["info + attachments + factur_x"] = { ...steps.info, ...steps.attachments, ...steps.factur_x };
		// The floor of any finishing: one load and one save of the document, as finishPdf does them.
		const loadAndSave = async () => (await PDFDocument.load(invoice, { parseSpeed: ParseSpeeds.Fastest, updateMetadata: false })).save({ useObjectStreams: true, objectsPerTick: Infinity });
		const runs: Record<string, () => Promise<unknown>> = { "load + save alone": loadAndSave, ...Object.fromEntries(Object.entries(steps).map(([name, spec]) => [name, () => finishPdf(invoice, spec)])) };
		for (const run of Object.values(runs)) await run(); // warm: imports and JIT
		// Interleaved, and the median of each: the machine is shared, and a burst of load hits every kind alike.
		const samples: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((name) => [name, []]));
		for (let i = 0; i < 15; i++) {
			for (const [name, run] of Object.entries(runs)) {
				const start = performance.now();
				await run();
				samples[name]!.push(performance.now() - start);
			}
		}
		const costs = Object.fromEntries(Object.entries(samples).map(([name, times]) => [name, Math.round(times.sort((a, b) => a - b)[Math.floor(times.length / 2)]! * 10) / 10]));
		console.log(`finishing the invoice (${invoice.byteLength} bytes) in Node, median ms per call:`, costs);
		expect(Object.keys(costs)).toHaveLength(9);
	});
});
