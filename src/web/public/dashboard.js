// /dashboard: every section is filled from the public API with the API key of this tab's session.
import { loadTemplates } from "./dashboard/templates.js";
import { api, day, el, enableCopyButtons, session, when } from "./session.js";

const $ = (id) => document.getElementById(id);
const status = $("status");

/** What the API's key lists show for a key: its first 12 characters, "...", its last 4. */
const preview = (key) => `${key.slice(0, 12)}...${key.slice(-4)}`;

function report(error) {
	status.textContent = error?.message ?? String(error);
}

// ---- signing in and out ------------------------------------------------------------------------

function showSignin(message = "") {
	$("app").hidden = true;
	$("signin").hidden = false;
	status.textContent = message;
	$("signin-key").focus();
}

async function showApp() {
	$("signin").hidden = true;
	$("app").hidden = false;
	$("session-key").textContent = preview(session.key);
	await refresh();
}

$("signin").addEventListener("submit", async (event) => {
	event.preventDefault();
	const key = $("signin-key").value.trim();
	try {
		await api("/v1/credits", { key }); // refused keys throw here, before anything is kept
		session.key = key;
		$("signin-key").value = "";
		await showApp();
	} catch (error) {
		showSignin(error.status === 401 ? "That key was not accepted: check it, or sign up for one." : error.message);
	}
});

$("signout").addEventListener("click", () => {
	session.key = null;
	showSignin("Signed out.");
});

$("refresh").addEventListener("click", () => refresh());

/** After a preview (a test document): the usage figures and the log change. */
function onGenerated() {
	loadOverview().catch(report);
	loadGenerations().catch(report);
}

/** Reloads every section; a revoked session key sends the user back to sign-in. */
async function refresh() {
	status.textContent = "";
	const results = await Promise.allSettled([loadOverview(), loadGenerations(), loadTasks(), loadKeys(), loadWebhook(), loadTemplates({ onGenerated })]);
	const failed = results.find((r) => r.status === "rejected");
	if (!failed) return;
	if (failed.reason?.status === 401) {
		session.key = null;
		showSignin("This key is no longer valid: sign in with another.");
	} else report(failed.reason);
}

// ---- credits and usage -------------------------------------------------------------------------

async function loadOverview() {
	const [credits, { data: usage }] = await Promise.all([api("/v1/credits"), api("/v1/usage")]);
	$("session-mode").textContent = credits.mode === "test" ? "test mode" : "live";
	$("credits-left").textContent = String(credits.credits_left);
	$("pdfs-generated").textContent = usage.pdfs_limit === null ? String(usage.pdfs_generated) : `${usage.pdfs_generated} of ${usage.pdfs_limit}`;
	$("plan").textContent = usage.plan;
	$("resets-at").textContent = day(usage.period.resets_at);
	$("rate-limit").textContent = `${usage.rate_limit.requests_per_minute} requests a minute`;
	$("test-today").textContent = `${usage.test_pdfs_today} of ${usage.test_daily_limit}`;
	drawChart(usage.daily);
}

const SVG = "http://www.w3.org/2000/svg";
const svg = (tag, attrs = {}, text) => {
	const node = document.createElementNS(SVG, tag);
	for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
	if (text !== undefined) node.textContent = text;
	return node;
};

/** Bars of documents per day (live, with test documents stacked on top), each with its numbers as a tooltip. */
function drawChart(days) {
	const width = 640;
	const height = 160;
	const top = 12;
	const bottom = 22;
	const most = Math.max(1, ...days.map((d) => d.documents + d.test_documents));
	const slot = width / Math.max(days.length, 1);
	const scale = (n) => (n / most) * (height - top - bottom);
	const total = days.reduce((sum, d) => sum + d.documents, 0);
	const tests = days.reduce((sum, d) => sum + d.test_documents, 0);
	const summary = `${total} documents and ${tests} test documents this period, over ${days.length} days`;
	const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": summary });
	days.forEach((d, i) => {
		const x = i * slot + slot * 0.15;
		const w = slot * 0.7;
		const live = scale(d.documents);
		const test = scale(d.test_documents);
		const group = svg("g");
		group.append(svg("title", {}, `${day(d.date)}: ${d.documents} documents, ${d.test_documents} test`));
		group.append(svg("rect", { x, y: height - bottom - live, width: w, height: live, class: "bar-live" }));
		group.append(svg("rect", { x, y: height - bottom - live - test, width: w, height: test, class: "bar-test" }));
		// An invisible full-height target, so days with no documents still show their tooltip.
		group.append(svg("rect", { x: i * slot, y: 0, width: slot, height, fill: "transparent" }));
		if (i === 0 || i === days.length - 1 || days.length <= 8) {
			group.append(svg("text", { x: x + w / 2, y: height - 6, "text-anchor": "middle", class: "axis" }, d.date.slice(5)));
		}
		chart.append(group);
	});
	chart.append(svg("line", { x1: 0, x2: width, y1: height - bottom, y2: height - bottom, class: "axis-line" }));
	$("usage-chart").replaceChildren(chart);
	$("usage-caption").textContent = `Documents per day this period (live in blue, test in grey): ${total} live, ${tests} test.`;
}

