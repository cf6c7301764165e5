// The dashboard's documents: the account's stored PDFs (GET /v1/files), with download and delete
// (delete not offered to a viewer: the API refuses it anyway).
import { api, el, when } from "../session.js";

const $ = (id) => document.getElementById(id);
let cursor = null;
/** Whether the signed-in member may delete documents (not a viewer), as the dashboard last said. */
let editable = false;

/** "48 KB", "1.2 MB". */
export function size(bytes) {
	if (bytes < 1024) return `${bytes} B`;
	if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
	return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function row(file) {
	return el(
		"tr",
		{},
		el("td", {}, el("a", { href: file.url, download: file.filename }, file.filename), file.mode === "test" ? el("span", { class: "badge" }, "test") : ""),
		el("td", {}, file.template_id ?? (file.task_id || file.request_id ? "inline HTML" : "merged or batch output")),
		el("td", { class: "num" }, file.pages),
		el("td", { class: "num" }, size(file.bytes)),
		el("td", {}, when(file.created_at)),
		el("td", {}, when(file.expires_at)),
		el("td", {}, editable ? el("button", { type: "button", class: "danger", "aria-label": `Delete ${file.filename} (${when(file.created_at)})`, onclick: () => remove(file) }, "Delete") : ""),
	);
}

/**
 * The first page of documents (or, with `more`, the next one). `canEdit`: whether the member may
 * delete them (the dashboard passes it; the section's own reloads keep it).
 */
export async function loadDocuments(canEdit = editable, more = false) {
	editable = canEdit;
	const query = new URLSearchParams({ limit: "20" });
	if (more && cursor) query.set("cursor", cursor);
	const page = await api(`/v1/files?${query}`);
	const body = $("document-list").tBodies[0];
	const rows = page.data.map(row);
	if (more) body.append(...rows);
	else body.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 7, class: "empty" }, "No stored documents: PDFs made with return_type \"url\" or async_mode appear here."))]));
	cursor = page.next_cursor;
	$("documents-more").hidden = !page.has_more;
}

async function remove(file) {
	if (!confirm(`Delete ${file.filename}? Its link stops working at once.`)) return;
	try {
		await api(`/v1/files/${encodeURIComponent(file.id)}`, { method: "DELETE" });
		$("documents-status").textContent = `Deleted ${file.filename}.`;
		await loadDocuments();
	} catch (error) {
		$("documents-status").textContent = error.message;
	}
}

$("documents-more").addEventListener("click", () => loadDocuments(editable, true).catch((error) => ($("documents-status").textContent = error.message)));
