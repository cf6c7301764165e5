// Types of prepare.mjs, for the TypeScript tests that call its steps.
export const root: string;

/** Debian's font packages local rendering needs, each with a family it installs. */
export const FONT_PACKAGES: ReadonlyArray<{ name: string; family: string }>;

/** Installs the missing fonts (root on Debian/Ubuntu) or says which to install; prints nothing when none is missing. */
export function ensureFonts(): void;

export function ensureVendorAssets(): void;

export function prepare(): void;
