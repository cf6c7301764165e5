import { describe, expect, it } from "vitest";
import { call, errorOf, expectStatus, postJson, readPdf, signUp } from "../../helpers";

interface Version {
	version: number;
	created_at: string | null;
	created_by: string | null;
}
interface TemplateBody {
	version: number;
	latest_version: number;
	pinned_version: number | null;
	html: string;
	versions: Version[];
}

const send = (method: string, path: string, key: string, body?: unknown) =>
	call(path, { method, headers: { "X-API-Key": key, "Content-Type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

async function dataOf(res: Response, status = 200): Promise<TemplateBody> {
	await expectStatus(res, status);
	return ((await res.json()) as { data: TemplateBody }).data;
}

/** The key's preview as GET /v1/keys lists it. */
async function previewOf(key: string): Promise<string> {
	const { data } = (await (await send("GET", "/v1/keys", key)).json()) as { data: Array<{ key_preview: string }> };
	return data[0]!.key_preview;
}

describe("template versions: who made them, and a pinned version", () => {
	it("records the key's preview as each version's author, and keeps it after the key is revoked", async () => {
		const { key } = await signUp();
		const created = await dataOf(await send("POST", "/v1/templates", key, { id: "notes/one", name: "One", html: "<p>v1</p>" }), 201);
		const preview = await previewOf(key);
		expect(preview).toMatch(/^qk_live_.{4}\.\.\..{4}$/);
		expect(created.versions).toEqual([{ version: 1, created_at: expect.any(String), created_by: preview }]);

		// A second key of the account makes version 2: each version names its own key.
		const second = (await (await send("POST", "/v1/keys", key, { name: "Second" })).json()) as { data: { id: string; key: string } };
		const updated = await dataOf(await send("PUT", "/v1/templates/notes/one", second.data.key, { html: "<p>v2</p>" }));
		const secondPreview = `${second.data.key.slice(0, 12)}...${second.data.key.slice(-4)}`;
		expect(updated.versions.map((v) => v.created_by)).toEqual([preview, secondPreview]);

		await expectStatus(await send("DELETE", `/v1/keys/${second.data.id}`, key), 200);
		const read = await dataOf(await send("GET", "/v1/templates/notes/one", key));
		expect(read.versions.map((v) => v.created_by)).toEqual([preview, secondPreview]);
	});

	it("pins a version with PATCH without adding one; generation without a version still uses the newest", async () => {
		const { key } = await signUp();
		await dataOf(await send("POST", "/v1/templates", key, { id: "notes/pinned", name: "Pinned", html: "<p>first version</p>" }), 201);
		await dataOf(await send("PUT", "/v1/templates/notes/pinned", key, { html: "<p>second version</p>" }));

		const pinned = await dataOf(await send("PATCH", "/v1/templates/notes%2Fpinned", key, { pinned_version: 1 }));
		expect(pinned.pinned_version).toBe(1);
		expect(pinned.latest_version).toBe(2);
		expect(pinned.versions).toHaveLength(2);
		expect((await dataOf(await send("GET", "/v1/templates/notes/pinned", key))).pinned_version).toBe(1);

		const newest = await postJson("/v1/generate", { template_id: "notes/pinned", test: true }, { "X-API-Key": key });
		await expectStatus(newest, 200);
		expect((await readPdf(await newest.arrayBuffer())).text).toContain("second version");
		const old = await postJson("/v1/generate", { template_id: "notes/pinned", template_version: pinned.pinned_version, test: true }, { "X-API-Key": key });
		await expectStatus(old, 200);
		expect((await readPdf(await old.arrayBuffer())).text).toContain("first version");

		const unpinned = await dataOf(await send("PATCH", "/v1/templates/notes/pinned", key, { pinned_version: null }));
		expect(unpinned.pinned_version).toBeNull();
	});

	it("refuses to pin a version the template lacks, an unknown template, a built-in, and a bad body", async () => {
		const { key } = await signUp();
		await dataOf(await send("POST", "/v1/templates", key, { id: "notes/few", name: "Few", html: "<p>x</p>" }), 201);

		const missing = await send("PATCH", "/v1/templates/notes/few", key, { pinned_version: 7 });
		expect(missing.status).toBe(404);
		expect((await errorOf(missing)).message).toContain("no version 7");
		expect((await dataOf(await send("GET", "/v1/templates/notes/few", key))).pinned_version).toBeNull();

		expect((await send("PATCH", "/v1/templates/notes/none", key, { pinned_version: 1 })).status).toBe(404);
		expect((await send("PATCH", "/v1/templates/invoices/invoice", key, { pinned_version: 1 })).status).toBe(403);
		const bad = await send("PATCH", "/v1/templates/notes/few", key, { pinned_version: 0, extra: true });
		expect(bad.status).toBe(400);
		expect((await errorOf(bad)).code).toBe("VALIDATION_ERROR");
	});
});
