import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEY_VARIABLE, snippets } from "../../src/web/public/snippets.js";
import { startLocalServer, type LocalServer } from "../scripts/local-server";

/** Whether a program is on PATH. */
const has = (program: string) => spawnSync("sh", ["-c", `command -v ${program}`]).status === 0;

/** Data with every character a snippet's quoting could get wrong: quotes, an apostrophe, a backtick, a backslash, `$`, a newline, non-ASCII. */
const BODY = {
	template_id: "invoices/invoice",
	data: { client: `O'Brien "Acme" \`Ltd\` \\ $HOME Zoë ✓`, total: "$1,234", notes: "line one\nline two", paid: true, discount: null, items: [{ description: "Widget", quantity: 2, unit_price: "$5", amount: "$10" }] },
};

/**
 * Each "copy as code" snippet, run as shown (with the key in QUIRE_API_KEY) against `npm start`'s
 * server, must save a real PDF of the data. PHP and Go are run when installed; otherwise their
 * request (URL, headers, the exact JSON body) is read back from the code.
 */
describe("copy as code: every snippet runs as shown and gets a PDF", () => {
	let server: LocalServer;
	let key: string;
	let dir: string;
	let code: ReturnType<typeof snippets>;
	beforeAll(async () => {
		server = await startLocalServer();
		const res = await fetch(`${server.base}/v1/accounts`, { method: "POST", headers: { "Content-Type": "application/json" }, body: `{"email":"snippets@example.com"}` });
		key = ((await res.json()) as { data: { key: { key: string } } }).data.key.key;
		dir = mkdtempSync(join(tmpdir(), "quire-snippets-"));
		code = snippets(server.base, BODY);
	});
	afterAll(async () => {
		await server?.stop();
		if (dir) rmSync(dir, { recursive: true, force: true });
	});

	/** Runs `command` in a fresh folder with the key in the environment; returns the PDF's text (pdftotext). */
	function run(name: string, file: string, source: string, command: string[]): string {
		const cwd = mkdtempSync(join(dir, `${name}-`));
		writeFileSync(join(cwd, file), source);
		const result = spawnSync(command[0]!, command.slice(1), { cwd, env: { ...process.env, [KEY_VARIABLE]: key }, encoding: "utf8", timeout: 60_000 });
		expect(result.status, `${name}: ${result.stderr}`).toBe(0);
		const pdf = readFileSync(join(cwd, "document.pdf"));
		expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
		return execFileSync("pdftotext", ["-layout", join(cwd, "document.pdf"), "-"], { encoding: "utf8" });
	}

	const expectData = (text: string) => {
		expect(text).toContain(`O'Brien "Acme" \`Ltd\` \\ $HOME Zoë ✓`);
		expect(text).toContain("$1,234");
	};

	it("curl", () => {
		expect(code.curl).toContain(`${server.base}/v1/generate`);
		expectData(run("curl", "generate.sh", code.curl, ["sh", "generate.sh"]));
	});

	it("JavaScript (fetch, Node)", () => {
		expectData(run("javascript", "generate.mjs", code.javascript, [process.execPath, "generate.mjs"]));
	});

	it("Python (requests), or its syntax and request when requests is missing", () => {
		const hasRequests = spawnSync("python3", ["-c", "import requests"]).status === 0;
		if (hasRequests) expectData(run("python", "generate.py", code.python, ["python3", "generate.py"]));
		else {
			const cwd = mkdtempSync(join(dir, "python-"));
			writeFileSync(join(cwd, "generate.py"), code.python);
			expect(spawnSync("python3", ["-m", "py_compile", join(cwd, "generate.py")]).status).toBe(0);
		}
		// Either way: the `json=` literal is the body exactly (evaluated by Python itself).
		const literal = /json=([\s\S]*),\n\)\nres\.raise_for_status/.exec(code.python)![1]!;
		const echoed = execFileSync("python3", ["-c", `import json, sys; print(json.dumps(${literal}))`], { encoding: "utf8" });
		expect(JSON.parse(echoed)).toEqual(BODY);
	});

	it(`PHP${has("php") ? "" : " (not installed here: its request is read back from the code)"}`, () => {
		if (has("php")) return expectData(run("php", "generate.php", code.php, ["php", "generate.php"]));
		const body = /<<<'JSON'\n([\s\S]*?)\nJSON;\n/.exec(code.php)![1]!;
		expect(JSON.parse(body)).toEqual(BODY);
		expect(code.php).toContain(`curl_init('${server.base}/v1/generate')`);
		expect(code.php).toContain(`'X-API-Key: ' . getenv('${KEY_VARIABLE}')`);
		expect(code.php).toContain("'Content-Type: application/json'");
	});

	it(`Go${has("go") ? "" : " (not installed here: its request is read back from the code)"}`, () => {
		if (has("go")) return expectData(run("go", "main.go", code.go, ["go", "run", "main.go"]));
		// The raw string literal, with its spliced backticks, read as Go reads it.
		const literal = /body := \[\]byte\((.*?)\)\n\treq, err/s.exec(code.go)![1]!;
		const value = literal.split(" + ").map((part) => (part.startsWith("`") ? part.slice(1, -1) : (JSON.parse(part) as string))).join("");
		expect(JSON.parse(value)).toEqual(BODY);
		expect(code.go).toContain(`http.NewRequest("POST", "${server.base}/v1/generate", bytes.NewReader(body))`);
		expect(code.go).toContain(`req.Header.Set("X-API-Key", os.Getenv("${KEY_VARIABLE}"))`);
	});
});
