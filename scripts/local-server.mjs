// `npm start`'s server on a free port, for the scripts (bench, gallery, screenshots) and the
// Node-side tests: scripts/start.mjs (migrations, then `wrangler dev` with every binding local)
// as a child process, with its own empty state directory so runs don't see each other's accounts.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "./prepare.mjs";

/** A TCP port nobody listens on right now. */
export function freePort() {
	return new Promise((done) => {
		const server = createServer().listen(0, "127.0.0.1", () => {
			const { port } = server.address();
			server.close(() => done(port));
		});
	});
}

/**
 * Starts the server and resolves once it answers. The repository must be prepared already
 * (`scripts/prepare.mjs`). `args` go to `wrangler dev` (e.g. `["--var", "FLEET_IDLE_SECONDS:20"]`).
 * `stop()` ends it and deletes its state.
 */
export async function startLocalServer(args = []) {
	const port = await freePort();
	const state = mkdtempSync(join(tmpdir(), "quire-state-"));
	const child = spawn(process.execPath, [join(root, "scripts", "start.mjs"), "--persist-to", state, ...args], {
		cwd: root,
		detached: true,
		env: { ...process.env, PORT: String(port) },
	});
	let output = "";
	child.stdout.on("data", (chunk) => (output += chunk));
	child.stderr.on("data", (chunk) => (output += chunk));
	const exited = new Promise((_, fail) => child.on("exit", (code) => fail(new Error(`the server exited (${code}):\n${output}`))));
	exited.catch(() => {}); // stop() ends it on purpose
	// A script that crashes must not leave a server behind.
	const kill = () => {
		try {
			process.kill(-child.pid, "SIGTERM");
		} catch {}
	};
	process.once("exit", kill);
	const ready = new Promise((done) => {
		const check = () => (output.includes("Quire is running at") ? done() : setTimeout(check, 100));
		check();
	});
	await Promise.race([ready, exited]);
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			const gone = new Promise((done) => child.once("exit", done));
			kill();
			await gone;
		}
		process.off("exit", kill);
		rmSync(state, { recursive: true, force: true });
	};
	return { base: `http://localhost:${port}`, output: () => output, stop };
}
