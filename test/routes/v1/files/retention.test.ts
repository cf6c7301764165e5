import { describe, expect, it } from "vitest";
import { call, creditsLeft, errorOf, expectStatus, postJson, readPdf, signUp } from "../../../helpers";
import { submitAsync, waitForTask } from "../../../helpers-async";
import { generateUrl, hoursUntil, listFiles, patchAccount } from "./helpers";

describe("expires_in_hours", () => {
	it("sets a sync URL's expires_at, and the stored file's, which is downloadable", async () => {
		const { key } = await signUp();
		const made = await generateUrl(key, { html: "<p>kept a week</p>", expires_in_hours: 168, filename: "week.pdf" });
		expect(hoursUntil(made.expires_at)).toBe(168);
		const file = await call(new URL(made.url).pathname);
		expect(file.status).toBe(200);
		expect((await readPdf(await file.arrayBuffer())).text).toContain("kept a week");

		const { data } = await listFiles(key);
		expect(data).toEqual([
			{ id: expect.stringMatching(/^file_[0-9A-Za-z]{16}$/), url: made.url, filename: "week.pdf", pages: 1, bytes: expect.any(Number), mode: "live", created_at: expect.any(String), expires_at: made.expires_at, request_id: made.requestId, task_id: null, template_id: null },
		]);
		expect(data[0]!.bytes).toBeGreaterThan(500);
	});

	it("sets an async task's expires_at, and its file records the task", async () => {
		const { key } = await signUp();
		const { task_id } = await submitAsync(key, { html: "<p>async kept</p>", expires_in_hours: 3 });
		const task = (await waitForTask(key, task_id)) as Awaited<ReturnType<typeof waitForTask>> & { expires_at: string };
		expect(task.status).toBe("completed");
		expect(hoursUntil(task.expires_at)).toBe(3);
		const { data } = await listFiles(key);
		expect(data).toMatchObject([{ url: task.url, expires_at: task.expires_at, task_id, request_id: null, pages: 1 }]);
	});

	it("without it: PDF_RETENTION_HOURS (24)", async () => {
		const { key } = await signUp();
		expect(hoursUntil((await generateUrl(key, { html: "<p>default</p>" })).expires_at)).toBe(24);
	});

	it("past the server's maximum is a 400 naming the field and the maximum, and charges nothing (sync, async, dry run)", async () => {
		const { key } = await signUp();
		const before = await creditsLeft(key);
		for (const body of [{ return_type: "url" }, { async_mode: true }, { return_type: "url", dry_run: true }]) {
			const res = await postJson("/v1/generate", { html: "<p>too long</p>", expires_in_hours: 721, ...body }, { "X-API-Key": key });
			expect(res.status, JSON.stringify(body)).toBe(400);
			const error = await errorOf(res);
			expect(error.code).toBe("VALIDATION_ERROR");
			expect(error.message).toContain("720");
			expect(error.details).toEqual({ fields: [{ path: "expires_in_hours", message: expect.stringContaining("at most 720") }], maximum: 720 });
		}
		expect(await creditsLeft(key)).toBe(before);
		expect((await listFiles(key)).data).toEqual([]);
		expect(((await (await call("/v1/tasks", { headers: { "X-API-Key": key } })).json()) as { data: unknown[] }).data).toEqual([]);

		// The maximum itself is accepted, and charged: the refusal above was the limit's doing.
		expect(hoursUntil((await generateUrl(key, { html: "<p>a month</p>", expires_in_hours: 720 })).expires_at)).toBe(720);
		expect(await creditsLeft(key)).toBe(before - 1);
	});

	it("must be a whole number of hours from 1, and only where a PDF is hosted", async () => {
		const { key } = await signUp();
		const before = await creditsLeft(key);
		for (const [value, extra] of [[0, {}], [1.5, {}], ["24", {}], [24, { return_type: "binary" }], [24, { return_type: "base64" }]] as const) {
			const res = await postJson("/v1/generate", { html: "<p>x</p>", return_type: "url", ...extra, expires_in_hours: value }, { "X-API-Key": key });
			expect(res.status, `${value} ${JSON.stringify(extra)}`).toBe(400);
			expect(((await errorOf(res)).details as { fields: Array<{ path: string }> }).fields.map((f) => f.path)).toEqual(["expires_in_hours"]);
		}
		expect(await creditsLeft(key)).toBe(before);
	});
});

describe("the account's default retention", () => {
	it("is set, shown, applied to sync and async files, overridden by a request, and cleared with null", async () => {
		const { key } = await signUp();
		const shown = async () => ((await (await call("/v1/account", { headers: { "X-API-Key": key } })).json()) as { data: { expires_in_hours: number | null } }).data.expires_in_hours;
		expect(await shown()).toBeNull();

		const res = await patchAccount(key, { expires_in_hours: 48 });
		await expectStatus(res, 200);
		expect(((await res.json()) as { data: { expires_in_hours: number } }).data.expires_in_hours).toBe(48);
		expect(await shown()).toBe(48);

		expect(hoursUntil((await generateUrl(key, { html: "<p>account default</p>" })).expires_at)).toBe(48);
		const { task_id } = await submitAsync(key, { html: "<p>async account default</p>" });
		expect(hoursUntil(((await waitForTask(key, task_id)) as unknown as { expires_at: string }).expires_at)).toBe(48);
		expect(hoursUntil((await generateUrl(key, { html: "<p>request wins</p>", expires_in_hours: 2 })).expires_at)).toBe(2);

		// Other settings left out leave it unchanged; null clears it.
		await expectStatus(await patchAccount(key, { javascript: true }), 200);
		expect(await shown()).toBe(48);
		await expectStatus(await patchAccount(key, { expires_in_hours: null }), 200);
		expect(await shown()).toBeNull();
		expect(hoursUntil((await generateUrl(key, { html: "<p>server default again</p>" })).expires_at)).toBe(24);
	});

	it("refuses past the maximum, or not a whole number from 1, naming the field; and needs a live key", async () => {
		const { key } = await signUp();
		for (const value of [721, 0, 2.5, "48"]) {
			const res = await patchAccount(key, { expires_in_hours: value });
			expect(res.status, String(value)).toBe(400);
			expect(((await errorOf(res)).details as { fields: Array<{ path: string }> }).fields.map((f) => f.path)).toEqual(["expires_in_hours"]);
		}
		const created = await postJson("/v1/keys", { name: "Sandbox", mode: "test" }, { "X-API-Key": key });
		const testKey = ((await created.json()) as { data: { key: string } }).data.key;
		expect((await patchAccount(testKey, { expires_in_hours: 48 })).status).toBe(403);
		// Positive control: the same value with a live key.
		await expectStatus(await patchAccount(key, { expires_in_hours: 720 }), 200);
	});
});
