import { expect } from "vitest";
import { call, expectStatus, postJson } from "./helpers";

export interface TaskBody {
	task_id: string;
	status: string;
	url?: string;
	pages?: number;
	error?: { code: string; message: string };
	metadata?: Record<string, unknown>;
	blocked_resources?: string[];
	failed_resources?: Array<{ url: string; reason: string }>;
	created_at: string;
	completed_at?: string;
	response_time_ms?: number;
	webhook?: { url: string; attempts: Array<{ at: string; status?: number; error?: string }> };
}

export async function submitAsync(key: string, body: Record<string, unknown>): Promise<{ task_id: string; status: string; check_status_url: string }> {
	const res = await postJson("/v1/generate", { async_mode: true, ...body }, { "X-API-Key": key });
	await expectStatus(res, 202);
	return res.json();
}

export async function getTask(key: string, taskId: string): Promise<TaskBody> {
	const res = await call(`/v1/tasks/${taskId}`, { headers: { "X-API-Key": key } });
	expect(res.status).toBe(200);
	return res.json();
}

/** Polls the task, as a client of DokJet's async mode does, until it is finished. */
export async function waitForTask(key: string, taskId: string, until: (t: TaskBody) => boolean = (t) => t.status === "completed" || t.status === "failed"): Promise<TaskBody> {
	const deadline = Date.now() + 45_000;
	for (;;) {
		const task = await getTask(key, taskId);
		if (until(task)) return task;
		if (Date.now() > deadline) throw new Error(`task ${taskId} still ${task.status}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}
