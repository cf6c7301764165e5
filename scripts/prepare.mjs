#!/usr/bin/env node
// Prepares a fresh clone for `npm start` and `npm test`: npm packages (including Node 22 from
// the `node` package), .dev.vars, the vendored browser bundles the web pages serve, and a
// Chromium for miniflare's local Browser Rendering with the fonts production has.
// Runs on whatever Node the machine has (it may be older than 22), so it uses nothing but Node's
// standard library.
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const log = (message) => console.log(`[quire] ${message}`);

/** `--verbose` (or QUIRE_VERBOSE=1): every tool's own output, as it prints it. */
export const verbose = process.argv.includes("--verbose") || process.env.QUIRE_VERBOSE === "1";

/**
 * Runs one step of the preparation: one progress line, the tool's output only if it fails (or with
 * `--verbose`), since npm and apt print hundreds of lines a person has no use for when they work.
 */
export function step(message, cmd, args, opts = {}) {
	log(`${message}…`);
	const started = Date.now();
	const result = spawnSync(cmd, args, { cwd: root, stdio: verbose ? "inherit" : ["ignore", "pipe", "pipe"], encoding: "utf8", maxBuffer: 256 * 1024 * 1024, ...opts });
	if (result.status !== 0) {
		if (!verbose) process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
		throw new Error(`${[cmd, ...args].join(" ")} failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`);
	}
	return { output: `${result.stdout ?? ""}${result.stderr ?? ""}`, seconds: Math.round((Date.now() - started) / 1000) };
}

/** Installs npm packages when node_modules is missing or older than package.json / the lockfile. */
function ensureNpmPackages() {
	const marker = join(root, "node_modules", ".package-lock.json");
	const newest = Math.max(...["package.json", "package-lock.json"].filter((f) => existsSync(join(root, f))).map((f) => statSync(join(root, f)).mtimeMs));
	if (existsSync(marker) && statSync(marker).mtimeMs >= newest && existsSync(join(root, "node_modules", ".bin", "wrangler"))) return;
	const first = !existsSync(join(root, "node_modules"));
	// `npm install` rather than `npm ci`: ci refuses lockfiles that lack other platforms' optional
	// packages (workerd's), which npm itself sometimes writes.
	const { seconds } = step(first ? "installing npm packages (first run: a few minutes)" : "package.json changed: updating npm packages", "npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"]);
	log(`npm packages ready (${seconds} s)`);
}

/** Node 22 comes from the `node` devDependency, which npm scripts put first on PATH. */
function checkNode() {
	const node = join(root, "node_modules", ".bin", "node");
	const version = existsSync(node) ? execFileSync(node, ["--version"], { encoding: "utf8" }).trim() : "none";
	const [major, minor] = version.replace(/^v/, "").split(".").map(Number);
	if (!(major > 22 || (major === 22 && minor >= 12))) throw new Error(`Node >= 22.12 is needed and node_modules/.bin/node is ${version}: run npm install`);
}

/** `.dev.vars` holds local secrets: ADMIN_TOKEN for the admin endpoints, WEBHOOK_SECRET_KEY that webhook secrets derive from. */
function ensureDevVars() {
	const file = join(root, ".dev.vars");
	const current = existsSync(file) ? readFileSync(file, "utf8") : "";
	for (const name of ["ADMIN_TOKEN", "WEBHOOK_SECRET_KEY"]) {
		if (new RegExp(`^${name}=`, "m").test(current)) continue;
		const separator = current && !current.endsWith("\n") ? "\n" : "";
		writeFileSync(file, `${separator}${name}="${randomBytes(24).toString("hex")}"\n`, { flag: "a", mode: 0o600 });
		log(`added a random ${name} to .dev.vars`);
	}
}

/**
 * Browser bundles the web pages load, copied from node_modules into the static assets
 * (src/web/public/vendor/, git-ignored) so the pages make no third-party request: `wrangler dev`
 * and `wrangler deploy` serve them from the Worker's own origin.
 */
export const VENDOR_ASSETS = [
	// GET /docs: Scalar's API reference, the single-file browser build (window.Scalar).
	{ from: "node_modules/@scalar/api-reference/dist/browser/standalone.js", to: "src/web/public/vendor/scalar/standalone.js" },
	// The dashboard's PDF previews: pdf.js draws a PDF's pages as images, in its worker.
	{ from: "node_modules/pdfjs-dist/build/pdf.min.mjs", to: "src/web/public/vendor/pdfjs/pdf.min.mjs" },
	{ from: "node_modules/pdfjs-dist/build/pdf.worker.min.mjs", to: "src/web/public/vendor/pdfjs/pdf.worker.min.mjs" },
	// The gallery's cards: each built-in template's thumbnail (templates/<id>.png, made by `npm run gallery`).
	...readdirSync(join(root, "templates"), { recursive: true })
		.filter((file) => String(file).endsWith(".png"))
		.map((file) => ({ from: join("templates", String(file)), to: join("src/web/public/vendor/thumbnails", String(file)) })),
];

