import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, errorOf, postJson, readPdf, signUp } from "../../../helpers";
import { deleteFile, generateUrl, listFiles } from "./helpers";

async function testKeyOf(key: string): Promise<string> {
	const res = await postJson("/v1/keys", { name: "Sandbox", mode: "test" }, { "X-API-Key": key });
	return ((await res.json()) as { data: { key: string } }).data.key;
}

describe("DELETE /v1/files/{id}", () => {
	it("deletes the object and the row at once: the URL answers 404 right after; twice is 404", async () => {
		const { key } = await signUp();
		const made = await generateUrl(key, { html: "<p>to be deleted</p>" });
		const path = new URL(made.url).pathname;
		// Positive control: downloadable and listed before.
		const before = await call(path);
		expect(before.status).toBe(200);
		expect((await readPdf(await before.arrayBuffer())).text).toContain("to be deleted");
		const [file] = (await listFiles(key)).data;

		const res = await deleteFile(key, file!.id);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ data: { deleted: true } });
		const after = await call(path);
		expect(after.status).toBe(404);
		expect((await errorOf(after)).code).toBe("NOT_FOUND");
		expect(await env.PDFS.head(path.replace("/upload/", ""))).toBeNull();
		expect((await listFiles(key)).data).toEqual([]);

		const again = await deleteFile(key, file!.id);
		expect(again.status).toBe(404);
		expect(await errorOf(again)).toMatchObject({ code: "NOT_FOUND", message: "File not found" });
	});

	it("another account can neither see nor delete the file: 404, and the file stays", async () => {
		const owner = await signUp();
		const stranger = await signUp();
		const made = await generateUrl(owner.key, { html: "<p>not yours</p>" });
		const [file] = (await listFiles(owner.key)).data;
		expect((await listFiles(stranger.key)).data).toEqual([]);

		const res = await deleteFile(stranger.key, file!.id);
		expect(res.status).toBe(404);
		expect((await errorOf(res)).code).toBe("NOT_FOUND");
		expect((await call(new URL(made.url).pathname)).status).toBe(200);
		expect((await listFiles(owner.key)).data.map((f) => f.id)).toEqual([file!.id]);
		for (const id of ["file_doesnotexist00", "nothing"]) expect((await deleteFile(owner.key, id)).status).toBe(404);
	});

	it("a test key deletes test files, not live ones (403)", async () => {
		const { key } = await signUp();
		const testKey = await testKeyOf(key);
		await generateUrl(key, { html: "<p>live</p>" });
		await generateUrl(testKey, { html: "<p>test</p>" });
		const { data } = await listFiles(key);
		const live = data.find((f) => f.mode === "live")!;
		const test = data.find((f) => f.mode === "test")!;
		expect([live, test].every(Boolean)).toBe(true);

		const refused = await deleteFile(testKey, live.id);
		expect(refused.status).toBe(403);
		expect((await errorOf(refused)).code).toBe("FORBIDDEN");
		expect((await call(new URL(live.url).pathname)).status).toBe(200);

		expect((await deleteFile(testKey, test.id)).status).toBe(200);
		expect((await call(new URL(test.url).pathname)).status).toBe(404);
		expect((await deleteFile(key, live.id)).status).toBe(200);
		expect((await listFiles(key)).data).toEqual([]);
	});

	it("needs an API key", async () => {
		const res = await call("/v1/files/file_x", { method: "DELETE" });
		expect(res.status).toBe(401);
	});
});
