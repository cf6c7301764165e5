import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import { createApp } from "../../../src/app";
import { BASE, creditsLeft, errorOf, postJson, signUp } from "../../helpers";
import { submitAsync, waitForTask } from "../../helpers-async";

/** test/webhook-receiver.ts answers `GET /<status>/<id>` with that status; nothing listens on `refusedPort`. */
const receiver = inject("webhookReceiver");
const UNRESOLVABLE = "https://nonexistent.invalid/x.png";
const REFUSED = `http://127.0.0.1:${inject("refusedPort")}/refused.png`;

/** A page with three images that can't load, and what each must be reported as. */
function brokenPage() {
	const missing = `${receiver}/404/${crypto.randomUUID()}.png`;
	const html = `<p>broken images</p><img src="${missing}"><img src="${UNRESOLVABLE}"><img src="${REFUSED}">`;
	const failed = [
		{ url: missing, reason: "HTTP 404" },
		{ url: UNRESOLVABLE, reason: "net::ERR_NAME_NOT_RESOLVED" },
		{ url: REFUSED, reason: "net::ERR_CONNECTION_REFUSED" },
	];
	return { html, failed };
}
const finePage = () => `<p>all there</p><img src="${receiver}/slow/0/image.png?${crypto.randomUUID()}">`;

type Answer = { failed_resources?: Array<{ url: string; reason: string }>; blocked_resources?: string[] };

describe("POST /v1/generate reports resources that failed to load", () => {
	it("binary: X-Failed-Resources counts them (replayed with an Idempotency-Key); a page whose resources all load has no header", async () => {
		const { key } = await signUp();
		const fine = await postJson("/v1/generate", { html: finePage() }, { "X-API-Key": key });
		expect(fine.status).toBe(200);
		expect(fine.headers.get("X-Failed-Resources")).toBeNull();

		const headers = { "X-API-Key": key, "Idempotency-Key": crypto.randomUUID() };
		const body = { html: brokenPage().html };
		const broken = await postJson("/v1/generate", body, headers);
		expect(broken.status).toBe(200);
		expect(broken.headers.get("Content-Type")).toBe("application/pdf");
		expect(broken.headers.get("X-Failed-Resources")).toBe("3");
		const replay = await postJson("/v1/generate", body, headers);
		expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
		expect(replay.headers.get("X-Failed-Resources")).toBe("3");
	});

	it("base64 and url: failed_resources lists each with why; absent when everything loaded", async () => {
		const { key } = await signUp();
		for (const return_type of ["base64", "url"]) {
			const { html, failed } = brokenPage();
			const res = await postJson("/v1/generate", { html, return_type }, { "X-API-Key": key });
			expect(res.status).toBe(200);
			expect(res.headers.get("X-Failed-Resources")).toBe("3");
			const answer = (await res.json()) as Answer;
			expect(answer.failed_resources).toEqual(expect.arrayContaining(failed));
			expect(answer.failed_resources).toHaveLength(3);
			expect(answer.blocked_resources).toBeUndefined();

			const fine = (await (await postJson("/v1/generate", { html: finePage(), return_type }, { "X-API-Key": key })).json()) as Answer & { credits_left: number };
			expect(fine.credits_left).toEqual(expect.any(Number));
			expect(fine).not.toHaveProperty("failed_resources");
		}
	});

	it("async: the completed task lists them", async () => {
		const { key } = await signUp();
		const { html, failed } = brokenPage();
		const task = (await waitForTask(key, (await submitAsync(key, { html })).task_id));
		expect(task.status).toBe("completed");
		expect(task.failed_resources).toEqual(expect.arrayContaining(failed));
		expect(task.failed_resources).toHaveLength(3);

		const fine = (await waitForTask(key, (await submitAsync(key, { html: finePage() })).task_id));
		expect(fine.status).toBe("completed");
		expect(fine).not.toHaveProperty("failed_resources");
	});

	it("fail_on_resource_error: true makes a failed resource a 422 RESOURCE_FAILED listing them, with nothing charged (sync and async)", async () => {
		const { key } = await signUp();
		const before = await creditsLeft(key);
		const { html, failed } = brokenPage();
		const res = await postJson("/v1/generate", { html, fail_on_resource_error: true }, { "X-API-Key": key });
		expect(res.status).toBe(422);
		const error = await errorOf(res);
		expect(error.code).toBe("RESOURCE_FAILED");
		expect(error.message).toContain("3 resources failed to load");
		expect(error.details!.failed_resources).toEqual(expect.arrayContaining(failed));
		expect(await creditsLeft(key)).toBe(before);

		const task = (await waitForTask(key, (await submitAsync(key, { html, fail_on_resource_error: true })).task_id));
		expect(task).toMatchObject({ status: "failed", error: { code: "RESOURCE_FAILED" } });
		expect(task.failed_resources).toEqual(expect.arrayContaining(failed));
		expect(await creditsLeft(key)).toBe(before);

		// Positive control: with every resource loaded, the flag changes nothing and the document is charged.
		const fine = await postJson("/v1/generate", { html: finePage(), fail_on_resource_error: true }, { "X-API-Key": key });
		expect(fine.status).toBe(200);
		expect(await creditsLeft(key)).toBe(before - 1);
	});

	it("a resource the outbound guard refused is in blocked_resources only, even with fail_on_resource_error", async () => {
		const { key } = await signUp();
		const canary = `${receiver}/canary/${crypto.randomUUID()}`;
		const render = async (html: string) => {
			const ctx = createExecutionContext();
			const body = JSON.stringify({ html, return_type: "base64", fail_on_resource_error: true });
			const request = new Request(`${BASE}/v1/generate`, { method: "POST", headers: { "X-API-Key": key, "Content-Type": "application/json" }, body });
			// As in production: loopback is a private address, refused by the guard.
			const res = await createApp().fetch(request, { ...env, ALLOW_LOOPBACK: "false" }, ctx);
			await waitOnExecutionContext(ctx);
			return res;
		};
		const blocked = await render(`<p>guarded</p><img src="${canary}">`);
		expect(blocked.status).toBe(200);
		expect(blocked.headers.get("X-Blocked-Resources")).toBe("1");
		expect(blocked.headers.get("X-Failed-Resources")).toBeNull();
		const answer = (await blocked.json()) as Answer;
		expect(answer.blocked_resources).toEqual([canary]);
		expect(answer).not.toHaveProperty("failed_resources");

		// Positive control: in the same setting, a resource that really failed does fail the document.
		const failing = await render(`<p>guarded</p><img src="${canary}"><img src="${UNRESOLVABLE}">`);
		expect(failing.status).toBe(422);
		expect((await errorOf(failing)).details).toEqual({ failed_resources: [{ url: UNRESOLVABLE, reason: "net::ERR_NAME_NOT_RESOLVED" }] });
	});
});
