import { env } from "cloudflare:workers";
import { describe, expect, inject, it } from "vitest";
import type { OutboundPolicy } from "../../src/outbound/public-url";
import type { PageOptions } from "../../src/rendering/page-options";
import { renderOnFleet } from "../../src/rendering/render";

/**
 * test/webhook-receiver.ts answers `GET /<status>/<id>` with that status and `/slow/<ms>/image.png`
 * after <ms>; nothing listens on `refusedPort`.
 */
const receiver = inject("webhookReceiver");
const LOOPBACK: OutboundPolicy = { allowLoopback: true, blockRemote: false };
const REFUSED = `http://127.0.0.1:${inject("refusedPort")}/refused.png`;
const UNRESOLVABLE = "https://nonexistent.invalid/x.png";

async function render(html: string, { options = {}, policy = LOOPBACK, javascript = true }: { options?: PageOptions; policy?: OutboundPolicy; javascript?: boolean } = {}) {
	const { result } = await renderOnFleet(env, html, options, policy, { account: "resources-test", slots: 4, deadlineMs: 60_000, javascript }, { async: true });
	if (!result.ok) throw new Error(`${result.reason}: ${result.message}`);
	return { failed: result.failed, blocked: result.blocked, hasImage: /\/Subtype\s*\/Image/.test(new TextDecoder("latin1").decode(result.pdf)) };
}

describe("resources that fail to load", () => {
	it("each is reported with why: an HTTP error status, an unresolvable host, a refused connection", async () => {
		const id = crypto.randomUUID();
		const { failed } = await render(`<p>broken</p><img src="${receiver}/404/${id}.png"><img src="${UNRESOLVABLE}"><img src="${REFUSED}">
			<link rel="stylesheet" href="${receiver}/500/${id}.css">`);
		expect(failed).toEqual(
			expect.arrayContaining([
				{ url: `${receiver}/404/${id}.png`, reason: "HTTP 404" },
				{ url: `${receiver}/500/${id}.css`, reason: "HTTP 500" },
				{ url: UNRESOLVABLE, reason: "net::ERR_NAME_NOT_RESOLVED" },
				{ url: REFUSED, reason: "net::ERR_CONNECTION_REFUSED" },
			]),
		);
		expect(failed).toHaveLength(4);
	});

	it("an image still loading when wait_timeout_ms runs out is reported as timed out", async () => {
		const late = `${receiver}/slow/5000/image.png?${crypto.randomUUID()}`;
		const { failed, hasImage } = await render(`<p>late</p><img src="${late}" width="64" height="64">`, { options: { wait_timeout_ms: 400 } });
		expect(hasImage).toBe(false);
		expect(failed).toEqual([{ url: late, reason: "timed out after 400 ms" }]);
	});

	it("a request the page cancelled is not a failure (one still loading is: the timeout case above)", async () => {
		const id = crypto.randomUUID();
		const html = `<p>changed its mind</p><img id="picture" src="${receiver}/slow/5000/image.png?${id}" width="64" height="64">
			<script>setTimeout(() => (document.getElementById("picture").src = "${receiver}/slow/0/image.png?${id}"), 100)</script>`;
		const { failed, hasImage } = await render(html, { options: { wait_timeout_ms: 2000 } });
		expect(hasImage).toBe(true);
		expect(failed).toEqual([]);
	});

	it("a page whose resources all load reports none (and its image is in the PDF)", async () => {
		const { failed, hasImage } = await render(`<p>fine</p><img src="${receiver}/slow/0/image.png?${crypto.randomUUID()}" width="64" height="64">`);
		expect(hasImage).toBe(true);
		expect(failed).toEqual([]);
	});

	it("what the outbound guard refused is blocked, not failed; what a CSP stopped is neither", async () => {
		const id = crypto.randomUUID();
		const guarded = await render(`<p>guarded</p><img src="${receiver}/canary/${id}"><img src="${UNRESOLVABLE}">`, { policy: { allowLoopback: false, blockRemote: false } });
		expect(guarded.blocked).toEqual([`${receiver}/canary/${id}`]);
		expect(guarded.failed).toEqual([{ url: UNRESOLVABLE, reason: "net::ERR_NAME_NOT_RESOLVED" }]);

		const remote = await render(`<p>nothing remote</p><img src="${UNRESOLVABLE}">`, { policy: { allowLoopback: true, blockRemote: true } });
		expect(remote.blocked).toEqual([UNRESOLVABLE]);
		expect(remote.failed).toEqual([]);

		// `javascript: false` forbids scripts by CSP: the client's choice, not a failure.
		const noScripts = await render(`<p>no scripts</p><script src="${receiver}/slow/0/image.png?${id}"></script><img src="${receiver}/404/${id}">`, { javascript: false });
		expect(noScripts.failed).toEqual([{ url: `${receiver}/404/${id}`, reason: "HTTP 404" }]);
	});
});
