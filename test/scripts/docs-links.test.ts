import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ERROR_STATUS } from "../../src/http/errors";

/**
 * Every relative link, image and `#anchor` in README.md and docs/ must lead somewhere: the file
 * exists and, for an anchor into Markdown, a heading of the target gives that anchor by GitHub's
 * rules. Links with a scheme (`https:`, `mailto:`) are not followed.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** Where links are resolved: the repository on disk, or an in-memory sample. Paths are relative to the root. */
interface Files {
	exists(path: string): boolean;
	read(path: string): string;
}

interface Broken {
	file: string;
	line: number;
	target: string;
	why: string;
}

/** The Markdown's lines with fenced code blocks and inline code spans blanked, so their text is not read as links or headings. */
function proseLines(markdown: string): string[] {
	let fence: string | null = null;
	return markdown.split("\n").map((line) => {
		const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
		if (fence) {
			if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = null;
			return "";
		}
		if (marker) {
			fence = marker;
			return "";
		}
		return line.replace(/(`+)[^`]*?\1/g, (span) => " ".repeat(span.length));
	});
}

/** GitHub's anchor for a heading (github-slugger): lowercase, punctuation dropped but `-` and `_`, each space a `-`. */
function slug(heading: string): string {
	const text = heading
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // a link or image: its text
		.replace(/<[^>]+>/g, "")
		.replace(/[`*]/g, "");
	return text
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
		.replace(/ /g, "-");
}

/** The anchors a Markdown file defines: its headings' slugs (a repeated one gets `-1`, `-2`…) and `<a id|name>` tags. */
function anchorsOf(markdown: string): Set<string> {
	const anchors = new Set<string>();
	for (const line of proseLines(markdown)) {
		const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
		if (heading !== undefined) {
			const base = slug(heading);
			let anchor = base;
			for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
			anchors.add(anchor);
		}
		for (const tag of line.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) anchors.add(tag[1]!);
	}
	return anchors;
}

/** Each link and image target in the Markdown (inline `](target)` and reference definitions), with its line number. */
function targetsOf(markdown: string): Array<{ target: string; line: number }> {
	const targets: Array<{ target: string; line: number }> = [];
	proseLines(markdown).forEach((line, index) => {
		for (const m of line.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) targets.push({ target: m[1]!, line: index + 1 });
		const definition = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)/.exec(line)?.[1];
		if (definition) targets.push({ target: definition, line: index + 1 });
	});
	return targets;
}

/** The links of `files` (paths relative to the root) that lead nowhere. */
function brokenLinks(files: string[], source: Files): Broken[] {
	const broken: Broken[] = [];
	for (const file of files) {
		for (const { target, line } of targetsOf(source.read(file))) {
			if (/^[a-z][a-z0-9+.-]*:|^\/\//i.test(target)) continue; // https:, mailto:…: not ours to check
			const hash = target.indexOf("#");
			const path = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
			const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
			const resolved = path === "" ? file : normalize(path.startsWith("/") ? path.slice(1) : join(dirname(file), path));
			const report = (why: string) => broken.push({ file, line, target, why });
			if (resolved.startsWith("..")) report("outside the repository");
			else if (!source.exists(resolved)) report(`${resolved} does not exist`);
			else if (anchor !== null) {
				if (!resolved.endsWith(".md")) report(`an anchor into ${resolved}, which is not Markdown`);
				else if (!anchorsOf(source.read(resolved)).has(anchor)) report(`${resolved} has no heading for #${anchor}`);
			}
		}
	}
	return broken;
}

const onDisk: Files = {
	exists: (path) => existsSync(join(ROOT, path)),
	read: (path) => readFileSync(join(ROOT, path), "utf8"),
};

/** README.md and every Markdown file under docs/. */
function documentation(): string[] {
	const docs = join(ROOT, "docs");
	const walk = (dir: string): string[] =>
		readdirSync(dir).flatMap((name) => {
			const path = join(dir, name);
			if (statSync(path).isDirectory()) return walk(path);
			return name.endsWith(".md") ? [relative(ROOT, path)] : [];
		});
	return ["README.md", ...(existsSync(docs) ? walk(docs) : [])];
}