// ---- activity ----------------------------------------------------------------------------------

let generationsCursor = null;
/** Bumped by every load, so an answer that a newer load (Refresh, a preview) overtook is dropped. */
let generationsLoad = 0;

function generationRow(g) {
	const how = g.source === "async" ? "async task" : "sync";
	const state = g.status === "completed" ? "completed" : `failed (${g.error_code ?? "error"})`;
	return el(
		"tr",
		{},
		el("td", {}, when(g.created_at)),
		el("td", {}, g.template_id ?? "inline HTML"),
		el("td", {}, g.mode),
		el("td", {}, how),
		el("td", { class: g.status === "completed" ? "ok" : "bad" }, state),
		el("td", { class: "num" }, g.pages ?? "–"),
		el("td", { class: "num" }, `${g.duration_ms} ms`),
	);
}

async function loadGenerations(more = false) {
	const load = ++generationsLoad;
	const query = new URLSearchParams({ limit: "10" });
	if (more && generationsCursor) query.set("cursor", generationsCursor);
	const page = await api(`/v1/generations?${query}`);
	if (load !== generationsLoad) return;
	const body = $("generations").tBodies[0];
	const rows = page.data.map(generationRow);
	if (more) body.append(...rows);
	else body.replaceChildren(...(rows.length ? rows : [emptyRow(7, "No documents yet.")]));
	generationsCursor = page.next_cursor;
	$("generations-more").hidden = !page.has_more;
}

$("generations-more").addEventListener("click", () => loadGenerations(true).catch(report));

async function loadTasks() {
	const page = await api("/v1/tasks?limit=10");
	const rows = page.data.map((t) =>
		el(
			"tr",
			{},
			el("td", {}, when(t.created_at)),
			el("td", {}, el("code", {}, t.task_id)),
			el("td", { class: t.status === "failed" ? "bad" : t.status === "completed" ? "ok" : "" }, t.status),
			el("td", {}, t.url ? el("a", { href: t.url }, "PDF") : (t.error?.message ?? "–")),
		),
	);
	$("tasks").tBodies[0].replaceChildren(...(rows.length ? rows : [emptyRow(4, "No async tasks yet.")]));
}

function emptyRow(columns, text) {
	return el("tr", {}, el("td", { colspan: columns, class: "empty" }, text));
}

// ---- API keys ----------------------------------------------------------------------------------

async function loadKeys() {
	const { data: keys } = await api("/v1/keys");
	const mine = preview(session.key);
	const rows = keys.map((k) => {
		const current = k.key_preview === mine;
		const action = current
			? el("span", { class: "hint" }, "this session")
			: el("button", { type: "button", class: "danger", "aria-label": `Revoke ${k.name}`, onclick: () => revokeKey(k) }, "Revoke");
		return el("tr", {}, el("td", {}, k.name), el("td", {}, el("code", {}, k.key_preview)), el("td", {}, when(k.created_at)), el("td", {}, when(k.last_used_at)), el("td", {}, action));
	});
	$("key-list").tBodies[0].replaceChildren(...rows);
}

async function revokeKey(key) {
	if (!confirm(`Revoke "${key.name}" (${key.key_preview})? Requests with it fail at once.`)) return;
	try {
		await api(`/v1/keys/${encodeURIComponent(key.id)}`, { method: "DELETE" });
		status.textContent = `Revoked "${key.name}".`;
		await loadKeys();
	} catch (error) {
		report(error);
	}
}

$("key-form").addEventListener("submit", async (event) => {
	event.preventDefault();
	const form = event.target;
	try {
		const { data } = await api("/v1/keys", { method: "POST", body: { name: form.name.value.trim(), mode: form.mode.value } });
		$("key-created-value").textContent = data.key;
		$("key-created").hidden = false;
		form.reset();
		await loadKeys();
	} catch (error) {
		report(error);
	}
});

// ---- webhook secret ----------------------------------------------------------------------------

let webhookConfigured = false;

async function loadWebhook() {
	const { data } = await api("/v1/webhook-secret");
	webhookConfigured = data.configured;
	$("webhook-state").textContent = data.configured ? `A secret is set (created ${when(data.created_at)}). Its value was shown once.` : "No secret yet: create one before sending webhook_url.";
	$("webhook-rotate").textContent = data.configured ? "Rotate the secret" : "Create a secret";
}

$("webhook-rotate").addEventListener("click", async () => {
	if (webhookConfigured && !confirm("Rotate the webhook secret? Deliveries are signed with the new one from now on.")) return;
	try {
		const { data } = await api("/v1/webhook-secret", { method: "POST" });
		$("webhook-secret").textContent = data.secret;
		$("webhook-created").hidden = false;
		await loadWebhook();
	} catch (error) {
		report(error);
	}
});

// ---- start -------------------------------------------------------------------------------------

enableCopyButtons();
if (session.key) showApp().catch(report);
else showSignin();
