import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { root, startLocalServer, type LocalServer } from "./local-server";

/**
 * The shipping label as a scanner sees it: printed by `npm start`'s server, drawn as a 300 dpi
 * PNG (pdftoppm) and read by zbar's Code 128 decoder. prepare installs both (Debian: poppler-utils,
 * zbar-tools; macOS: brew install poppler zbar).
 */
describe("the shipping label's barcode, scanned", () => {
	let server: LocalServer;
	let key: string;
	const work = mkdtempSync(join(tmpdir(), "quire-label-"));
	const sample = JSON.parse(readFileSync(join(root, "templates/shipping/label.sample.json"), "utf8")) as Record<string, unknown>;

	beforeAll(async () => {
		server = await startLocalServer();
		const res = await fetch(`${server.base}/v1/accounts`, { method: "POST", headers: { "Content-Type": "application/json" }, body: `{"email":"label@example.com"}` });
		key = ((await res.json()) as { data: { key: { key: string } } }).data.key.key;
	});
	afterAll(async () => {
		await server?.stop();
		rmSync(work, { recursive: true, force: true });
	});

	/** What zbarimg reads on the label printed with `data`: one line per barcode found. */
	async function scan(name: string, data: Record<string, unknown>): Promise<string[]> {
		const res = await fetch(`${server.base}/v1/generate`, {
			method: "POST",
			headers: { "Content-Type": "application/json", "X-API-Key": key },
			body: JSON.stringify({ template_id: "shipping/label", data }),
		});
		if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
		const pdf = join(work, `${name}.pdf`);
		writeFileSync(pdf, Buffer.from(await res.arrayBuffer()));
		execFileSync("pdftoppm", ["-r", "300", "-png", "-singlefile", pdf, join(work, name)], { stdio: "pipe" });
		try {
			return execFileSync("zbarimg", ["--quiet", "--raw", "-Sdisable", "-Scode128.enable", join(work, `${name}.png`)], { encoding: "utf8", stdio: "pipe" }).trim().split("\n");
		} catch (error) {
			// zbarimg exits with 4 when the image holds no barcode.
			if ((error as { status?: number }).status === 4) return [];
			throw error;
		}
	}

	it("reads back the tracking number, given as a plain string (spaces left out), and a barcode string given instead", async () => {
		const { barcode: _, ...data } = sample;
		expect(await scan("tracking", { ...data, tracking_number: "QX 7731 0042 58" })).toEqual(["QX7731004258"]);
		expect(await scan("explicit", { ...data, barcode: "ORD-10482/A" })).toEqual(["ORD-10482/A"]);
		// The scan can come up empty: a label without a barcode reads as nothing.
		expect(await scan("none", { ...data, barcode: "" })).toEqual([]);
	});
});
