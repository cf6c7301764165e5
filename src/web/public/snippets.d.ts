// Types of snippets.js (a browser module the dashboard loads as is), for the Node tests that run its code.
export const KEY_VARIABLE: string;
export const LANGUAGES: { curl: string; javascript: string; python: string; php: string; go: string };
export function snippets(origin: string, body: Record<string, unknown>): { curl: string; javascript: string; python: string; php: string; go: string };
