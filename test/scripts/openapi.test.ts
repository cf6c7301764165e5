import { Validator } from "@seriousme/openapi-schema-validator";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, startLocalServer, type LocalServer } from "./local-server";

let server: LocalServer;
let browser: Browser | undefined;

beforeAll(async () => {
	server = await startLocalServer();
});

afterAll(async () => {
	await browser?.close();
	await server?.stop();
});

async function validate(document: unknown) {
	const validator = new Validator();
	const result = await validator.validate(document as Record<string, unknown>);
	return { ...result, version: validator.version };
}

describe("GET /openapi.json", () => {
	it("is a valid OpenAPI 3.1 document", async () => {
		const response = await fetch(`${server.base}/openapi.json`);
		expect(response.status).toBe(200);
		const document = (await response.json()) as { paths: Record<string, Record<string, { responses: unknown }>> };
		const result = await validate(document);
		expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
		expect(result.valid).toBe(true);
		expect(result.version).toBe("3.1");

		// The validator is shown to catch a broken document: responses that are not an object, and
		// a path that does not start with /.
		const broken = structuredClone(document);
		const [path, item] = Object.entries(broken.paths)[0]!;
		const [method] = Object.keys(item);
		broken.paths[path]![method!]!.responses = "none";
		broken.paths["no-slash"] = {};
		expect((await validate(broken)).valid).toBe(false);
	});
});

describe("GET /docs", () => {
	it("renders the API reference in Chromium with requests to this server only and no console errors", async () => {
		browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
		const page = await browser.newPage();
		const origin = new URL(server.base).origin;
		const requests: string[] = [];
		const consoleErrors: string[] = [];
		page.on("request", (request) => requests.push(request.url()));
		page.on("console", (message) => {
			if (message.type() === "error") consoleErrors.push(message.text());
		});
		page.on("pageerror", (error) => consoleErrors.push(String(error)));

		const response = await page.goto(`${server.base}/docs`);
		expect(response?.status()).toBe(200);
		expect(await page.title()).toMatch(/API reference/);
		expect(await page.getAttribute("html", "lang")).toBe("en");
		// The reference has loaded the document and shows its operations.
		await page.getByText("Generate a PDF").first().waitFor({ timeout: 60_000 });
		await page.getByText("List API keys").first().waitFor();
		// Anything a lazily loaded part of the page asks for comes in now.
		await page.waitForLoadState("networkidle");

		const offenders = requests.filter((url) => !url.startsWith("data:") && !url.startsWith("blob:") && new URL(url).origin !== origin);
		expect(offenders, `requests to other origins:\n${offenders.join("\n")}`).toEqual([]);
		expect(requests).toContain(`${origin}/openapi.json`);
		expect(consoleErrors, consoleErrors.join("\n")).toEqual([]);
	});
});
