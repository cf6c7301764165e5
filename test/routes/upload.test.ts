import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, errorOf, postJson, readPdf, signUp } from "../helpers";

const UPLOAD_CSP = "default-src 'none'; sandbox";

describe("GET /upload/:account/:file", () => {
	it("serves a stored PDF inline with its filename", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { html: "<p>stored</p>", return_type: "url", filename: "März report" }, { "X-API-Key": key });
		const { url } = (await res.json()) as { url: string };
		const file = await call(new URL(url).pathname);
		expect(file.status).toBe(200);
		expect(file.headers.get("Content-Disposition")).toBe(`inline; filename="M_rz report.pdf"; filename*=UTF-8''M%C3%A4rz%20report.pdf`);
		expect((await readPdf(await file.arrayBuffer())).text).toContain("stored");
	});

	it("is sent as a PDF only: nosniff, and a CSP that lets it load nothing and run in no origin of ours", async () => {
		const { key } = await signUp();
		const res = await postJson("/v1/generate", { html: "<p>headers</p>", return_type: "url" }, { "X-API-Key": key });
		const file = await call(new URL(((await res.json()) as { url: string }).url).pathname);
		expect(file.status).toBe(200);
		expect(file.headers.get("Content-Type")).toBe("application/pdf");
		expect(file.headers.get("X-Content-Type-Options")).toBe("nosniff");
		expect(file.headers.get("Content-Security-Policy")).toBe(UPLOAD_CSP);
		expect((await readPdf(await file.arrayBuffer())).text).toContain("headers");
	});

	it("404 for an expired file, an unknown one, or a malformed name", async () => {
		await env.PDFS.put("acc_AAAAAAAAAAAAAAAA/BBBBBBBBBBBBBBBBBBBBBB.pdf", "%PDF-1.4", { customMetadata: { expires_at: new Date(Date.now() - 1000).toISOString() } });
		for (const path of [
			"/upload/acc_AAAAAAAAAAAAAAAA/BBBBBBBBBBBBBBBBBBBBBB.pdf",
			"/upload/acc_AAAAAAAAAAAAAAAA/CCCCCCCCCCCCCCCCCCCCCC.pdf",
			"/upload/acc_AAAAAAAAAAAAAAAA/..%2F..%2Fsecret.pdf",
			"/upload/x/y",
		]) {
			const res = await call(path);
			expect(res.status, path).toBe(404);
			expect((await errorOf(res)).code).toBe("NOT_FOUND");
		}
	});
});
