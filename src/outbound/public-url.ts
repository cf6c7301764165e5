import { isAssetUrl } from "../assets/url";

/**
 * Whether Quire may send a request to a URL a client gave it (webhooks): http(s) only, and never
 * a loopback, private, link-local, CGNAT, multicast, reserved or cloud-metadata address in any
 * spelling. The WHATWG URL parser already turns decimal, hex, octal and short IPv4 forms into
 * dotted quads and IPv6 into its compressed hex form, so only canonical forms are classified here;
 * IPv6 forms that embed an IPv4 address (mapped, compatible, 6to4, NAT64) are judged by it.
 */

export type AddressKind = "public" | "loopback" | "blocked";

/** The reason `raw` may not be a target, or null when it may. `allowLoopback` is for local development. */
export function refuseTarget(raw: string, { allowLoopback = false } = {}): string | null {
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		return "is not a valid URL";
	}
	if (url.protocol !== "http:" && url.protocol !== "https:") return "must be an http(s) URL";
	if (url.username || url.password) return "must not contain credentials";
	const kind = classifyHost(url.hostname);
	if (kind === "public" || (kind === "loopback" && allowLoopback)) return null;
	return "must not point at a private, loopback, link-local or reserved address";
}

export function classifyHost(hostname: string): AddressKind {
	const host = hostname.toLowerCase().replace(/\.$/, "");
	if (host.startsWith("[")) return classifyIPv6(host.slice(1, -1));
	const v4 = parseIPv4(host);
	if (v4 !== null) return classifyIPv4(v4);
	if (host === "localhost" || host.endsWith(".localhost")) return "loopback";
	// Names only private resolvers answer: metadata.google.internal, printer.local, router.home.arpa…
	if (/(^|\.)(internal|local|localdomain|home\.arpa|intranet|lan|corp)$/.test(host) || !host.includes(".")) return "blocked";
	return "public";
}

