import { describe, expect, it } from "vitest";

/** Every module's source, by its path relative to this file (Vite reads them at build time). */
const sources = import.meta.glob<string>("../src/**/*.{ts,tsx}", { query: "?raw", import: "default", eager: true });

/** The modules `path` imports (relative imports only; `import type` included: it is still a cycle to a reader). */
function importsOf(path: string): string[] {
	const dir = path.slice(0, path.lastIndexOf("/"));
	const found: string[] = [];
	for (const [, spec] of sources[path]!.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"/g)) {
		const parts = `${dir}/${spec}`.split("/");
		const resolved: string[] = [];
		for (const part of parts) {
			if (part === ".." && resolved.length > 0 && resolved.at(-1) !== "..") resolved.pop();
			else if (part !== ".") resolved.push(part);
		}
		const base = resolved.join("/").replace(/\.(js|ts|tsx)$/, "");
		const target = [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((p) => p in sources);
		if (target) found.push(target);
	}
	return found;
}

/** The import cycles among `src/`, each as the chain of modules that closes it. */
function cycles(): string[][] {
	const found: string[][] = [];
	const state = new Map<string, "open" | "done">();
	const stack: string[] = [];
	const visit = (path: string) => {
		state.set(path, "open");
		stack.push(path);
		for (const next of importsOf(path)) {
			if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
			else if (!state.has(next)) visit(next);
		}
		stack.pop();
		state.set(path, "done");
	};
	for (const path of Object.keys(sources)) if (!state.has(path)) visit(path);
	return found;
}

describe("imports", () => {
	it("reads the sources and follows their imports (positive control)", () => {
		expect(Object.keys(sources).length).toBeGreaterThan(20);
		expect(importsOf("../src/http/rate-limit.ts")).toContain("../src/http/errors.ts");
	});

	it("has no cycle among src/'s modules", () => {
		expect(cycles()).toEqual([]);
	});
});
