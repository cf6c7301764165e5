import { describe, expect, it } from "vitest";
import { ASSET_LIMITS } from "../../../src/assets/store";
import { call, errorOf, postJson, signUp } from "../../helpers";
import { FONT_OTF, PNG } from "../../fixtures/assets";

interface AssetBody {
	id: string;
	name: string;
	type: string;
	size: number;
	url: string;
	created_at: string;
}

const te = new TextEncoder();
const SVG = te.encode(`<?xml version="1.0"?>\n<!-- a logo -->\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>`);

function upload(key: string, name: string, body: Uint8Array, contentType = "application/octet-stream") {
	return call(`/v1/assets?name=${encodeURIComponent(name)}`, { method: "POST", headers: { "X-API-Key": key, "Content-Type": contentType }, body });
}

async function uploaded(key: string, name: string, body: Uint8Array): Promise<AssetBody> {
	const res = await upload(key, name, body);
	if (res.status !== 201) throw new Error(`${res.status}: ${await res.text()}`);
	return ((await res.json()) as { data: AssetBody }).data;
}

async function list(key: string) {
	const res = await call("/v1/assets", { headers: { "X-API-Key": key } });
	expect(res.status).toBe(200);
	return (await res.json()) as { data: AssetBody[]; quota: { assets: number; bytes: number; max_assets: number; max_bytes: number; max_asset_bytes: number } };
}

describe("POST /v1/assets", () => {
	it("stores each type, recognised by content whatever the name and Content-Type say, and answers 201 with the asset", async () => {
		const { key } = await signUp();
		const files: Array<[string, Uint8Array, string]> = [
			["logo.png", PNG, "image/png"],
			["photo.dat", new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46]), "image/jpeg"],
			["mark.svg", SVG, "image/svg+xml"],
			["brand.woff2", te.encode("wOF2\x00\x01\x00\x00rest"), "font/woff2"],
			["brand.woff", te.encode("wOFF\x00\x01\x00\x00rest"), "font/woff"],
			["font.bin", new Uint8Array([0, 1, 0, 0, 0, 0x10, 0x80, 0]), "font/ttf"],
			["brand.otf", FONT_OTF, "font/otf"],
		];
		for (const [name, bytes, type] of files) {
			const res = await upload(key, name, bytes, "text/plain");
			expect(res.status, name).toBe(201);
			const { data } = (await res.json()) as { data: AssetBody };
			expect(data).toEqual({ id: expect.stringMatching(/^ast_[0-9A-Za-z]{16}$/), name, type, size: bytes.byteLength, url: `https://assets.quire.invalid/${data.id}/${encodeURIComponent(name)}`, created_at: expect.any(String) });
		}
		const { data, quota } = await list(key);
		expect(data.map((a) => a.name)).toEqual(["brand.otf", "brand.woff", "brand.woff2", "font.bin", "logo.png", "mark.svg", "photo.dat"]);
		expect(quota).toEqual({ assets: 7, bytes: files.reduce((n, [, b]) => n + b.byteLength, 0), max_assets: 200, max_bytes: 50 * 1024 * 1024, max_asset_bytes: 5 * 1024 * 1024 });
	});

	it("refuses content of any other type with 415, whatever its name: HTML named .svg, a PDF named .png, text, a script", async () => {
		const { key } = await signUp();
		for (const [name, text] of [
			["evil.svg", "<html><script>alert(1)</script></html>"],
			["doc.png", "%PDF-1.7\n"],
			["notes.ttf", "just text"],
			["x.svg", "<!-- <svg --><div>not svg</div>"],
		] as const) {
			const res = await upload(key, name, te.encode(text));
			expect(res.status, name).toBe(415);
			expect((await errorOf(res)).code).toBe("UNSUPPORTED_MEDIA_TYPE");
		}
		expect((await list(key)).data).toEqual([]);
	});

	it("refuses a bad or missing name (400 naming the field), an empty body (400), a name the account uses (409), and a test key (403)", async () => {
		const { key } = await signUp();
		for (const query of ["", "?name=", "?name=a%2Fb.png", "?name=a%0Ab.png", `?name=${"n".repeat(101)}`]) {
			const res = await call(`/v1/assets${query}`, { method: "POST", headers: { "X-API-Key": key }, body: PNG });
			expect(res.status, query).toBe(400);
			const error = await errorOf(res);
			expect(error.code).toBe("VALIDATION_ERROR");
			expect(JSON.stringify(error.details)).toContain("name");
		}
		const empty = await upload(key, "empty.png", new Uint8Array());
		expect(empty.status).toBe(400);
		await uploaded(key, "logo.png", PNG);
		const again = await upload(key, "logo.png", PNG);
		expect(again.status).toBe(409);
		expect((await errorOf(again)).code).toBe("CONFLICT");

		const testKey = await postJson("/v1/keys", { name: "t", mode: "test" }, { "X-API-Key": key });
		const { data } = (await testKey.json()) as { data: { key: string } };
		const refused = await upload(data.key, "other.png", PNG);
		expect(refused.status).toBe(403);
		expect((await list(key)).data.map((a) => a.name)).toEqual(["logo.png"]);
	});

	it("refuses an asset over 5 MB (413 PAYLOAD_TOO_LARGE) and the account's 51st MB (413 QUOTA_EXCEEDED), storing neither", async () => {
		const { key } = await signUp();
		const big = new Uint8Array(ASSET_LIMITS.assetBytes + 1);
		big.set(PNG.subarray(0, 8));
		const tooBig = await upload(key, "big.png", big);
		expect(tooBig.status).toBe(413);
		expect((await errorOf(tooBig)).code).toBe("PAYLOAD_TOO_LARGE");

		const full = big.subarray(0, ASSET_LIMITS.assetBytes); // exactly the limit: accepted
		for (let i = 0; i < ASSET_LIMITS.accountBytes / ASSET_LIMITS.assetBytes; i++) await uploaded(key, `part${i}.png`, full);
		const over = await upload(key, "one-more.png", PNG);
		expect(over.status).toBe(413);
		const error = await errorOf(over);
		expect(error.code).toBe("QUOTA_EXCEEDED");
		expect(error.details).toEqual({ assets: 10, bytes: ASSET_LIMITS.accountBytes, max_assets: 200, max_bytes: ASSET_LIMITS.accountBytes });
		expect((await list(key)).quota).toMatchObject({ assets: 10, bytes: ASSET_LIMITS.accountBytes });
	});

	it(`refuses the account's asset number ${ASSET_LIMITS.accountAssets + 1} (413 QUOTA_EXCEEDED)`, async () => {
		const { key } = await signUp();
		for (let i = 0; i < ASSET_LIMITS.accountAssets; i += 20) {
			await Promise.all(Array.from({ length: 20 }, (_, j) => uploaded(key, `icon-${i + j}.png`, PNG)));
		}
		const over = await upload(key, "icon-200.png", PNG);
		expect(over.status).toBe(413);
		expect((await errorOf(over)).code).toBe("QUOTA_EXCEEDED");
		expect((await list(key)).data).toHaveLength(ASSET_LIMITS.accountAssets);
	});
});