function parseIPv4(host: string): number | null {
	const parts = host.split(".");
	if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
	return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** [first address, prefix length] of each IPv4 range that is not public. */
const BLOCKED_V4: Array<[string, number]> = [
	["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["169.254.0.0", 16], ["172.16.0.0", 12],
	["192.0.0.0", 24], ["192.0.2.0", 24], ["192.88.99.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15],
	["198.51.100.0", 24], ["203.0.113.0", 24], ["224.0.0.0", 4], ["240.0.0.0", 4],
];

function inV4Range(address: number, [base, bits]: [string, number]): boolean {
	const size = 2 ** (32 - bits);
	const start = parseIPv4(base)!;
	return address >= start && address < start + size;
}

function classifyIPv4(address: number): AddressKind {
	if (inV4Range(address, ["127.0.0.0", 8])) return "loopback";
	return BLOCKED_V4.some((range) => inV4Range(address, range)) ? "blocked" : "public";
}

/** The 8 hextets of an IPv6 address, or null. Accepts `::` and a trailing dotted IPv4. */
function parseIPv6(text: string): number[] | null {
	const zone = text.indexOf("%");
	const address = zone === -1 ? text : text.slice(0, zone);
	const [head, tail, ...rest] = address.split("::");
	if (rest.length > 0) return null;
	const groups = (part: string | undefined): number[] | null => {
		if (!part) return [];
		const out: number[] = [];
		for (const piece of part.split(":")) {
			const v4 = piece.includes(".") ? parseIPv4(piece) : null;
			if (v4 !== null) out.push(v4 >>> 16, v4 & 0xffff);
			else if (/^[0-9a-f]{1,4}$/.test(piece)) out.push(parseInt(piece, 16));
			else return null;
		}
		return out;
	};
	const left = groups(head);
	const right = groups(tail);
	if (!left || !right) return null;
	if (tail === undefined) return left.length === 8 ? left : null;
	const missing = 8 - left.length - right.length;
	return missing < 1 ? null : [...left, ...Array(missing).fill(0), ...right];
}

function classifyIPv6(text: string): AddressKind {
	const h = parseIPv6(text);
	if (!h) return "blocked";
	const embedded = (hi: number, lo: number) => classifyIPv4(hi * 65536 + lo);
	const zeros = (from: number, to: number) => h.slice(from, to).every((x) => x === 0);
	if (zeros(0, 7) && h[7] === 1) return "loopback"; // ::1
	if (zeros(0, 8)) return "blocked"; // ::
	if (zeros(0, 5) && h[5] === 0xffff) return embedded(h[6]!, h[7]!); // ::ffff:a.b.c.d (mapped)
	if (zeros(0, 6)) return embedded(h[6]!, h[7]!); // ::a.b.c.d (compatible)
	if (h[0] === 0x64 && h[1] === 0xff9b && zeros(2, 6)) return embedded(h[6]!, h[7]!); // NAT64 64:ff9b::/96
	if (h[0] === 0x64 && h[1] === 0xff9b) return "blocked"; // local-use NAT64 64:ff9b:1::/48
	if (h[0] === 0x2002) return embedded(h[1]!, h[2]!) === "public" ? "public" : "blocked"; // 6to4
	if (h[0] === 0x2001 && (h[1] === 0 || h[1] === 0xdb8)) return "blocked"; // Teredo, documentation
	if (h[0] === 0x100 && zeros(1, 4)) return "blocked"; // discard 100::/64
	const first = h[0]!;
	if ((first & 0xfe00) === 0xfc00) return "blocked"; // unique local fc00::/7
	if ((first & 0xffc0) === 0xfe80 || (first & 0xffc0) === 0xfec0) return "blocked"; // link-local, site-local
	if ((first & 0xff00) === 0xff00) return "blocked"; // multicast
	return "public";
}

/** What a rendered page may load: http(s) to public addresses (loopback too in local development), or nothing remote at all. */
export interface OutboundPolicy {
	allowLoopback: boolean;
	blockRemote: boolean;
}

/**
 * The reason a page's request must not go out, or null when it may. An asset URL never goes out
 * (the renderer answers it from R2), so nothing refuses it, not even `blockRemote`.
 */
export function refuseResource(url: string, policy: OutboundPolicy): string | null {
	if (isAssetUrl(url)) return null;
	if (policy.blockRemote) return "remote resources are blocked";
	return refuseTarget(url, { allowLoopback: policy.allowLoopback });
}

/**
 * Pages may not open WebSockets (DevTools can't pause them for the check above): this CSP lets
 * fetch/XHR/EventSource go out only over http(s), on any host and port (each request is then
 * checked), and it reaches the page's iframes and workers. Forms may not be submitted at all.
 * It goes first in the document, where a CSP meta is honoured; a policy the page adds later can
 * only restrict more.
 */
const GUARD_POLICY = "connect-src http://*:* https://*:* data: blob:; form-action 'none'";
/**
 * `javascript: false`: no script of the document runs (inline, external, event handlers,
 * `javascript:` URLs), nor a frame or worker that could bring its own. Quire's own readiness check
 * runs through DevTools, which a page's CSP doesn't apply to.
 */
const NO_SCRIPTS_POLICY = "; script-src 'none'; frame-src 'none'; worker-src 'none'; object-src 'none'";

/** The page's HTML with the CSP above first, before any of its own markup. */
export function guardedHtml(html: string, { javascript = true }: { javascript?: boolean } = {}): string {
	const policy = javascript ? GUARD_POLICY : GUARD_POLICY + NO_SCRIPTS_POLICY;
	return atDocumentStart(html, `<meta http-equiv="Content-Security-Policy" content="${policy}">`);
}

/**
 * `markup` inserted before the document's first element: after its doctype (and the comments and
 * space before it) when it has one, so a standards-mode page does not fall into quirks mode.
 */
export function atDocumentStart(html: string, markup: string): string {
	const doctype = /^(?:\s|<!--[\s\S]*?-->)*<!doctype[^>]*>/i.exec(html);
	const at = doctype ? doctype[0].length : 0;
	return `${html.slice(0, at)}${markup}${html.slice(at)}`;
}
