// Types of prepare.mjs, for the TypeScript tests that call its steps.
export const root: string;

/** Debian's font packages local rendering needs, each with a family it installs. */
export const FONT_PACKAGES: ReadonlyArray<{ name: string; family: string }>;

/** Debian's packages of the programs tests run on PDFs, each with its command. */
export const TOOL_PACKAGES: ReadonlyArray<{ name: string; command: string }>;

/** Installs the missing fonts and tools (root on Debian/Ubuntu) or says which to install; prints nothing when none is missing. */
export function ensureSystemPackages(): void;

export function ensureVendorAssets(): void;

/** The shell script put where miniflare looks for its Chrome, running `chromium` with the project's settings. */
export function chromeLauncher(chromium: string): string;

export function prepare(): void;
