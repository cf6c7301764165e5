import "vitest";

declare module "vitest" {
	export interface ProvidedContext {
		/** Base URL of the loopback webhook receiver started by test/webhook-receiver.ts. */
		webhookReceiver: string;
	}
}
