// Types of local-server.mjs, for the TypeScript tests that start a server.
export function freePort(): Promise<number>;

export interface LocalServer {
	/** `http://localhost:<port>` */
	base: string;
	/** Everything the server printed so far. */
	output(): string;
	/** Ends the server and deletes its state. */
	stop(): Promise<void>;
}

/** `args` go to `wrangler dev`, e.g. `["--var", "FLEET_IDLE_SECONDS:20"]`. */
export function startLocalServer(args?: string[]): Promise<LocalServer>;
