/**
 * Stamps a large diagonal "TEST" on every page of a test-mode document. A `position: fixed`
 * element is repeated by Chromium on each printed page, and the top z-index keeps it above the
 * template's own layers. It goes first in <body>: placed last, after a trailing page break, it
 * would add a blank page.
 */
const STAMP =
	'<div aria-hidden="true" style="position:fixed;inset:0;display:flex;align-items:center;justify-content:center;' +
	'pointer-events:none;z-index:2147483647;margin:0;padding:0">' +
	'<div style="transform:rotate(-45deg);font:800 200px/1 Arial,\'Liberation Sans\',sans-serif;' +
	'color:rgba(220,38,38,.22);border:12px solid rgba(220,38,38,.22);padding:8px 40px">TEST</div></div>';

export function withTestWatermark(html: string): string {
	// After <body …>, else after a doctype (putting anything before it would switch to quirks mode), else first.
	const anchor = /<body\b[^>]*>/i.exec(html) ?? /^\s*<!doctype[^>]*>/i.exec(html);
	const at = anchor ? anchor.index + anchor[0].length : 0;
	return html.slice(0, at) + STAMP + html.slice(at);
}
