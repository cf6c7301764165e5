import { call, expectStatus, postJson } from "../../../helpers";

/** A stored file as GET /v1/files lists it. */
export interface FileBody {
	id: string;
	url: string;
	filename: string;
	template_id: string | null;
	pages: number;
	bytes: number;
	mode: "live" | "test";
	created_at: string;
	expires_at: string;
	request_id: string | null;
	task_id: string | null;
}

export interface FilePage {
	data: FileBody[];
	has_more: boolean;
	next_cursor: string | null;
}

export async function listFiles(key: string, query = ""): Promise<FilePage> {
	const res = await call(`/v1/files${query}`, { headers: { "X-API-Key": key } });
	await expectStatus(res, 200);
	return res.json();
}

export function deleteFile(key: string, id: string): Promise<Response> {
	return call(`/v1/files/${id}`, { method: "DELETE", headers: { "X-API-Key": key } });
}

/** A sync `return_type: "url"` generation of `html`: its answer and request id. */
export async function generateUrl(key: string, body: Record<string, unknown>): Promise<{ url: string; expires_at: string; requestId: string }> {
	const res = await postJson("/v1/generate", { return_type: "url", ...body }, { "X-API-Key": key });
	await expectStatus(res, 200);
	return { ...((await res.json()) as { url: string; expires_at: string }), requestId: res.headers.get("X-Request-Id")! };
}

export function patchAccount(key: string, body: unknown): Promise<Response> {
	return call("/v1/account", { method: "PATCH", headers: { "X-API-Key": key, "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

/** Hours from now until `iso`, to a tenth of an hour. */
export function hoursUntil(iso: string): number {
	return Math.round((Date.parse(iso) - Date.now()) / 360_000) / 10;
}
