import { describe, expect, inject, it } from "vitest";
import { call, errorOf, postJson, signUp } from "../../helpers";

const server = inject("webhookReceiver");

async function patch(key: string, body: unknown) {
	return call("/v1/account", { method: "PATCH", headers: { "X-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

describe("GET and PATCH /v1/account", () => {
	it("shows the account and its settings, and changes block_remote_resources", async () => {
		const { key, accountId } = await signUp();
		const res = await call("/v1/account", { headers: { "X-API-Key": key } });
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ data: { id: accountId, email: expect.stringContaining("@example.com"), plan: "free", created_at: expect.any(String), block_remote_resources: false, javascript: true, expires_in_hours: null } });
		const changed = await patch(key, { block_remote_resources: true });
		expect(((await changed.json()) as { data: { block_remote_resources: boolean } }).data.block_remote_resources).toBe(true);
		for (const body of [{ block_remote_resources: "yes" }, { colour: "red" }]) expect((await patch(key, body)).status).toBe(400);
		expect((await errorOf(await patch("qk_live_nope", {}))).code).toBe("UNAUTHORIZED");
	});

	it("with block_remote_resources, rendered pages load nothing remote (sync and async), and say so", async () => {
		const { key } = await signUp();
		const id = crypto.randomUUID();
		const page = (tag: string) => `<p>self-contained</p><img src="${server}/canary/${id}?${tag}">`;

		// Off (the default): the page may load from this machine in the test environment.
		const allowed = await postJson("/v1/generate", { html: page("off") }, { "X-API-Key": key });
		expect(allowed.headers.get("X-Blocked-Resources")).toBeNull();
		expect(await (await fetch(`${server}/received/${id}`)).json()).toHaveLength(1);

		await patch(key, { block_remote_resources: true });
		const blocked = await postJson("/v1/generate", { html: page("on"), return_type: "base64" }, { "X-API-Key": key });
		expect(blocked.status).toBe(200);
		expect(blocked.headers.get("X-Blocked-Resources")).toBe("1");
		expect(((await blocked.json()) as { blocked_resources: string[] }).blocked_resources).toEqual([`${server}/canary/${id}?on`]);

		const queued = (await (await postJson("/v1/generate", { html: page("async"), async_mode: true }, { "X-API-Key": key })).json()) as { task_id: string };
		let task: { status: string; blocked_resources?: string[] } = { status: "queued" };
		for (let i = 0; i < 100 && task.status !== "completed" && task.status !== "failed"; i++) {
			await new Promise((r) => setTimeout(r, 100));
			task = await (await call(`/v1/tasks/${queued.task_id}`, { headers: { "X-API-Key": key } })).json();
		}
		expect(task).toMatchObject({ status: "completed", blocked_resources: [`${server}/canary/${id}?async`] });
		await new Promise((r) => setTimeout(r, 300));
		expect(await (await fetch(`${server}/received/${id}`)).json()).toHaveLength(1); // still only the first, unblocked one
	});
});
