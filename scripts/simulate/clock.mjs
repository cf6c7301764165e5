// A virtual clock for a discrete-event simulation: time moves only when the next timer is due, so
// minutes of traffic at thousands of documents a second run in seconds of real time.
//
// Every timer lives in a binary heap ordered by (due time, order of creation). `run()` takes the
// earliest timer, moves the clock to it, calls it, and then lets every promise continuation that
// call started settle before the next timer fires (a macrotask turn: `setImmediate`), so async code
// written for real time (`await sleep(ms)`, `await port.render(...)`) runs unchanged on this clock.

/** One pending timer: when it is due, the order it was set in (for ties), and what it calls. */
class Timer {
	constructor(at, seq, fn) {
		this.at = at;
		this.seq = seq;
		this.fn = fn;
		this.cancelled = false;
	}
}

const before = (a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** A binary min-heap of timers (a few hundred thousand pending at once at 10,000 documents a second). */
class TimerHeap {
	items = [];
	get size() {
		return this.items.length;
	}
	push(timer) {
		const a = this.items;
		a.push(timer);
		let i = a.length - 1;
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (!before(a[i], a[parent])) break;
			[a[i], a[parent]] = [a[parent], a[i]];
			i = parent;
		}
	}
	pop() {
		const a = this.items;
		const top = a[0];
		const last = a.pop();
		if (a.length > 0) {
			a[0] = last;
			let i = 0;
			for (;;) {
				const l = 2 * i + 1;
				const r = l + 1;
				let m = i;
				if (l < a.length && before(a[l], a[m])) m = l;
				if (r < a.length && before(a[r], a[m])) m = r;
				if (m === i) break;
				[a[i], a[m]] = [a[m], a[i]];
				i = m;
			}
		}
		return top;
	}
	peek() {
		return this.items[0];
	}
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** The simulation's clock: `now()` in virtual milliseconds from 0, timers, and `sleep`. */
export class VirtualClock {
	#now = 0;
	#seq = 0;
	#heap = new TimerHeap();
	/** Errors thrown by timer callbacks: a simulation with one is wrong, so `run` rethrows the first. */
	#failure = null;

	now = () => this.#now;

	/** Like `setTimeout`: calls `fn` once `ms` of virtual time have passed; returns a handle for `clearTimeout`. */
	setTimeout = (fn, ms = 0) => {
		const timer = new Timer(this.#now + Math.max(0, ms), this.#seq++, fn);
		this.#heap.push(timer);
		return timer;
	};

	clearTimeout = (timer) => {
		if (timer) timer.cancelled = true;
	};

	/** Resolves once the virtual clock has moved `ms` on. */
	sleep = (ms) => new Promise((resolve) => this.setTimeout(resolve, ms));

	/**
	 * Fires timers in time order until none is due at or before `until` (or none is left), moving
	 * the clock to each. Continuations settle between timers. Ends with the clock at `until`.
	 */
	async run(until = Infinity) {
		while (this.#heap.size > 0 && this.#heap.peek().at <= until) {
			const due = this.#heap.peek().at;
			this.#now = due;
			// Every timer due at this instant, then their continuations, then the next instant.
			while (this.#heap.size > 0 && this.#heap.peek().at === due) {
				const timer = this.#heap.pop();
				if (timer.cancelled) continue;
				try {
					timer.fn();
				} catch (error) {
					this.#failure ??= error;
				}
			}
			await settle();
			if (this.#failure) throw this.#failure;
		}
		if (until !== Infinity) this.#now = Math.max(this.#now, until);
	}
}
