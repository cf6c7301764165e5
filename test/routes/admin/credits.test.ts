import { describe, expect, it } from "vitest";
import { creditsLeft, errorOf, postJson, signUp, topUp } from "../../helpers";

describe("POST /admin/accounts/:id/credits", () => {
	it("adds purchased credits on top of the allowance", async () => {
		const { accountId, key } = await signUp();
		const res = await topUp(accountId, 25);
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ data: { account_id: accountId, credits_left: 75, purchased_credits: 25 } });
		expect(await creditsLeft(key)).toBe(75);
	});

	it("401 without the admin token or with a wrong one, including an account's API key", async () => {
		const { accountId, key } = await signUp();
		for (const headers of [{}, { Authorization: "Bearer wrong" }, { Authorization: `Bearer ${key}` }, { "X-API-Key": key }]) {
			const res = await postJson(`/admin/accounts/${accountId}/credits`, { amount: 10 }, headers as Record<string, string>);
			expect(res.status).toBe(401);
			expect((await errorOf(res)).code).toBe("UNAUTHORIZED");
		}
		expect(await creditsLeft(key)).toBe(50);
	});

	it("404 for an unknown account, 400 for an amount that is not a positive integer", async () => {
		expect((await topUp("acc_doesnotexist0000", 5)).status).toBe(404);
		const { accountId, key } = await signUp();
		for (const amount of [0, -5, 1.5, "10", 10_000_001]) {
			const res = await topUp(accountId, amount as number);
			expect(res.status, String(amount)).toBe(400);
		}
		expect(await creditsLeft(key)).toBe(50);
	});
});
