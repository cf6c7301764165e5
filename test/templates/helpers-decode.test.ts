import puppeteer, { type Browser } from "@cloudflare/puppeteer";
import { BarcodeFormat, BinaryBitmap, DecodeHintType, HybridBinarizer, MultiFormatReader, RGBLuminanceSource } from "@zxing/library";
import { env } from "cloudflare:workers";
import jsQR from "jsqr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderTemplate } from "../../src/rendering/templates";

/**
 * The QR code and barcodes the helpers write, drawn by a real Chromium (the renderer's) and read
 * back by decoder libraries: jsQR for QR codes, ZXing for the linear symbologies.
 */

let browser: Browser;
beforeAll(async () => {
	browser = await puppeteer.launch(env.BROWSER);
});
afterAll(async () => {
	await browser?.close();
});

/** The helper's SVG as Chromium draws it at `scale`, on white with a quiet zone: RGBA pixels. */
async function rasterise(svg: string, scale: number): Promise<{ width: number; height: number; rgba: Uint8ClampedArray }> {
	const page = await browser.newPage();
	try {
		const drawn = (await page.evaluate(
			`(async (svg, scale) => {
				const image = new Image();
				image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
				await image.decode();
				const margin = 40;
				const canvas = document.createElement("canvas");
				canvas.width = image.naturalWidth * scale + 2 * margin;
				canvas.height = image.naturalHeight * scale + 2 * margin;
				const ctx = canvas.getContext("2d");
				ctx.fillStyle = "#fff";
				ctx.fillRect(0, 0, canvas.width, canvas.height);
				ctx.drawImage(image, margin, margin, image.naturalWidth * scale, image.naturalHeight * scale);
				const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
				let binary = "";
				for (let i = 0; i < pixels.length; i += 8192) binary += String.fromCharCode(...pixels.subarray(i, i + 8192));
				return { width: canvas.width, height: canvas.height, rgba: btoa(binary) };
			})(${JSON.stringify(svg)}, ${scale})`,
		)) as { width: number; height: number; rgba: string };
		return { width: drawn.width, height: drawn.height, rgba: Uint8ClampedArray.from(atob(drawn.rgba), (ch) => ch.charCodeAt(0)) };
	} finally {
		await page.close();
	}
}

/** A linear barcode's text, as ZXing reads it from the pixels. */
function readBarcode({ width, height, rgba }: { width: number; height: number; rgba: Uint8ClampedArray }, format: BarcodeFormat): string {
	const luminance = new Uint8ClampedArray(width * height);
	for (let i = 0; i < luminance.length; i++) luminance[i] = (rgba[i * 4]! * 299 + rgba[i * 4 + 1]! * 587 + rgba[i * 4 + 2]! * 114) / 1000;
	const hints = new Map<DecodeHintType, unknown>([[DecodeHintType.POSSIBLE_FORMATS, [format]], [DecodeHintType.TRY_HARDER, true]]);
	return new MultiFormatReader().decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(luminance, width, height))), hints).getText();
}

const helper = (name: string, value: string, options = "") => renderTemplate(`{{#${name}}}${options}{{v}}{{/${name}}}`, { v: value });

describe("qr and barcodes decode back to their text", () => {
	it("qr, at each error-correction level, with URL characters and non-ASCII text", async () => {
		const text = "https://pay.example/i?n=INV-2026-0042&amount=564.00&to=Åsa Ødegård €";
		for (const level of ["L", "M", "Q", "H"]) {
			const { width, height, rgba } = await rasterise(helper("qr", text, `[${level}]`), 4);
			expect(jsQR(rgba, width, height)?.data, level).toBe(text);
		}
		// Positive control: the decoder can fail (a blank image reads as nothing).
		const blank = await rasterise(`<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"></svg>`, 4);
		expect(jsQR(blank.rgba, blank.width, blank.height)).toBeNull();
	});

	it("code128, ean13 and code39, with and without their human-readable text", async () => {
		const cases: Array<[string, string, BarcodeFormat]> = [
			["code128", "1Z 999 AA1 01 2345 6784", BarcodeFormat.CODE_128],
			["code128", "Quire-128/ok", BarcodeFormat.CODE_128],
			["ean13", "5901234123457", BarcodeFormat.EAN_13],
			["code39", "QUIRE-39 $/+%", BarcodeFormat.CODE_39],
		];
		for (const [name, value, format] of cases) {
			for (const options of ["", "[text]"]) {
				const svg = helper(name, value, options);
				const pixels = await rasterise(svg, 3).catch((error: unknown) => {
					throw new Error(`${name} ${options}: ${String(error)}\n${svg.slice(0, 300)}`);
				});
				expect(readBarcode(pixels, format), `${name} ${options}`).toBe(value);
			}
		}
		// Positive control: the reader can fail (a Code 128 is no EAN-13).
		const code128 = await rasterise(helper("code128", "1Z 999 AA1 01 2345 6784"), 3);
		expect(() => readBarcode(code128, BarcodeFormat.EAN_13)).toThrow();
	});
});
