import { createServer } from "node:http";
import type { TestProject } from "vitest/node";

/**
 * A real HTTP server on loopback for the webhook tests (vitest globalSetup, in Node).
 * `POST /<answer>/<id>` records the delivery and answers with status <answer> (200, 400, 500…);
 * `GET /received/<id>` lists what was delivered for <id>.
 * For the renderer's isolation test: `GET /set-cookie/<id>` answers with a cookie, and
 * `GET /echo-cookie/<id>` records the Cookie header it was sent (read back with /received/<id>).
 */
export default async function setup(project: TestProject) {
	const received = new Map<string, Array<{ headers: Record<string, string>; body: string }>>();
	const server = createServer((req, res) => {
		const [, first, id = ""] = (req.url ?? "").split("/");
		if (req.method === "GET" && first === "received") {
			res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(received.get(id) ?? []));
			return;
		}
		if (req.method === "GET" && first === "set-cookie") {
			res.writeHead(200, { "Set-Cookie": `quire_probe=${id}; Path=/; Max-Age=3600`, "Content-Type": "text/plain" }).end("set");
			return;
		}
		if (req.method === "GET" && first === "echo-cookie") {
			received.set(id, [...(received.get(id) ?? []), { headers: req.headers as Record<string, string>, body: "" }]);
			res.writeHead(200, { "Content-Type": "text/plain" }).end("echo");
			return;
		}
		let body = "";
		req.on("data", (chunk) => (body += chunk));
		req.on("end", () => {
			received.set(id, [...(received.get(id) ?? []), { headers: req.headers as Record<string, string>, body }]);
			res.writeHead(Number(first) || 200).end();
		});
	});
	await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
	const { port } = server.address() as { port: number };
	project.provide("webhookReceiver", `http://127.0.0.1:${port}`);
	return () => new Promise<void>((done) => server.close(() => done()));
}

