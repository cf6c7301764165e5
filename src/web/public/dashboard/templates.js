// The dashboard's Templates section: the account's templates, the editor (code beside a live
// preview drawn with pdf.js, versions with a diff, restore and pin), and the built-in gallery.
// Everything goes through the public API as the signed-in member.
import { api, el, when } from "../session.js";
import { loadAssets } from "./assets.js";
import { showCode } from "./code.js";
import { drawPdf, pages } from "./pdf-view.js";

const $ = (id) => document.getElementById(id);
const templatePath = (id) => id.split("/").map(encodeURIComponent).join("/");
/** How long typing must pause before the preview is made again. */
const PREVIEW_DELAY_MS = 600;
/** How long a preview refused for the rate limit waits before it is tried again. */
const RATE_LIMIT_RETRY_S = 5;

/** Called after each document the section makes (previews count as test documents). */
let generated = () => {};
let loaded = false;
/** Whether the member may change templates (a viewer reads them, their versions and diffs). */
let editable = true;

/**
 * Fills the section (once; its own buttons reload what they change). `onGenerated` runs after
 * each preview, so the page's usage figures can follow; `canEdit` false (a viewer) leaves out
 * what would change anything or make a document.
 */
export async function loadTemplates({ onGenerated, canEdit = true } = {}) {
	if (onGenerated) generated = onGenerated;
	if (loaded) return;
	loaded = true;
	editable = canEdit;
	for (const id of ["template-new", "studio-save"]) $(id).hidden = !editable;
	wireStudio();
	await Promise.all([listTemplates(), loadAssets({ insert: insertAsset, canEdit: editable })]);
}

// ---- the lists: the account's templates and the gallery -----------------------------------------

async function listTemplates() {
	const { data } = await api("/v1/templates");
	const own = data.filter((t) => t.source === "account");
	$("own-templates").replaceChildren(
		...(own.length
			? own.map((t) => el("li", {}, el("button", { type: "button", class: "own-template", onclick: () => openTemplate(t.id).catch(fail) }, el("strong", {}, t.name), " ", el("code", {}, t.id), ` v${t.latest_version}`)))
			: [el("li", { class: "hint" }, "None yet: start one from scratch with New template, or from a gallery card's Use this template.")]),
	);
	$("template-list").replaceChildren(...data.filter((t) => t.source === "built-in").map(galleryCard));
}

function galleryCard(t) {
	return el(
		"li",
		{ class: "template-card" },
		el("img", { src: `/vendor/thumbnails/${t.id}.png`, alt: `First page of the ${t.name} template`, width: 300, height: 388, loading: "lazy" }),
		el("h4", {}, t.name),
		el("p", { class: "hint" }, el("code", {}, t.id)),
		t.description ? el("p", {}, t.description) : "",
		el(
			"div",
			{ class: "actions" },
			el("button", { type: "button", "aria-label": `Preview ${t.name}`, onclick: () => showGalleryPreview(t).catch(fail) }, "Preview"),
			editable ? el("button", { type: "button", class: "primary", "aria-label": `Use this template: ${t.name}`, onclick: () => startCreate(t) }, "Use this template") : "",
		),
	);
}

/** Errors of the section's own actions, shown in the editor's status line or the page's. */
function fail(error) {
	const target = $("studio").hidden ? $("status") : $("studio-status");
	target.textContent = error?.message ?? String(error);
}

// ---- the gallery's preview --------------------------------------------------------------------

let galleryTemplate = null;

async function showGalleryPreview(summary) {
	const { data: template } = await api(`/v1/templates/${templatePath(summary.id)}`);
	galleryTemplate = template;
	$("preview-title").textContent = `${template.name} (${template.id})`;
	$("preview-data").value = JSON.stringify(template.sample_data ?? {}, null, 2);
	$("preview-status").textContent = "";
	$("preview-pages").replaceChildren();
	$("preview-download").hidden = true;
	$("preview-form").hidden = false;
	showCode(template.id);
	// The editor opens at the top of the data, with the caret there (focus alone puts it at the end).
	$("preview-data").focus();
	$("preview-data").setSelectionRange(0, 0);
	$("preview-data").scrollTop = 0;
}

