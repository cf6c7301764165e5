import { describe, expect, it } from "vitest";
import { refuseTarget } from "../../src/outbound/public-url";

describe("refuseTarget", () => {
	it("allows public http(s) URLs", () => {
		for (const url of ["https://hooks.example.com/quire", "http://93.184.216.34/x", "https://[2606:4700:4700::1111]/", "HTTPS://Example.COM/ok"]) {
			expect(refuseTarget(url), url).toBeNull();
		}
	});

	it("refuses other schemes, credentials and garbage", () => {
		for (const url of ["ftp://example.com/", "file:///etc/passwd", "javascript:alert(1)", "not a url", "https://user:pw@example.com/"]) {
			expect(refuseTarget(url), url).not.toBeNull();
		}
	});

	it("refuses loopback, private, link-local, CGNAT, metadata and reserved addresses in every spelling", () => {
		const spellings = [
			"http://127.0.0.1/", "http://127.1/", "http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://0x7f.1/",
			"http://localhost/", "http://LOCALHOST./", "http://api.localhost/", "http://[::1]/", "http://[0:0:0:0:0:0:0:1]/",
			"http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[::127.0.0.1]/", "http://[64:ff9b::127.0.0.1]/",
			"http://[64:ff9b::a9fe:a9fe]/", "http://[2002:7f00:1::]/", "http://[2002:c0a8:101::]/",
			"http://10.0.0.1/", "http://172.16.5.4/", "http://192.168.1.1/", "http://100.64.0.1/", "http://169.254.169.254/latest/meta-data",
			"http://[fe80::1]/", "http://[fc00::1]/", "http://[fd12:3456::1]/", "http://[ff02::1]/", "http://0.0.0.0/", "http://[::]/",
			"http://224.0.0.1/", "http://255.255.255.255/", "http://metadata.google.internal/", "http://printer.local/", "http://intranet/",
			"http://[2001:db8::1]/", "http://[2001::1]/",
		];
		for (const url of spellings) expect(refuseTarget(url), url).toMatch(/private, loopback/);
	});

	it("allows loopback (only) when asked, for local development", () => {
		for (const url of ["http://127.0.0.1:8787/hook", "http://localhost:3000/", "http://[::1]/"]) expect(refuseTarget(url, { allowLoopback: true }), url).toBeNull();
		for (const url of ["http://10.0.0.1/", "http://169.254.169.254/"]) expect(refuseTarget(url, { allowLoopback: true }), url).not.toBeNull();
	});
});
