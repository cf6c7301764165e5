import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { publicOrigin } from "../../src/http/public-origin";
import { waitForTask } from "../helpers-async";
import { BASE, call, postJson, signUp } from "../helpers";

const PUBLIC = "https://pdf.example.com";

/** The real app with `PUBLIC_ORIGIN` set, every binding the real local one; the request names another host. */
async function sendConfigured(path: string, init: RequestInit): Promise<Response> {
	const ctx = createExecutionContext();
	const res = await createApp().fetch(new Request(`http://attacker.example${path}`, init), { ...env, PUBLIC_ORIGIN: PUBLIC } as Env, ctx);
	await waitOnExecutionContext(ctx);
	return res;
}

describe("publicOrigin", () => {
	it("is the configured origin when there is one, else the request's own", () => {
		expect(publicOrigin({ PUBLIC_ORIGIN: "" }, "http://localhost:8787/v1/generate")).toBe("http://localhost:8787");
		expect(publicOrigin({ PUBLIC_ORIGIN: PUBLIC }, "http://attacker.example/v1/generate")).toBe(PUBLIC);
		expect(publicOrigin({ PUBLIC_ORIGIN: "https://PDF.Example.com:443/" }, "http://x/")).toBe(PUBLIC);
		expect(publicOrigin({ PUBLIC_ORIGIN: "http://127.0.0.1:8787" }, "http://x/")).toBe("http://127.0.0.1:8787");
	});

	it("refuses a PUBLIC_ORIGIN that is not an http(s) origin", () => {
		for (const bad of ["pdf.example.com", "ftp://pdf.example.com", "https://pdf.example.com/api", "https://pdf.example.com/?x=1", "https://user:pw@pdf.example.com", "javascript:alert(1)"]) {
			expect(() => publicOrigin({ PUBLIC_ORIGIN: bad }, "http://x/"), bad).toThrow(/PUBLIC_ORIGIN/);
		}
	});
});

describe("the URLs Quire returns", () => {
	it("come from PUBLIC_ORIGIN when it is set, whatever Host the request names: url, check_status_url, the task's url, the home page", async () => {
		const { key } = await signUp();
		const headers = { "X-API-Key": key, "Content-Type": "application/json" };
		const url = await sendConfigured("/v1/generate", { method: "POST", headers, body: JSON.stringify({ html: "<p>x</p>", return_type: "url" }) });
		expect(url.status).toBe(200);
		expect(((await url.json()) as { url: string }).url).toMatch(new RegExp(`^${PUBLIC}/upload/acc_\\w+/\\w+\\.pdf$`));

		const queued = await sendConfigured("/v1/generate", { method: "POST", headers, body: JSON.stringify({ html: "<p>x</p>", async_mode: true }) });
		expect(queued.status).toBe(202);
		const { task_id, check_status_url } = (await queued.json()) as { task_id: string; check_status_url: string };
		expect(check_status_url).toBe(`${PUBLIC}/v1/tasks/${task_id}`);
		// The real queue's consumer writes the task's url.
		const task = await waitForTask(key, task_id);
		expect(task.status).toBe("completed");
		expect(task.url).toMatch(new RegExp(`^${PUBLIC}/upload/`));

		const home = await sendConfigured("/", {});
		expect(await home.text()).toContain(`curl -X POST ${PUBLIC}/v1/accounts`);
	});

	it("come from the request's own origin when PUBLIC_ORIGIN is empty (the local default)", async () => {
		expect(env.PUBLIC_ORIGIN).toBe("");
		const { key } = await signUp();
		const url = await postJson("/v1/generate", { html: "<p>x</p>", return_type: "url" }, { "X-API-Key": key });
		expect(((await url.json()) as { url: string }).url.startsWith(`${BASE}/upload/`)).toBe(true);
		const queued = await postJson("/v1/generate", { html: "<p>x</p>", async_mode: true }, { "X-API-Key": key });
		const { task_id, check_status_url } = (await queued.json()) as { task_id: string; check_status_url: string };
		expect(check_status_url).toBe(`${BASE}/v1/tasks/${task_id}`);
		expect((await waitForTask(key, task_id)).url?.startsWith(`${BASE}/upload/`)).toBe(true);
		expect(await (await call("/")).text()).toContain(`curl -X POST ${BASE}/v1/accounts`);
	});
});