describe("GET /v1/assets and DELETE /v1/assets/{id}", () => {
	it("an account sees and deletes only its own assets: another's id is 404 and stays", async () => {
		const a = await signUp();
		const b = await signUp();
		const mine = await uploaded(a.key, "logo.png", PNG);
		const theirs = await uploaded(b.key, "logo.png", PNG);
		expect((await list(a.key)).data.map((x) => x.id)).toEqual([mine.id]);
		expect((await list(b.key)).data.map((x) => x.id)).toEqual([theirs.id]);

		// The bytes, for the account's own tools: its own asset only, served inert.
		const content = await call(`/v1/assets/${mine.id}/content`, { headers: { "X-API-Key": a.key } });
		expect(content.status).toBe(200);
		expect(content.headers.get("Content-Type")).toBe("image/png");
		expect(content.headers.get("Content-Security-Policy")).toContain("sandbox");
		expect(new Uint8Array(await content.arrayBuffer())).toEqual(PNG);
		expect((await call(`/v1/assets/${theirs.id}/content`, { headers: { "X-API-Key": a.key } })).status).toBe(404);

		const cross = await call(`/v1/assets/${theirs.id}`, { method: "DELETE", headers: { "X-API-Key": a.key } });
		expect(cross.status).toBe(404);
		expect((await list(b.key)).data.map((x) => x.id)).toEqual([theirs.id]);

		const own = await call(`/v1/assets/${mine.id}`, { method: "DELETE", headers: { "X-API-Key": a.key } });
		expect(own.status).toBe(200);
		expect(await own.json()).toEqual({ data: { deleted: true } });
		expect((await list(a.key)).data).toEqual([]);
		const again = await call(`/v1/assets/${mine.id}`, { method: "DELETE", headers: { "X-API-Key": a.key } });
		expect(again.status).toBe(404);
		// The name is free again.
		await uploaded(a.key, "logo.png", PNG);
	});

	it("needs a key", async () => {
		expect((await call("/v1/assets")).status).toBe(401);
		expect((await call("/v1/assets?name=a.png", { method: "POST", body: PNG })).status).toBe(401);
	});
});