async function previewGallery(event) {
	event.preventDefault();
	const out = $("preview-status");
	let data;
	try {
		data = JSON.parse($("preview-data").value);
	} catch (error) {
		out.textContent = `The data is not valid JSON: ${error.message}`;
		return;
	}
	out.textContent = "Rendering…";
	const started = performance.now();
	try {
		// `test: true`: watermarked, and no credit is spent.
		const res = await api("/v1/generate", { method: "POST", body: { template_id: galleryTemplate.id, data, test: true }, raw: true });
		const pdf = await res.blob();
		const count = await drawPdf($("preview-pages"), await pdf.arrayBuffer());
		const link = $("preview-download");
		if (link.href) URL.revokeObjectURL(link.href);
		link.href = URL.createObjectURL(pdf);
		link.hidden = false;
		out.textContent = `${pages(count)}, ${Math.round(pdf.size / 1024)} KB, shown in ${Math.round(performance.now() - started)} ms; test mode (no credits used).`;
		generated();
	} catch (error) {
		out.textContent = `Preview failed: ${error.message}`;
	}
}

// ---- creating a template ----------------------------------------------------------------------

/** The template a new one starts from (a built-in's summary), or null for a blank one. */
let createFrom = null;

const BLANK = {
	html: `<!doctype html>
<html>
<head>
<style>
  body { font-family: system-ui, sans-serif; margin: 2cm; }
  h1 { color: #1d4ed8; }
</style>
</head>
<body>
  <h1>Hello {{name}}</h1>
  <p>Edit the HTML, the CSS, the schema and the sample data: the preview follows.</p>
</body>
</html>
`,
	schema: { type: "object", required: ["name"], properties: { name: { type: "string" } } },
	sample_data: { name: "World" },
};

function startCreate(from) {
	createFrom = from;
	$("create-title").textContent = from ? `New template from ${from.name}` : "New template";
	$("create-from").textContent = from ? `Starts as a copy of ${from.id}: its HTML, schema, sample data and page options.` : "Starts from a small example to edit.";
	$("create-id").value = from ? `my-${from.id.split("/").pop()}` : "";
	$("create-name").value = from ? `My ${from.name.toLowerCase()}` : "";
	$("create-status").textContent = "";
	$("template-create").hidden = false;
	$("create-id").focus();
}

async function create(event) {
	event.preventDefault();
	const form = event.target;
	try {
		const source = createFrom ? (await api(`/v1/templates/${templatePath(createFrom.id)}`)).data : BLANK;
		const body = { id: form.id.value.trim(), name: form.name.value.trim(), html: source.html };
		if (source.schema) body.schema = source.schema;
		if (source.sample_data) body.sample_data = source.sample_data;
		if (source.options && Object.keys(source.options).length > 0) body.options = source.options;
		const { data } = await api("/v1/templates", { method: "POST", body });
		form.hidden = true;
		await listTemplates();
		await openTemplate(data.id);
	} catch (error) {
		$("create-status").textContent = error.message;
	}
}

// ---- the editor -------------------------------------------------------------------------------

/** The editor bundle (CodeMirror and the schema checks), loaded when a template is first opened. */
let bundle = null;
/** One code editor per part: html, css, schema, sample. */
const editors = {};
/** The template open in the editor, at its newest version. */
let current = null;
/** How the open template's CSS sits in its HTML (see splitCss). */
let cssFrame = null;
let previewTimer = null;
/** Bumped by every preview, so an answer overtaken by a newer preview is dropped. */
let previewRun = 0;

/** A `<style>` element's CSS is edited in its own tab; the HTML tab shows this in its place. */
const CSS_PLACEHOLDER = "/* in the CSS tab */";

/**
 * Takes the first `<style>` element's CSS out of a template's HTML for the CSS tab, leaving
 * {@link CSS_PLACEHOLDER} in its place, so that {@link joinCss} puts back exactly the same text.
 */
function splitCss(html) {
	const match = /(<style\b[^>]*>)([\s\S]*?)(<\/style>)/i.exec(html);
	if (!match) return { html, css: "", lead: "\n", tail: "\n" };
	const [, , inner] = match;
	const lead = /^\s*\n/.exec(inner)?.[0] ?? "";
	const tail = /\n[ \t]*$/.exec(inner.slice(lead.length))?.[0] ?? "";
	const css = inner.slice(lead.length, inner.length - tail.length);
	const start = match.index + match[1].length;
	return { html: html.slice(0, start) + CSS_PLACEHOLDER + html.slice(start + inner.length), css, lead, tail };
}

