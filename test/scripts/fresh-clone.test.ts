import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { extractText, getDocumentProxy } from "unpdf";
import { freePort, root } from "./local-server";

/**
 * `npm start` as a new user runs it: a fresh clone of the committed repository, an empty $HOME
 * (no npm cache, no wrangler cache, no Chromium link), and the machine's own Node on PATH.
 */
describe("npm start from a fresh clone with an empty $HOME", () => {
	let server: ReturnType<typeof spawn> | undefined;
	afterAll(() => {
		if (server?.pid) process.kill(-server.pid, "SIGTERM");
	});

	it("installs what it needs, serves the API, and turns DokJet's quick start into a real PDF", async () => {
		const work = mkdtempSync(join(tmpdir(), "quire-clone-"));
		const clone = join(work, "quire");
		execFileSync("git", ["clone", "--quiet", root, clone]);
		const home = join(work, "home");
		execFileSync("mkdir", [home]);
		const port = await freePort();
		// PATH without this repository's node_modules/.bin, as a user's shell has it.
		const path = process.env.PATH!.split(":").filter((p) => !p.includes("node_modules")).join(":");
		server = spawn("npm", ["start"], { cwd: clone, detached: true, env: { PATH: path, HOME: home, PORT: String(port), CI: "true" } });

		let output = "";
		const ready = new Promise<void>((done, fail) => {
			const onData = (chunk: Buffer) => {
				output += chunk;
				if (output.includes("Quire is running at")) done();
			};
			server!.stdout!.on("data", onData);
			server!.stderr!.on("data", onData);
			server!.on("exit", (code) => fail(new Error(`npm start exited (${code}):\n${output}`)));
		});
		await ready;
		// What a person needs: progress while it installs, the URL and the sign-up line.
		expect(output).toContain("[quire] installing npm packages (first run: a few minutes)…");
		expect(output).toMatch(/\[quire\] D1: \d+ migration\(s\) applied/);
		expect(output).toContain(`Quire is running at http://localhost:${port}`);
		expect(output).toContain(`curl -s -X POST http://localhost:${port}/v1/accounts`);
		// …and not wrangler's noise: the migrations table once per migration, its confirmation
		// question answered by a "fallback value", --remote hints, the Request.cf fetch's stack
		// trace offline, the bindings table twice.
		for (const noise of ["0000_init.sql", "fallback value", "--remote", "ENOTFOUND", "Your Worker has access to the following bindings"]) {
			expect(output, noise).not.toContain(noise);
		}

		const base = `http://localhost:${port}`;
		const signUp = await fetch(`${base}/v1/accounts`, { method: "POST", headers: { "Content-Type": "application/json" }, body: `{"email":"new-user@example.com"}` });
		expect(signUp.status).toBe(201);
		const key = ((await signUp.json()) as { data: { key: { key: string } } }).data.key.key;

		const res = await fetch(`${base}/v1/generate`, {
			method: "POST",
			headers: { "X-API-Key": key, "Content-Type": "application/json" },
			body: `{ "template_id": "invoices/invoice", "data": { "client": "Acme Corp", "total": "$564" }, "return_type": "url" }`,
		});
		expect(res.status).toBe(200);
		const { url, credits_left } = (await res.json()) as { url: string; credits_left: number };
		expect(credits_left).toBe(49);
		const pdf = await getDocumentProxy(new Uint8Array(await (await fetch(url)).arrayBuffer()));
		const { totalPages, text } = await extractText(pdf, { mergePages: true });
		expect(totalPages).toBe(1);
		expect(text).toContain("Acme Corp");

		// A client error is a request line, not an [ERROR] line.
		const refused = await fetch(`${base}/v1/accounts`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
		expect(refused.status).toBe(400);
		await expect.poll(() => output).toContain("POST /v1/accounts 400 Bad Request");
		expect(output).not.toContain("[ERROR]");
	});
});
