// The browser side of the pages: calls to the public API, signed in by the session cookie that
// /auth/callback sets (HttpOnly: this script never sees it, and no key is kept in the browser), and
// small DOM helpers. Everything shown is set with textContent, never parsed as HTML.

/** An API error, with the contract's code, message and details (a template error's line, the bad fields). */
export class ApiError extends Error {
	constructor(status, code, message, details) {
		super(message);
		this.status = status;
		this.code = code;
		this.details = details;
	}
}

/**
 * Calls the API as the signed-in member (the same-origin fetch sends the session cookie, and the
 * browser its Origin). JSON in, JSON out (or the Response, with `raw`).
 * Throws an ApiError with the server's message for any non-2xx answer.
 */
export async function api(path, { method = "GET", body, raw = false } = {}) {
	const headers = {};
	if (body !== undefined) headers["Content-Type"] = "application/json";
	const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	if (!res.ok) {
		const error = await res.json().catch(() => null);
		throw new ApiError(res.status, error?.error?.code ?? "HTTP_" + res.status, error?.error?.message ?? `The server answered ${res.status}`, error?.error?.details);
	}
	return raw ? res : res.json();
}

/** `el("td", { class: "num" }, "3")`: an element with attributes and text or element children. */
export function el(tag, attrs = {}, ...children) {
	const node = document.createElement(tag);
	for (const [name, value] of Object.entries(attrs)) {
		if (value === undefined || value === null || value === false) continue;
		if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
		else node.setAttribute(name, value === true ? "" : String(value));
	}
	for (const child of children.flat()) node.append(child instanceof Node ? child : String(child ?? ""));
	return node;
}

/** Buttons with `data-copy="<id>"` copy that element's text to the clipboard. */
export function enableCopyButtons(root = document) {
	root.addEventListener("click", async (event) => {
		const button = event.target.closest("[data-copy]");
		if (!button) return;
		const text = document.getElementById(button.dataset.copy)?.textContent ?? "";
		try {
			await navigator.clipboard.writeText(text);
			button.textContent = "Copied";
		} catch {
			// Clipboard refused (e.g. no permission): select the text so it can be copied by hand.
			getSelection()?.selectAllChildren(document.getElementById(button.dataset.copy));
			button.textContent = "Press Ctrl+C";
		}
		setTimeout(() => (button.textContent = "Copy"), 2000);
	});
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "long", timeZone: "UTC" });

/** A readable local date and time, or "never". */
export function when(iso) {
	return iso ? dateTime.format(new Date(iso)) : "never";
}

/** A calendar date (UTC, as the API's periods are). */
export function day(iso) {
	return dateOnly.format(new Date(iso));
}
