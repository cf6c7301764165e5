// Types of deploy.mjs, for test/scripts/deploy.test.ts.

/** The wrangler environment `--env staging` / `--env=staging` / `-e staging` names ("" : the top level). */
export function targetEnvironment(args: string[]): string;

/** Throws the clear message when `version` is older than package.json's `engines` (">=22.12"). */
export function checkNode(engines?: string, version?: string): void;

/** The whole deploy (`npm run deploy`). */
export function main(args?: string[]): Promise<void>;
