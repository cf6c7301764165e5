/** What a plan gives an account. */
export interface Plan {
	/** Credits in each calendar month (UTC); one document costs one. */
	monthly_allowance: number;
	/** Requests a minute per account, over all its keys and routes (a fixed window aligned to the minute). */
	requests_per_minute: number;
	/** Synchronous renders (POST /v1/generate without `async_mode`) an account may have in flight at once. */
	concurrency: number;
	/**
	 * Pages of one renderer (of its 4) the account's documents, sync and async, may hold at once;
	 * the rest wait behind the account's own. So one account's hostile or huge documents leave the
	 * other pages to everyone else.
	 */
	render_slots: number;
}

/** The plans, by name. An account starts on `free`; `PUT /admin/accounts/{id}/plan` moves it. */
export const PLANS = {
	free: { monthly_allowance: 50, requests_per_minute: 60, concurrency: 3, render_slots: 1 },
	pro: { monthly_allowance: 1_000, requests_per_minute: 300, concurrency: 10, render_slots: 2 },
	business: { monthly_allowance: 10_000, requests_per_minute: 1_200, concurrency: 30, render_slots: 3 },
} as const satisfies Record<string, Plan>;

export type PlanName = keyof typeof PLANS;

export const PLAN_NAMES = Object.keys(PLANS) as [PlanName, ...PlanName[]];

/** Sign-ups (POST /v1/accounts) a client IP may make per hour. */
export const SIGNUPS_PER_IP_PER_HOUR = 5;

export function isPlanName(name: string): name is PlanName {
	return Object.hasOwn(PLANS, name);
}

/**
 * The plan `name` (an unknown name counts as `free`), with the limits of the `PLAN_LIMITS` var
 * laid over it: JSON like `{"free":{"requests_per_minute":100000}}`, for the test suite and load
 * tests, which make far more requests than a customer. Unset in production.
 */
export function planLimits(name: string, env: { PLAN_LIMITS?: string }): Plan & { name: PlanName } {
	const plan: PlanName = isPlanName(name) ? name : "free";
	let overrides: Partial<Plan> = {};
	if (env.PLAN_LIMITS) {
		try {
			overrides = (JSON.parse(env.PLAN_LIMITS) as Record<string, Partial<Plan>>)[plan] ?? {};
		} catch {
			// A malformed override must not take the API down: the plan's own limits apply.
		}
	}
	return { name: plan, ...PLANS[plan], ...overrides };
}
