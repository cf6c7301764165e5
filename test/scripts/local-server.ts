import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const root = resolve(import.meta.dirname, "../..");

/** Debian's Chromium, which the browser tests drive with playwright-core. */
export const CHROMIUM = "/usr/bin/chromium";

export function freePort(): Promise<number> {
	return new Promise((done) => {
		const server = createServer().listen(0, "127.0.0.1", () => {
			const { port } = server.address() as { port: number };
			server.close(() => done(port));
		});
	});
}

export interface LocalServer {
	base: string;
	/** Everything the server printed so far. */
	output(): string;
	stop(): Promise<void>;
}

/**
 * `npm start`'s server (scripts/start.mjs: migrations, then `wrangler dev` with every binding
 * local) on a free port, with its own empty state directory so tests don't see each other's
 * accounts. The repository is already prepared (`npm test` runs prepare first).
 */
export async function startLocalServer(): Promise<LocalServer> {
	const port = await freePort();
	const state = mkdtempSync(join(tmpdir(), "quire-state-"));
	const child = spawn(process.execPath, [join(root, "scripts", "start.mjs"), "--persist-to", state], {
		cwd: root,
		detached: true,
		env: { ...process.env, PORT: String(port) },
	});
	let output = "";
	child.stdout!.on("data", (chunk: Buffer) => (output += chunk));
	child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
	const exited = new Promise<never>((_, fail) => child.on("exit", (code) => fail(new Error(`the server exited (${code}):\n${output}`))));
	const ready = new Promise<void>((done) => {
		const check = () => (output.includes("Quire is running at") ? done() : setTimeout(check, 100));
		check();
	});
	await Promise.race([ready, exited]);
	exited.catch(() => {}); // stop() ends it on purpose
	return {
		base: `http://localhost:${port}`,
		output: () => output,
		async stop() {
			if (child.exitCode === null && child.pid) {
				const gone = new Promise((done) => child.once("exit", done));
				process.kill(-child.pid, "SIGTERM");
				await gone;
			}
			rmSync(state, { recursive: true, force: true });
		},
	};
}
