// The fleet's own code, loaded from its TypeScript source: the simulation drives the same
// dispatch, page slots and placement the Worker runs, not a copy. esbuild bundles them in memory
// (no file written, nothing to go stale) and Node imports the bundle from a data: URL.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The modules of src/rendering/fleet that the simulation uses. */
const MODULES = ["regions", "config", "slots", "placement", "dispatch"];

/**
 * @returns {Promise<{ REGIONS: readonly string[], regionFor: Function, DEFAULT_FLEET: object, Slots: any, Placement: any, rendererName: Function, parseRendererName: Function, Directory: any, dispatch: Function }>}
 */
export async function loadFleetCore() {
	const result = await build({
		stdin: { contents: MODULES.map((m) => `export * from "./src/rendering/fleet/${m}.ts";`).join("\n"), resolveDir: root, loader: "ts" },
		bundle: true,
		format: "esm",
		platform: "neutral",
		write: false,
		logLevel: "silent",
	});
	const code = result.outputFiles[0].text;
	return import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
}