/** Copies each vendored bundle whose copy is missing or differs from the installed package's. */
export function ensureVendorAssets() {
	for (const { from, to } of VENDOR_ASSETS) {
		const source = join(root, from);
		const target = join(root, to);
		if (!existsSync(source)) throw new Error(`${from} is missing: run npm install`);
		if (existsSync(target) && statSync(target).size === statSync(source).size && statSync(target).mtimeMs >= statSync(source).mtimeMs) continue;
		mkdirSync(dirname(target), { recursive: true });
		copyFileSync(source, target);
		log(`copied ${from} to ${to}`);
	}
}

/** The template editor's bundle: its entry, what it is built from besides its folder, and where it goes. */
const EDITOR = { entry: "src/web/editor/index.js", inputs: ["src/web/editor", "src/templates/data-schema.ts", "package-lock.json"], out: "src/web/public/vendor/editor.js" };

/** The newest modification time of a file, or of the files in a folder. */
function newest(path) {
	const full = join(root, path);
	if (!statSync(full).isDirectory()) return statSync(full).mtimeMs;
	return Math.max(0, ...readdirSync(full).map((name) => newest(join(path, name))));
}

/**
 * Bundles the template editor (CodeMirror 6, the diff, the server's JSON Schema checks) into one
 * minified ES module with esbuild, when its output is missing or older than its sources.
 */
export function ensureEditorBundle() {
	const out = join(root, EDITOR.out);
	if (existsSync(out) && statSync(out).mtimeMs >= Math.max(...EDITOR.inputs.map(newest))) return;
	// esbuild's CommonJS build: prepare() stays synchronous for its callers.
	const esbuild = createRequire(import.meta.url)(join(root, "node_modules", "esbuild"));
	esbuild.buildSync({ entryPoints: [join(root, EDITOR.entry)], outfile: out, bundle: true, format: "esm", minify: true, target: "es2022", legalComments: "linked", logLevel: "error" });
	log(`bundled the template editor into ${EDITOR.out}`);
}

/** Every Chrome version the installed miniflare copies expect (wrangler's and the vitest plugin's may differ). */
function miniflareBrowserVersions() {
	const versions = new Set();
	const visit = (dir, depth) => {
		if (depth > 4 || !existsSync(dir)) return;
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			if (!entry.isDirectory()) continue;
			const path = join(dir, entry.name);
			if (entry.name === "miniflare") {
				const index = join(path, "dist", "src", "index.js");
				const match = existsSync(index) && /BROWSER_VERSION = "([\d.]+)"/.exec(readFileSync(index, "utf8"));
				if (match) versions.add(match[1]);
			} else if (entry.name === "node_modules" || entry.name.startsWith("@") || depth > 0) {
				visit(path, depth + 1);
			}
		}
	};
	visit(join(root, "node_modules"), 0);
	return [...versions];
}

/** Installing system packages is left to the developer except as root on Debian/Ubuntu (a container, CI). */
const canApt = () => process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");

/**
 * `apt-get install` with its output kept back (one line per package otherwise) and shown only
 * when it fails. The package lists are refreshed first: a fresh container has none.
 */
function aptInstall(packages, what) {
	const quiet = { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } };
	step("updating Debian's package lists", "apt-get", ["update", "-qq"], quiet);
	return step(`installing ${what}`, "apt-get", ["install", "-y", "-qq", ...packages], quiet);
}

/**
 * Fonts local rendering needs to draw what production's Browser Rendering draws (docs/fonts.md):
 * Debian's package, and a family it installs that fontconfig can find once it is there.
 */
export const FONT_PACKAGES = [
	{ name: "fonts-noto-cjk", family: "Noto Sans CJK JP" },
	{ name: "fonts-noto-color-emoji", family: "Noto Color Emoji" },
	// Devanagari, Thai, Arabic, Hebrew and most other scripts.
	{ name: "fonts-noto-core", family: "Noto Sans Devanagari" },
];

/**
 * Programs the tests and `npm run gallery` run on PDFs: pdftoppm draws pages as PNG, zbarimg
 * reads the barcodes back.
 */
