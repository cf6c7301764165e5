/** How busy a renderer is: pages rendering, documents waiting for one, and pages it has. */
export interface Load {
	active: number;
	queued: number;
	capacity: number;
}

/** Timers, injectable so that the simulation (`npm run simulate`) drives this with its own clock. */
export interface Timers {
	setTimeout(callback: () => void, ms: number): unknown;
	clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
	setTimeout: (callback, ms) => setTimeout(callback, ms),
	clearTimeout: (handle) => clearTimeout(handle as number),
};

interface Waiter {
	account: string;
	share: number;
	start: (started: boolean) => void;
	timer: unknown;
}

/**
 * One renderer's page slots. A document starts at once when a page is free and its account holds
 * fewer than its share of this renderer's pages (the plan's `render_slots`); otherwise the
 * renderer is full *for it*. A document told to wait goes before any later one whose account is
 * under its share, so one account's documents never queue another's, and gives up when its wait
 * runs out.
 */
export class Slots {
	private active = 0;
	private readonly byAccount = new Map<string, number>();
	private readonly waiting: Waiter[] = [];

	constructor(
		readonly capacity: number,
		private readonly timers: Timers = realTimers,
	) {}

	/** Starts a document now if it may: a page is free and its account is under its share. */
	tryStart(account: string, share: number): boolean {
		if (!this.mayStart(account, share)) return false;
		this.start(account);
		return true;
	}

	/** Starts a document as soon as it may, within `maxWaitMs`: true once started, false if the wait ran out. */
	wait(account: string, share: number, maxWaitMs: number): Promise<boolean> {
		if (this.tryStart(account, share)) return Promise.resolve(true);
		if (maxWaitMs <= 0) return Promise.resolve(false);
		return new Promise<boolean>((start) => {
			const waiter: Waiter = { account, share, start, timer: undefined };
			waiter.timer = this.timers.setTimeout(() => {
				const index = this.waiting.indexOf(waiter);
				if (index === -1) return;
				this.waiting.splice(index, 1);
				start(false);
			}, maxWaitMs);
			this.waiting.push(waiter);
		});
	}

	/**
	 * Admits a document: starts it now if it may; else, while this renderer has room for one more
	 * (pages busy plus documents waiting below its pages), lets it wait up to `queueMs` for a page
	 * (its account at its share waits behind its own documents, as a full renderer's would not
	 * free); else waits up to `waitMs` (0: answers full at once, so the Worker goes elsewhere).
	 * True once started.
	 */
	admit(account: string, share: number, waitMs: number, queueMs: number): Promise<boolean> {
		if (this.tryStart(account, share)) return Promise.resolve(true);
		const { active, queued } = this.load();
		return this.wait(account, share, active + queued < this.capacity ? Math.max(waitMs, queueMs) : waitMs);
	}

	/** Frees a page, and hands it to the oldest waiting document whose account is under its share. */
	release(account: string): void {
		this.active--;
		const left = (this.byAccount.get(account) ?? 1) - 1;
		if (left > 0) this.byAccount.set(account, left);
		else this.byAccount.delete(account);
		const next = this.waiting.findIndex((waiter) => this.mayStart(waiter.account, waiter.share));
		if (next === -1) return;
		const [waiter] = this.waiting.splice(next, 1) as [Waiter];
		this.timers.clearTimeout(waiter.timer);
		this.start(waiter.account);
		waiter.start(true);
	}

	load(): Load {
		return { active: this.active, queued: this.waiting.length, capacity: this.capacity };
	}

	private mayStart(account: string, share: number): boolean {
		return this.active < this.capacity && (this.byAccount.get(account) ?? 0) < Math.max(1, share);
	}

	private start(account: string): void {
		this.active++;
		this.byAccount.set(account, (this.byAccount.get(account) ?? 0) + 1);
	}
}