describe("links in README.md and docs/", () => {
	it("all lead to a file that exists, and an anchor to a heading in it", () => {
		const files = documentation();
		expect(files).toContain("README.md");
		expect(brokenLinks(files, onDisk)).toEqual([]);
	});

	it("a broken link, anchor or image in a sample is reported (positive control)", () => {
		const sample: Record<string, string> = {
			"README.md": [
				"# Quire",
				"See [the guide](docs/guide.md#keys), [errors](docs/guide.md#errors), [usage](#usage), [a gone file](docs/gone.md).",
				"![shot](shots/missing.png) ![ok](shots/ok.png) [top](#quire) [ext](https://example.com/#nothing)",
				"```sh",
				"[not a link](nowhere.md)",
				"```",
				"`[inline code](nowhere.md)`",
			].join("\n"),
			"docs/guide.md": "# Guide\n\n## Keys\n\n## Keys\n\nBack to [the README](../README.md#quire), [twice](#keys-1), [thrice](#keys-2).\n",
			"shots/ok.png": "",
		};
		const source: Files = { exists: (path) => path in sample, read: (path) => sample[path]! };
		expect(brokenLinks(Object.keys(sample).filter((f) => f.endsWith(".md")), source).map(({ file, line, target }) => ({ file, line, target }))).toEqual([
			{ file: "README.md", line: 2, target: "docs/guide.md#errors" },
			{ file: "README.md", line: 2, target: "#usage" },
			{ file: "README.md", line: 2, target: "docs/gone.md" },
			{ file: "README.md", line: 3, target: "shots/missing.png" },
			{ file: "docs/guide.md", line: 7, target: "#keys-2" },
		]);
	});

	it("anchors follow GitHub's slugs", () => {
		expect(slug("Async mode: polling and webhooks")).toBe("async-mode-polling-and-webhooks");
		expect(slug("`Idempotency-Key` and retries")).toBe("idempotency-key-and-retries");
		expect(slug("Tests (what they cover) & why")).toBe("tests-what-they-cover--why");
		expect(slug("The [API guide](docs/api-guide.md)")).toBe("the-api-guide");
		expect(slug("snake_case stays")).toBe("snake_case-stays");
		expect([...anchorsOf("# A\n## A\n## A\n```\n# A\n```\n")]).toEqual(["a", "a-1", "a-2"]);
	});
});

/** The `CODE` status pairs a Markdown section lists, e.g. "`NOT_FOUND` 404". */
function listedCodes(section: string): Record<string, number> {
	return Object.fromEntries([...section.matchAll(/`([A-Z][A-Z_]+)` (\d{3})\b/g)].map((m) => [m[1]!, Number(m[2])]));
}

/** The text of a Markdown file from the heading `## <title>` to the next heading of that level or higher. */
function section(markdown: string, title: string): string {
	const start = markdown.indexOf(`\n## ${title}\n`);
	if (start === -1) return "";
	const end = markdown.slice(start + 1).search(/\n#{1,2} /);
	return end === -1 ? markdown.slice(start) : markdown.slice(start, start + 1 + end);
}

describe("the API guide's error list", () => {
	it("names every code of ERROR_STATUS with its status, and no other", () => {
		const errors = section(onDisk.read("docs/api-guide.md"), "Errors");
		expect(errors).toContain("/openapi.json");
		expect(listedCodes(errors)).toEqual(ERROR_STATUS);
	});

	it("a list that lacks a code or gives a wrong status is told apart (positive control)", () => {
		const sample = "# Guide\n\n## Errors\n\n- `NOT_FOUND` 404\n- `CONFLICT` 410\n\n## Next\n\n- `INTERNAL` 500\n";
		expect(listedCodes(section(sample, "Errors"))).toEqual({ NOT_FOUND: 404, CONFLICT: 410 });
		expect(listedCodes(section(sample, "Errors"))).not.toEqual(ERROR_STATUS);
	});
});
