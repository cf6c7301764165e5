import { describe, expect, it } from "vitest";
import { creditsLeft, postJson, readPdf, signUp } from "../../helpers";

describe("POST /v1/generate under load", () => {
	it("60 concurrent requests on 50 credits: exactly 50 PDFs, 10 × 402, balance 0, no 5xx", async () => {
		const { key } = await signUp();
		const responses = await Promise.all(
			Array.from({ length: 60 }, (_, i) =>
				postJson("/v1/generate", { template_id: "invoices/invoice", data: { client: `Client ${i}`, total: `$${i}` } }, { "X-API-Key": key }),
			),
		);
		const statuses = responses.map((r) => r.status);
		expect(statuses.filter((s) => s >= 500)).toEqual([]);
		expect(statuses.filter((s) => s === 200)).toHaveLength(50);
		expect(statuses.filter((s) => s === 402)).toHaveLength(10);
		expect(await creditsLeft(key)).toBe(0);

		// Every success is a real PDF of its own request's data.
		const texts = await Promise.all(
			responses.map(async (r, i) => (r.status === 200 ? { i, text: (await readPdf(await r.arrayBuffer())).text } : (await r.body?.cancel(), null))),
		);
		for (const entry of texts) if (entry) expect(entry.text).toContain(`Client ${entry.i}`);
	});
});