/** The template's HTML from the HTML and CSS tabs, and where the CSS went (for mapping error lines). */
function joinCss(html, css, { lead, tail }) {
	let at = html.indexOf(CSS_PLACEHOLDER);
	if (at < 0) {
		if (!css.trim()) return { html, at: -1, inserted: "" };
		// The placeholder was deleted: the CSS goes in a new <style> in the head (or first).
		const head = /<head\b[^>]*>/i.exec(html);
		const cut = head ? head.index + head[0].length : 0;
		html = `${html.slice(0, cut)}<style>${CSS_PLACEHOLDER}</style>${html.slice(cut)}`;
		at = html.indexOf(CSS_PLACEHOLDER);
	}
	const inserted = lead + css + tail;
	return { html: html.slice(0, at) + inserted + html.slice(at + CSS_PLACEHOLDER.length), at, inserted, leadLines: lines(lead) - 1 };
}

const lines = (text) => text.split("\n").length;

/** Which tab and line a line of the joined HTML (a template error's) is on. */
function sourceLine(joined, htmlTab, line) {
	if (joined.at < 0) return { part: "html", line };
	const placeholderLine = lines(htmlTab.slice(0, joined.at));
	const insertedLines = lines(joined.inserted) - 1;
	if (line < placeholderLine) return { part: "html", line };
	if (line > placeholderLine + insertedLines) return { part: "html", line: line - insertedLines };
	const cssLine = line - placeholderLine - joined.leadLines + 1;
	return cssLine >= 1 && cssLine <= lines(editors.css.value) ? { part: "css", line: cssLine } : { part: "html", line: placeholderLine };
}

function wireStudio() {
	$("template-new").addEventListener("click", () => startCreate(null));
	$("create-cancel").addEventListener("click", () => ($("template-create").hidden = true));
	$("template-create").addEventListener("submit", create);
	$("preview-form").addEventListener("submit", previewGallery);
	$("studio-close").addEventListener("click", () => {
		$("studio").hidden = true;
		current = null;
	});
	$("studio-save").addEventListener("click", () => save().catch(fail));
	$("diff-form").addEventListener("submit", (event) => {
		event.preventDefault();
		showDiff().catch(fail);
	});
	const tabs = [...document.querySelectorAll("#studio [role=tab]")];
	for (const tab of tabs) {
		tab.addEventListener("click", () => selectTab(tab.dataset.part));
		tab.addEventListener("keydown", (event) => {
			const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
			if (!step) return;
			const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
			selectTab(next.dataset.part);
			next.focus();
		});
	}
}

/** Shows one part's editor (a tab), hiding the others. */
function selectTab(part) {
	for (const tab of document.querySelectorAll("#studio [role=tab]")) {
		const selected = tab.dataset.part === part;
		tab.setAttribute("aria-selected", String(selected));
		tab.tabIndex = selected ? 0 : -1;
		$(`part-${tab.dataset.part}`).hidden = !selected;
	}
	editors[part]?.view.requestMeasure();
}

async function ensureEditors() {
	if (bundle) return;
	bundle = await import("/vendor/editor.js");
	const languages = { html: "html", css: "css", schema: "json", sample: "json" };
	for (const [part, language] of Object.entries(languages)) {
		const parent = $(`part-${part}`);
		editors[part] = bundle.createCodeEditor({ parent, language, label: parent.dataset.name, onChange: schedulePreview });
	}
}

/** Opens one of the account's templates in the editor, at its newest version. */
async function openTemplate(id) {
	await ensureEditors();
	const { data } = await api(`/v1/templates/${templatePath(id)}`);
	$("studio").hidden = false;
	showVersion(data);
	$("studio-status").textContent = "";
	$("studio-title").focus();
}

/** Loads a version's content into the editors and the template's versions into the list. */
function showVersion(template) {
	current = template;
	const split = splitCss(template.html);
	cssFrame = split;
	editors.html.value = split.html;
	editors.css.value = split.css;
	editors.schema.value = template.schema ? JSON.stringify(template.schema, null, 2) : "";
	editors.sample.value = JSON.stringify(template.sample_data ?? {}, null, 2);
	$("studio-title").textContent = `${template.name} (${template.id})`;
	showMeta();
	showVersions();
	showExample();
	preview();
}

function showMeta() {
	const pinned = current.pinned_version ? `, version ${current.pinned_version} pinned` : "";
	$("studio-meta").textContent = `Version ${current.latest_version}${pinned}; saved ${when(current.updated_at)}.`;
}