export const TOOL_PACKAGES = [
	{ name: "poppler-utils", command: "pdftoppm" },
	{ name: "zbar-tools", command: "zbarimg" },
];

/** Whether fontconfig (what Chromium asks for fonts on Linux) has a font of `family`. */
function hasFontFamily(family) {
	try {
		execFileSync("fc-list", ["-q", family], { stdio: "ignore" });
		return true;
	} catch {
		return false;
	}
}

const hasCommand = (command) => (process.env.PATH ?? "").split(":").some((dir) => dir && existsSync(join(dir, command)));

/**
 * Without the fonts Chromium draws Chinese, Japanese, Korean, Hindi, Thai and emoji as empty
 * boxes, where production draws them. Installs the missing fonts and tools in one go as root on
 * Debian/Ubuntu, and says which to install otherwise; says nothing when all are there.
 */
export function ensureSystemPackages() {
	if (process.platform !== "linux") return;
	const missing = [...FONT_PACKAGES.filter((font) => !hasFontFamily(font.family)), ...TOOL_PACKAGES.filter((tool) => !hasCommand(tool.command))].map((p) => p.name);
	if (missing.length === 0) return;
	if (!canApt()) {
		log(`missing: ${missing.join(" ")} (Debian/Ubuntu packages; without the fonts, CJK, emoji and other scripts print as boxes): install them, or your system's equivalents`);
		return;
	}
	aptInstall(missing, `fonts for every script and PDF tools (${missing.join(", ")})`);
}

function findSystemChromium() {
	return ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => existsSync(p));
}

/**
 * The launcher put where miniflare looks for its Chrome: the system Chromium, without its sandbox
 * when run as root, and with network prediction off in the profile miniflare gives it
 * (`net.network_prediction_options` 2, "never"): no preconnect, DNS prefetch, prefetch or
 * prerender, which open connections before (and without) any request the outbound guard could
 * refuse, so a page could otherwise knock on local ports. It also turns off Chromium's spare
 * renderer process (`SpareRendererForSitePerProcess`, added to miniflare's `--disable-features`):
 * a desktop browser keeps one process warm for the browser context that navigated last, and the
 * Renderer's lanes are four contexts taking turns, so most documents started a spare process and
 * threw it away (docs/performance.md, session 9).
 */
export function chromeLauncher(chromium) {
	return `#!/bin/sh
spare=SpareRendererForSitePerProcess
merged=
for arg; do
	shift
	case "$arg" in
	--user-data-dir=*)
		profile="\${arg#--user-data-dir=}/Default"
		mkdir -p "$profile"
		[ -f "$profile/Preferences" ] || printf '%s' '{"net":{"network_prediction_options":2}}' > "$profile/Preferences" ;;
	--disable-features=*) arg="$arg,$spare" merged=1 ;;
	esac
	set -- "$@" "$arg"
done
[ -n "$merged" ] || set -- "$@" "--disable-features=$spare"
[ "$(id -u)" = 0 ] && set -- --no-sandbox "$@"
exec ${chromium} "$@"
`;
}

/**
 * miniflare downloads a pinned Chrome for local Browser Rendering. Where a system Chromium exists
 * (or can be installed: root on Debian), put a launcher at the path miniflare looks in instead,
 * so no download is needed.
 */
function ensureChromium() {
	if (process.platform !== "linux") return;
	const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), ".wrangler", "chrome");
	const paths = miniflareBrowserVersions().map((v) => join(cache, `linux-${v}`, "chrome-linux64", "chrome"));
	let chromium = findSystemChromium();
	const stale = (path) => !existsSync(path) || (chromium && readFileSync(path, "utf8") !== chromeLauncher(chromium));
	if (!paths.some(stale)) return;

	if (!chromium && canApt()) {
		const { seconds } = aptInstall(["chromium"], "Debian's chromium for local PDF rendering");
		log(`chromium installed (${seconds} s)`);
		chromium = findSystemChromium();
	}
	if (!chromium) {
		log("no system Chromium found: miniflare will try to download Chrome on the first render.");
		log("Without internet, install one first (Debian/Ubuntu: sudo apt-get install chromium) and run this again.");
		return;
	}
	for (const path of paths.filter(stale)) {
		mkdirSync(dirname(path), { recursive: true });
		writeFileSync(path, chromeLauncher(chromium));
		chmodSync(path, 0o755);
	}
	log(`local Browser Rendering will use ${chromium}`);
}

export function prepare() {
	ensureNpmPackages();
	checkNode();
	ensureDevVars();
	ensureVendorAssets();
	ensureEditorBundle();
	ensureChromium();
	ensureSystemPackages();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) prepare();
