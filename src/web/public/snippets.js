// "Copy as code": one POST /v1/generate request written in five languages, each runnable as shown
// (it reads the API key from the QUIRE_API_KEY environment variable, so no key sits in the code)
// and each saving the PDF as document.pdf. Pure functions: the dashboard shows them, and the
// Node tests import them and run each one against a local server.

/** The environment variable every snippet reads the API key from. */
export const KEY_VARIABLE = "QUIRE_API_KEY";

export const LANGUAGES = /** @type {const} */ ({ curl: "curl", javascript: "JavaScript (fetch)", python: "Python (requests)", php: "PHP", go: "Go" });

/**
 * The request `body` (e.g. `{ template_id, data }`) sent to `${origin}/v1/generate`, as code.
 * @param {string} origin e.g. "https://quire.example"
 * @param {Record<string, unknown>} body
 * @returns {{ curl: string, javascript: string, python: string, php: string, go: string }}
 */
export function snippets(origin, body) {
	const url = `${origin}/v1/generate`;
	const json = JSON.stringify(body, null, 2);
	return { curl: curl(url, json), javascript: javascript(url, body), python: python(url, body), php: php(url, json), go: go(url, json) };
}

/** A here-document carries the JSON unchanged: no shell quoting of the data to get wrong. */
function curl(url, json) {
	return `curl -X POST ${shellQuote(url)} \\
  -H "X-API-Key: $${KEY_VARIABLE}" \\
  -H "Content-Type: application/json" \\
  --fail-with-body -o document.pdf \\
  --data-binary @- <<'JSON'
${json}
JSON`;
}

function javascript(url, body) {
	return `// Node 18 or later: save as generate.mjs and run \`node generate.mjs\`.
import { writeFile } from "node:fs/promises";

const res = await fetch(${JSON.stringify(url)}, {
  method: "POST",
  headers: { "X-API-Key": process.env.${KEY_VARIABLE}, "Content-Type": "application/json" },
  body: JSON.stringify(${indent(JSON.stringify(body, null, 2), 2)}),
});
if (!res.ok) throw new Error(\`\${res.status}: \${await res.text()}\`);
await writeFile("document.pdf", Buffer.from(await res.arrayBuffer()));
`;
}

function python(url, body) {
	return `import os

import requests

res = requests.post(
    ${pyString(url)},
    headers={"X-API-Key": os.environ["${KEY_VARIABLE}"]},
    json=${indent(pyLiteral(body, 1), 4)},
)
res.raise_for_status()
with open("document.pdf", "wb") as f:
    f.write(res.content)
`;
}

/** A nowdoc carries the JSON unchanged (JSON never has a bare JSON identifier on a line of its own). */
function php(url, json) {
	return `<?php
$body = <<<'JSON'
${json}
JSON;
$ch = curl_init(${phpString(url)});
curl_setopt_array($ch, [
    CURLOPT_POST => true,
    CURLOPT_HTTPHEADER => ['X-API-Key: ' . getenv('${KEY_VARIABLE}'), 'Content-Type: application/json'],
    CURLOPT_POSTFIELDS => $body,
    CURLOPT_RETURNTRANSFER => true,
]);
$pdf = curl_exec($ch);
$status = curl_getinfo($ch, CURLINFO_HTTP_CODE);
if ($status !== 200) {
    fwrite(STDERR, "$status: $pdf\\n");
    exit(1);
}
file_put_contents('document.pdf', $pdf);
`;
}

function go(url, json) {
	return `package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
)

func main() {
	body := []byte(${goRaw(json)})
	req, err := http.NewRequest("POST", ${JSON.stringify(url)}, bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("X-API-Key", os.Getenv("${KEY_VARIABLE}"))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	pdf, err := io.ReadAll(res.Body)
	if err != nil {
		panic(err)
	}
	if res.StatusCode != http.StatusOK {
		fmt.Fprintf(os.Stderr, "%d: %s\\n", res.StatusCode, pdf)
		os.Exit(1)
	}
	if err := os.WriteFile("document.pdf", pdf, 0o644); err != nil {
		panic(err)
	}
}
`;
}

/** Every line after the first indented by `spaces`. */
function indent(text, spaces) {
	return text.replaceAll("\n", `\n${" ".repeat(spaces)}`);
}

const shellQuote = (text) => `'${text.replaceAll("'", `'\\''`)}'`;
const phpString = (text) => `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
/** A JSON string is a valid Python string literal (same escapes); `\u2028` too. */
const pyString = (text) => JSON.stringify(text);

/** A Go raw string; a backtick (which a raw string can't hold) is spliced in as "`". */
function goRaw(text) {
	return "`" + text.replaceAll("`", '` + "`" + `') + "`";
}

/** A JSON value as a Python literal (True/False/None), pretty-printed at `depth`. */
function pyLiteral(value, depth) {
	const pad = "    ".repeat(depth);
	const close = "    ".repeat(depth - 1);
	if (value === null || value === undefined) return "None";
	if (value === true) return "True";
	if (value === false) return "False";
	if (typeof value === "number") return Number.isFinite(value) ? JSON.stringify(value) : "None";
	if (typeof value === "string") return pyString(value);
	if (Array.isArray(value)) {
		if (value.length === 0) return "[]";
		return `[\n${value.map((item) => `${pad}${pyLiteral(item, depth + 1)},`).join("\n")}\n${close}]`;
	}
	const entries = Object.entries(value);
	if (entries.length === 0) return "{}";
	return `{\n${entries.map(([k, v]) => `${pad}${pyString(k)}: ${pyLiteral(v, depth + 1)},`).join("\n")}\n${close}}`;
}
