import "vitest";

declare module "vitest" {
	export interface ProvidedContext {
		/** Base URL of the loopback webhook receiver started by test/webhook-receiver.ts. */
		webhookReceiver: string;
		/** PostScript name of the font the receiver serves late at /slow/<ms>/font.ttf; null when this machine has none of its candidates. */
		slowFont: string | null;
		/** A raw TCP listener on loopback (`127.0.0.1:<port>`) that counts connections; `GET <webhookReceiver>/tcp-canary` answers `{"connections": n}`. */
		tcpCanaryPort: number;
		/** A loopback port nothing listens on (taken, then let go, at setup): a connection to it is refused. */
		refusedPort: number;
	}
}
