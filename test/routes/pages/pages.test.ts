import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const get = (path: string) => exports.default.fetch(`https://quire.example${path}`);

describe("web pages", () => {
	it("the landing page gives the quick start with this server's own URL", async () => {
		const res = await get("/");
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toContain("text/html");
		const html = await res.text();
		expect(html.startsWith("<!doctype html>")).toBe(true);
		expect(html).toContain('<html lang="en">');
		expect(html).toContain("curl -X POST https://quire.example/v1/accounts");
		expect(html).toContain("https://quire.example/v1/generate");
		expect(html).toContain('href="/signup"');
	});

	it("sign-up and the dashboard are shells for their scripts, with labelled controls", async () => {
		const signup = await (await get("/signup")).text();
		expect(signup).toContain('<script type="module" src="/signup.js">');
		expect(signup).toMatch(/<label for="email">Email<\/label><input id="email"/);

		const dashboard = await (await get("/dashboard")).text();
		expect(dashboard).toContain('<script type="module" src="/dashboard.js">');
		for (const section of ["overview", "activity", "keys", "templates", "webhooks", "account"]) expect(dashboard).toContain(`<section id="${section}"`);
		expect(dashboard).toMatch(/<label for="signin-email">Email<\/label><input id="signin-email"/);
	});

	it("pages may load nothing from elsewhere, can't be framed, and carry a request id", async () => {
		for (const path of ["/", "/signup", "/dashboard"]) {
			const res = await get(path);
			const csp = res.headers.get("content-security-policy") ?? "";
			expect(csp).toContain("default-src 'self'");
			expect(csp).toContain("frame-ancestors 'none'");
			expect(csp).not.toMatch(/https?:/);
			expect(res.headers.get("x-request-id")).toMatch(/^req_/);
		}
	});

	it("an unknown page is the API's JSON 404", async () => {
		const res = await get("/dashboard/nope");
		expect(res.status).toBe(404);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
	});
});
