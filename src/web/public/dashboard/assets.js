// The Templates section's images and fonts: upload (choose or drop files), a card per asset with a
// preview, Insert into the open template, Delete. Through POST/GET/DELETE /v1/assets.
import { api, el } from "../session.js";

const $ = (id) => document.getElementById(id);

/** The files of the assets this tab has shown, by asset id: uploaded here, or fetched for a preview. */
const local = new Map();
/** Called with an asset to put it into the open template; returns false when no template is open. */
let insertAsset = () => false;

const kb = (bytes) => (bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

/** Whether the member may upload and delete (a viewer only looks). */
let editable = true;

/** Wires the upload area and lists the account's assets. `insert(asset)` puts one into the open template. */
export async function loadAssets({ insert, canEdit = true }) {
	insertAsset = insert;
	editable = canEdit;
	$("asset-drop").hidden = !editable;
	const input = $("asset-files");
	input.addEventListener("change", () => upload([...input.files]).finally(() => (input.value = "")));
	const zone = $("asset-drop");
	zone.addEventListener("dragover", (event) => {
		event.preventDefault();
		zone.classList.add("dragging");
	});
	zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
	zone.addEventListener("drop", (event) => {
		event.preventDefault();
		zone.classList.remove("dragging");
		upload([...event.dataTransfer.files]);
	});
	await listAssets();
}

/** Uploads each file as an asset named by its file name; the API tells its type from its content. */
async function upload(files) {
	const status = $("asset-status");
	const done = [];
	for (const file of files) {
		status.textContent = `Uploading ${file.name}…`;
		try {
			const res = await fetch(`/v1/assets?name=${encodeURIComponent(file.name)}`, {
				method: "POST",
				headers: { "Content-Type": "application/octet-stream" },
				body: file,
			});
			const body = await res.json();
			if (!res.ok) throw new Error(body.error?.message ?? `The server answered ${res.status}`);
			local.set(body.data.id, file);
			done.push(file.name);
		} catch (error) {
			status.textContent = `${file.name} was not uploaded: ${error.message}`;
			await listAssets();
			return;
		}
	}
	status.textContent = `Uploaded ${done.join(", ")}.`;
	await listAssets();
}

async function listAssets() {
	const { data, quota } = await api("/v1/assets");
	$("asset-list").replaceChildren(...data.map(assetCard));
	$("asset-quota").textContent = describeQuota(quota);
}

/** "3 of 200 assets, 1.2 MB of 50 MB". */
function describeQuota(quota) {
	return `${quota.assets} of ${quota.max_assets} assets, ${kb(quota.bytes)} of ${kb(quota.max_bytes)}; at most ${kb(quota.max_asset_bytes)} each.`;
}

function assetCard(asset) {
	const isFont = asset.type.startsWith("font/");
	return el(
		"li",
		{ class: "asset-card" },
		preview(asset, isFont),
		el("p", {}, el("strong", {}, asset.name)),
		el("p", { class: "hint" }, `${asset.type}, ${kb(asset.size)}`),
		el(
			"div",
			{ class: "actions" },
			editable ? el("button", { type: "button", "aria-label": `Insert ${asset.name}`, onclick: () => insert(asset) }, "Insert") : "",
			editable ? el("button", { type: "button", class: "danger", "aria-label": `Delete ${asset.name}`, onclick: () => remove(asset) }, "Delete") : "",
		),
	);
}

/**
 * An image as itself, a font as a line set in it: at once for a file chosen in this tab, on request
 * for one uploaded before (GET /v1/assets/{id}/content; not all at once, which would spend the
 * account's requests of the minute on a long list).
 */
function preview(asset, isFont) {
	const box = el("div", { class: "asset-preview" });
	const show = (file) => (isFont ? showFont(box, asset, file) : box.replaceChildren(el("img", { src: URL.createObjectURL(file), alt: `Preview of ${asset.name}` })));
	const file = local.get(asset.id);
	if (file) show(file);
	else {
		const button = el("button", { type: "button", "aria-label": `Show a preview of ${asset.name}` }, "Show a preview");
		button.addEventListener("click", async () => {
			try {
				const res = await api(`/v1/assets/${encodeURIComponent(asset.id)}/content`, { raw: true });
				const blob = await res.blob();
				local.set(asset.id, blob);
				show(blob);
			} catch (error) {
				box.replaceChildren(el("span", { class: "hint" }, error.message));
			}
		});
		box.append(button);
	}
	return box;
}

/** A line of sample text set in the font of `file` (loaded into the page as a FontFace). */
function showFont(box, asset, file) {
	const sample = el("span", { class: "font-sample", "aria-label": `${asset.name} sample` }, "Aa Bb 123");
	box.replaceChildren(sample);
	const family = `asset-${asset.id}`;
	file
		.arrayBuffer()
		.then((bytes) => new FontFace(family, bytes).load())
		.then((face) => {
			document.fonts.add(face);
			sample.style.fontFamily = `"${family}", monospace`;
		})
		.catch(() => (sample.textContent = "This browser can't show this font"));
}

function insert(asset) {
	const status = $("asset-status");
	status.textContent = insertAsset(asset) ? `Inserted ${asset.name} into the template.` : "Open a template first: Insert puts the asset where its cursor is.";
}

async function remove(asset) {
	if (!confirm(`Delete ${asset.name}? Templates that use it show nothing in its place.`)) return;
	try {
		await api(`/v1/assets/${encodeURIComponent(asset.id)}`, { method: "DELETE" });
		local.delete(asset.id);
		$("asset-status").textContent = `Deleted ${asset.name}.`;
		await listAssets();
	} catch (error) {
		$("asset-status").textContent = error.message;
	}
}
