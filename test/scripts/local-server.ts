import { resolve } from "node:path";

export { freePort, startLocalServer, type LocalServer } from "../../scripts/local-server.mjs";

export const root = resolve(import.meta.dirname, "../..");

/** Debian's Chromium, which the browser tests drive with playwright-core. */
export const CHROMIUM = "/usr/bin/chromium";