/** The template as the editors hold it: its HTML with the CSS put back, and the parsed JSON parts (or the problems). */
function content() {
	const joined = joinCss(editors.html.value, editors.css.value, cssFrame);
	const problems = { html: [], css: [], schema: [], sample: [] };
	const parse = (part) => {
		const text = editors[part].value.trim();
		if (!text) return null;
		try {
			return JSON.parse(text);
		} catch (error) {
			// Chromium and Firefox say where: "… at position 12 (line 2 column 3)" / "at line 2 column 3".
			const line = Number(/line (\d+)/.exec(error.message)?.[1] ?? 1);
			problems[part].push({ line, message: `Not valid JSON: ${error.message}` });
			return undefined;
		}
	};
	const schema = parse("schema");
	const parsedSample = parse("sample");
	const sample = parsedSample ?? {};
	if (schema) for (const p of bundle.checkSchema(schema)) problems.schema.push(fieldProblem("schema", p));
	// Sample data that is not JSON is one problem, not also each field the schema then misses.
	if (schema && parsedSample !== undefined && problems.schema.length === 0) for (const p of bundle.validateData(schema, sample, "sample_data")) problems.sample.push(fieldProblem("sample", p));
	return { joined, html: joined.html, schema, sample, problems };
}

/** A problem with a field (`sample_data.items.0.qty`, `schema.properties…`) at its line in its part's editor. */
function fieldProblem(part, problem) {
	const pos = bundle.positionOfPath(editors[part], problem.path);
	return { from: pos, to: pos, line: editors[part].lineAt(pos), message: `${problem.path} ${problem.message}` };
}

/** Shows problems inline at their lines and in the list under the editor; each list item jumps to its line. */
function showProblems(problems) {
	const items = [];
	for (const part of Object.keys(editors)) {
		const list = problems[part] ?? [];
		editors[part].setProblems(list);
		for (const p of list) {
			const label = `${document.getElementById(`tab-${part}`).textContent}, line ${p.line}: ${p.message}`;
			items.push(el("li", {}, el("button", { type: "button", class: "link", onclick: () => jumpTo(part, p.line) }, label)));
		}
	}
	for (const p of problems.other ?? []) items.push(el("li", {}, p));
	$("studio-problems").replaceChildren(...items);
	return items.length;
}

function jumpTo(part, line) {
	selectTab(part);
	const view = editors[part].view;
	const target = view.state.doc.line(Math.min(line, view.state.doc.lines));
	view.dispatch({ selection: { anchor: target.from }, scrollIntoView: true });
	view.focus();
}

/** The server's refusal as problems at lines: a template error's line, a bad field's place. */
function serverProblems(error, joined, htmlTab) {
	const problems = { html: [], css: [], schema: [], sample: [], other: [] };
	if (error.code === "TEMPLATE_ERROR" && error.details?.line) {
		const noticed = error.details.line;
		let message = error.message.replace(/^Template error on line \d+: /, "");
		// Mustache notices an unclosed section where something else closes (or at the end): point at its opening tag.
		const unclosed = /^Unclosed section "(.+?)"/.exec(message);
		const opened = unclosed ? openingLine(joined.html, unclosed[1], noticed) : null;
		const { part, line } = sourceLine(joined, htmlTab, opened ?? noticed);
		const still = sourceLine(joined, htmlTab, noticed);
		if (opened && still.line !== line) message = `${message}: opened here, still open on line ${still.line}`;
		problems[part].push({ line, message });
	} else if (error.code === "VALIDATION_ERROR" && Array.isArray(error.details?.fields)) {
		for (const field of error.details.fields) {
			const part = /^(sample_)?data\b/.test(field.path) ? "sample" : field.path.startsWith("schema") ? "schema" : null;
			if (part) problems[part].push(fieldProblem(part, { path: field.path.replace(/^data\b/, "sample_data"), message: field.message }));
			else problems.other.push(`${field.path}: ${field.message}`);
		}
	} else problems.other.push(error.message);
	return problems;
}

/** The line (from 1) of the last `{{#name}}` or `{{^name}}` at or before line `before`, or null. */
function openingLine(html, name, before) {
	const escaped = name.replace(/[.*+?^$()|[\]{}\\]/g, "\\$&");
	const opener = new RegExp(String.raw`\{\{\s*[#^]\s*${escaped}\s*\}\}`);
	const all = html.split("\n");
	for (let i = Math.min(before, all.length) - 1; i >= 0; i--) if (opener.test(all[i])) return i + 1;
	return null;
}

