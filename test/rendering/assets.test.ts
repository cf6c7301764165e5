import { getDocumentProxy, getResolvedPDFJS } from "unpdf";
import { describe, expect, inject, it } from "vitest";
import { call, postJson, readPdfGlyphs, signUp } from "../helpers";
import { FONT_NAME, FONT_OTF, PNG } from "../fixtures/assets";

/**
 * Assets in rendered documents, through the real renderer: the URL is answered from R2 by the
 * renderer's request interception, for the document's own account only, with no request out.
 */

const receiver = inject("webhookReceiver");

interface Generated {
	pdf_base64: string;
	blocked_resources?: string[];
	failed_resources?: Array<{ url: string; reason: string }>;
}

async function upload(key: string, name: string, bytes: Uint8Array): Promise<{ id: string; url: string }> {
	const res = await call(`/v1/assets?name=${encodeURIComponent(name)}`, { method: "POST", headers: { "X-API-Key": key }, body: bytes });
	if (res.status !== 201) throw new Error(`${res.status}: ${await res.text()}`);
	return ((await res.json()) as { data: { id: string; url: string } }).data;
}

async function generate(key: string, body: Record<string, unknown>): Promise<Generated & { pdf: Uint8Array }> {
	const res = await postJson("/v1/generate", { return_type: "base64", ...body }, { "X-API-Key": key });
	if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
	const answer = (await res.json()) as Generated;
	return { ...answer, pdf: Uint8Array.from(atob(answer.pdf_base64), (ch) => ch.charCodeAt(0)) };
}

/** How many raster images the PDF's pages paint. */
async function imagesIn(pdf: Uint8Array): Promise<number> {
	const { OPS } = await getResolvedPDFJS();
	const doc = await getDocumentProxy(pdf.slice());
	let images = 0;
	for (let n = 1; n <= doc.numPages; n++) {
		const { fnArray } = await (await doc.getPage(n)).getOperatorList();
		images += fnArray.filter((fn) => fn === OPS.paintImageXObject || fn === OPS.paintInlineImageXObject).length;
	}
	return images;
}

async function received(id: string): Promise<unknown[]> {
	return (await fetch(`${receiver}/received/${id}`)).json();
}

describe("assets in documents", () => {
	it("an image asset loads by its url in <img> and CSS url(), and by {{#asset}}name{{/asset}} in a template, with remote resources blocked", async () => {
		const { key } = await signUp();
		const logo = await upload(key, "logo.png", PNG);
		expect((await call("/v1/account", { method: "PATCH", headers: { "X-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify({ block_remote_resources: true }) })).status).toBe(200);

		const inline = await generate(key, { html: `<p>logo</p><img alt="" src="${logo.url}" width="40"><div style="width:40px;height:20px;background:url('${logo.url}')"></div>` });
		expect(inline.failed_resources).toBeUndefined();
		expect(inline.blocked_resources).toBeUndefined();
		expect(await imagesIn(inline.pdf)).toBe(2);

		const templated = await generate(key, { html: `<img alt="" src="{{#asset}}{{file}}{{/asset}}">`, data: { file: "logo.png" } });
		expect(templated.failed_resources).toBeUndefined();
		expect(await imagesIn(templated.pdf)).toBe(1);

		// Positive control: with remote resources blocked, an image from anywhere else is refused.
		const remote = await generate(key, { html: `<img alt="" src="https://example.com/logo.png">` });
		expect(remote.blocked_resources).toEqual(["https://example.com/logo.png"]);
		expect(await imagesIn(remote.pdf)).toBe(0);
	});

	it("another account's asset, by url or by name, is 404 inside the page and never drawn; a deleted one too", async () => {
		const owner = await signUp();
		const other = await signUp();
		const logo = await upload(owner.key, "secret.png", PNG);
		const html = `<img alt="" src="${logo.url}"><img alt="" src="{{#asset}}secret.png{{/asset}}">`;

		const own = await generate(owner.key, { html });
		expect(own.failed_resources).toBeUndefined();
		expect(await imagesIn(own.pdf)).toBe(2);

		const stolen = await generate(other.key, { html });
		expect(stolen.failed_resources).toEqual([
			{ url: logo.url, reason: "HTTP 404" },
			{ url: "https://assets.quire.invalid/named/secret.png", reason: "HTTP 404" },
		]);
		expect(await imagesIn(stolen.pdf)).toBe(0);

		expect((await call(`/v1/assets/${logo.id}`, { method: "DELETE", headers: { "X-API-Key": owner.key } })).status).toBe(200);
		const gone = await generate(owner.key, { html });
		expect(gone.failed_resources).toHaveLength(2);
		expect(await imagesIn(gone.pdf)).toBe(0);
	});

	it("an uploaded font used in @font-face is embedded in the PDF (and only for its account)", async () => {
		const owner = await signUp();
		const other = await signUp();
		const font = await upload(owner.key, "brand.otf", FONT_OTF);
		const html = `<style>@font-face { font-family: Brand; src: url("${font.url}"); } p { font-family: Brand, serif; font-size: 20px }</style><p>Brand text 0123</p>`;

		const withFont = await generate(owner.key, { html });
		expect(withFont.failed_resources).toBeUndefined();
		const fonts = new Set((await readPdfGlyphs(withFont.pdf)).map((g) => g.font));
		expect([...fonts].some((name) => name.includes(FONT_NAME))).toBe(true);

		const without = await generate(other.key, { html });
		expect(without.failed_resources).toEqual([{ url: font.url, reason: "HTTP 404" }]);
		const fallback = new Set((await readPdfGlyphs(without.pdf)).map((g) => g.font));
		expect(fallback.size).toBeGreaterThan(0);
		expect([...fallback].some((name) => name.includes(FONT_NAME))).toBe(false);
	});

	it("an uploaded SVG runs no script and loads nothing, as <img> or as a document: the canary sees nothing (inline, the same SVG reaches it)", async () => {
		const { key } = await signUp();
		const hostile = (id: string) =>
			`<svg xmlns="http://www.w3.org/2000/svg" width="50" height="50">` +
			`<image href="${receiver}/canary/${id}" width="10" height="10"/>` +
			`<script>fetch("${receiver}/canary/${id}")</script><text y="20">static</text></svg>`;
		const asAsset = crypto.randomUUID();
		const svg = await upload(key, "hostile.svg", new TextEncoder().encode(hostile(asAsset)));
		// Loopback is allowed in the tests' renderer: only the asset's own handling keeps these in.
		const made = await generate(key, { html: `<img alt="" src="${svg.url}"><iframe src="${svg.url}"></iframe><object data="${svg.url}"></object>` });
		expect(made.failed_resources).toBeUndefined();
		expect((await readPdfGlyphs(made.pdf)).map((g) => g.unicode).join("")).toContain("static");

		// Positive control: the same SVG inline in the page loads its image and runs its script.
		const inline = crypto.randomUUID();
		await generate(key, { html: hostile(inline) });
		await new Promise((resolve) => setTimeout(resolve, 500)); // anything late would have arrived
		expect((await received(inline)).length).toBeGreaterThan(0);
		expect(await received(asAsset)).toEqual([]);
	});
});