function schedulePreview() {
	clearTimeout(previewTimer);
	previewTimer = setTimeout(preview, PREVIEW_DELAY_MS);
}

/**
 * Makes the edited template as a test PDF (watermarked, no credit) and draws its pages. Problems
 * found before (JSON, schema) or by the server (Mustache, header and footer) are shown at their
 * lines instead, and the last good preview stays, marked as such.
 */
async function preview() {
	clearTimeout(previewTimer);
	if (!current) return;
	const run = ++previewRun;
	const status = $("studio-preview-status");
	if (!editable) {
		status.textContent = "Previews make a (test) document, which needs the developer role.";
		return;
	}
	const edited = content();
	if (showProblems(edited.problems) > 0) {
		status.textContent = "Fix the problems listed under the editor to update the preview.";
		return;
	}
	status.textContent = "Rendering…";
	const started = performance.now();
	const body = { html: edited.html, data: edited.sample, test: true };
	if (current.options && Object.keys(current.options).length > 0) body.options = current.options;
	if (current.pdf) body.pdf = current.pdf;
	try {
		const res = await api("/v1/generate", { method: "POST", body, raw: true });
		const bytes = await res.arrayBuffer();
		if (run !== previewRun) return;
		const count = await drawPdf($("studio-preview-pages"), bytes);
		if (run !== previewRun) return;
		status.textContent = `${pages(count)}, rendered in ${Math.round(performance.now() - started)} ms (test mode, no credits used).`;
		generated();
	} catch (error) {
		if (run !== previewRun) return;
		if (error.status === 429) {
			// Over the account's requests a minute (or test documents a day): not a problem of the template.
			status.textContent = `${error.message} Trying again in ${RATE_LIMIT_RETRY_S} s.`;
			previewTimer = setTimeout(preview, RATE_LIMIT_RETRY_S * 1000);
			return;
		}
		showProblems(serverProblems(error, edited.joined, editors.html.value));
		status.textContent = "The preview shows the last version that rendered: fix the problems listed under the editor.";
	}
}

/** Saves the editors' content as the template's next version. */
async function save() {
	const edited = content();
	if (showProblems(edited.problems) > 0) {
		$("studio-status").textContent = "Not saved: fix the problems listed above first.";
		return;
	}
	const body = { html: edited.html, schema: edited.schema, sample_data: edited.sample };
	try {
		const { data } = await api(`/v1/templates/${templatePath(current.id)}`, { method: "PUT", body });
		showVersion(data);
		$("studio-status").textContent = `Saved as version ${data.latest_version}.`;
		await listTemplates();
	} catch (error) {
		showProblems(serverProblems(error, edited.joined, editors.html.value));
		$("studio-status").textContent = `Not saved: ${error.message}`;
	}
}

/**
 * Puts an uploaded asset into the open template where its cursor is: an image as an `<img>` in
 * the HTML, a font as an `@font-face` in the CSS (named after the file). False when none is open.
 */
function insertAsset(asset) {
	if (!current) return false;
	if (asset.type.startsWith("font/")) {
		const family = asset.name.replace(/\.[^.]+$/, "");
		selectTab("css");
		editors.css.insert(`@font-face {\n  font-family: "${family}";\n  src: url("${asset.url}");\n}\n`);
	} else {
		selectTab("html");
		editors.html.insert(`<img src="${asset.url}" alt="${asset.name.replace(/\.[^.]+$/, "")}">`);
	}
	return true;
}

// ---- versions: list, restore, pin, diff -------------------------------------------------------

function showVersions() {
	const rows = [...current.versions].reverse().map((v) => {
		const pinned = current.pinned_version === v.version;
		const actions = [];
		if (editable && v.version !== current.latest_version) actions.push(el("button", { type: "button", "aria-label": `Restore version ${v.version}`, onclick: () => restore(v.version).catch(fail) }, "Restore"));
		if (editable) actions.push(
			el("button", { type: "button", "aria-label": `${pinned ? "Unpin" : "Pin"} version ${v.version}`, "aria-pressed": String(pinned), onclick: () => pin(pinned ? null : v.version).catch(fail) }, pinned ? "Unpin" : "Pin"),
		);
		const label = [`v${v.version}`, v.version === current.latest_version ? " (newest)" : "", pinned ? " (pinned)" : ""].join("");
		return el("tr", {}, el("td", {}, label), el("td", {}, when(v.created_at)), el("td", {}, v.created_by ?? "–"), el("td", { class: "actions" }, ...actions));
	});
	$("versions").tBodies[0].replaceChildren(...rows);
	const options = (selected) => current.versions.map((v) => el("option", { value: v.version, selected: v.version === selected }, `v${v.version}`));
	$("diff-from").replaceChildren(...options(Math.max(1, current.latest_version - 1)));
	$("diff-to").replaceChildren(...options(current.latest_version));
	$("diff-output").hidden = true;
	$("diff-summary").textContent = "";
}

/** Restore: version n's content saved as a new version (the history stays as it was). */
async function restore(version) {
	const { data: old } = await api(`/v1/templates/${templatePath(current.id)}?version=${version}`);
	const body = { html: old.html, sample_data: old.sample_data, schema: old.schema, options: Object.keys(old.options).length ? old.options : null, pdf: old.pdf };
	const { data } = await api(`/v1/templates/${templatePath(current.id)}`, { method: "PUT", body });
	showVersion(data);
	$("studio-status").textContent = `Restored version ${version} as version ${data.latest_version}.`;
	await listTemplates();
}

async function pin(version) {
	const { data } = await api(`/v1/templates/${templatePath(current.id)}`, { method: "PATCH", body: { pinned_version: version } });
	current = { ...current, pinned_version: data.pinned_version, versions: data.versions };
	showMeta();
	showVersions();
	showExample();
	$("studio-status").textContent = version ? `Version ${version} is pinned: the API example uses it.` : "No version is pinned.";
}

/** A version's parts as text, the way the diff compares them. */
function partsOf(template) {
	const { html, css } = splitCss(template.html);
	return {
		HTML: html,
		CSS: css,
		Schema: template.schema ? JSON.stringify(template.schema, null, 2) : "",
		"Sample data": JSON.stringify(template.sample_data ?? {}, null, 2),
	};
}

/** The lines that differ between two versions, part by part, with a few lines of context around each change. */
async function showDiff() {
	const [a, b] = [$("diff-from").value, $("diff-to").value];
	const read = (v) => api(`/v1/templates/${templatePath(current.id)}?version=${v}`).then((r) => partsOf(r.data));
	const [before, after] = await Promise.all([read(a), read(b)]);
	const out = [];
	let added = 0;
	let removed = 0;
	for (const part of Object.keys(before)) {
		const changes = bundle.lineDiff(before[part], after[part]);
		if (!changes.some((c) => c.added || c.removed)) continue;
		out.push(el("span", { class: "diff-part" }, `${part}\n`));
		for (const change of changes) {
			const changed = change.value.replace(/\n$/, "").split("\n");
			if (change.added) added += changed.length;
			if (change.removed) removed += changed.length;
			if (!change.added && !change.removed) {
				const shown = changed.length > 6 ? [...changed.slice(0, 2), `… ${changed.length - 4} unchanged lines`, ...changed.slice(-2)] : changed;
				out.push(el("span", {}, shown.map((l) => `  ${l}\n`).join("")));
			} else {
				const sign = change.added ? "+" : "-";
				out.push(el(change.added ? "ins" : "del", {}, changed.map((l) => `${sign} ${l}\n`).join("")));
			}
		}
	}
	$("diff-output").replaceChildren(...out);
	$("diff-output").hidden = out.length === 0;
	$("diff-summary").textContent = out.length ? `v${a} → v${b}: ${added === 1 ? "1 line" : `${added} lines`} added, ${removed} removed.` : `v${a} and v${b} have the same content.`;
}

/** The curl command that makes a PDF from this template, naming the pinned version when there is one. */
function showExample() {
	const body = { template_id: current.id, ...(current.pinned_version ? { template_version: current.pinned_version } : {}), data: current.sample_data ?? {} };
	$("studio-example").textContent = `curl ${location.origin}/v1/generate \\
  -H "Authorization: Bearer $QUIRE_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '${JSON.stringify(body).replaceAll("'", "'\\''")}' \\
  -o document.pdf`;
	$("example-note").textContent = current.pinned_version
		? `Names the pinned version ${current.pinned_version}. Without template_version the API uses the newest version.`
		: "No version is pinned: the API uses the newest version. Pin one to name it here.";
}
