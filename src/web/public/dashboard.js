// /dashboard: signs in by email, then fills every section from the public API as the signed-in
// member (the session cookie). What the member's role may not do is hidden; the API refuses it anyway.
import { EMAIL_OUTCOMES, loadAccount } from "./dashboard/account.js";
import { loadDocuments } from "./dashboard/documents.js";
import { loadTemplates } from "./dashboard/templates.js";
import { loadWebhookEndpoints } from "./dashboard/webhooks.js";
import { api, day, el, enableCopyButtons, when } from "./session.js";

const $ = (id) => document.getElementById(id);
const status = $("status");

/** The signed-in member, account and session: GET /v1/session's `data`. */
let me = null;
const canEdit = () => me?.member.role !== "viewer";

function report(error) {
	status.textContent = error?.message ?? String(error);
}

// ---- signing in and out ------------------------------------------------------------------------

function showSignin(message = "") {
	me = null;
	$("app").hidden = true;
	$("signin").hidden = false;
	status.textContent = message;
	$("signin-email").focus();
}

/** Opens the dashboard when the session cookie signs someone in; otherwise the sign-in form. */
async function start() {
	const expired = new URLSearchParams(location.search).get("signin") === "expired";
	const expiredMessage = expired ? "That sign-in link has expired or was already used: ask for a new one." : "";
	if ($("app").dataset.session === "absent") return showSignin(expiredMessage);
	try {
		me = (await api("/v1/session")).data;
	} catch (error) {
		if (error.status !== 401) return report(error);
		return showSignin(expiredMessage || "Your session has ended: sign in again.");
	}
	$("signin").hidden = true;
	$("app").hidden = false;
	$("session-email").textContent = me.member.email;
	$("session-role").textContent = me.member.role;
	// What a viewer may not do is not offered (the API refuses it all the same).
	$("key-form").hidden = !canEdit();
	$("webhook-rotate").hidden = !canEdit();
	$("preview-form").querySelector("button[type=submit]").hidden = !canEdit();
	await refresh();
	const outcome = EMAIL_OUTCOMES[new URLSearchParams(location.search).get("email")];
	if (outcome) status.textContent = outcome;
}

$("signin").addEventListener("submit", async (event) => {
	event.preventDefault();
	const email = $("signin-email").value.trim();
	try {
		await api("/v1/sessions/email", { method: "POST", body: { email } });
		$("signin-sent").textContent = `Check your inbox: a sign-in link is on its way to ${email}.`;
		status.textContent = "";
	} catch (error) {
		report(error);
	}
});

$("signout").addEventListener("click", async () => {
	try {
		await api("/v1/session", { method: "DELETE" });
	} catch (error) {
		if (error.status !== 401) return report(error);
	}
	showSignin("Signed out.");
});

$("refresh").addEventListener("click", () => refresh());

/** After a preview (a test document): the usage figures and the log change. */
function onGenerated() {
	loadOverview().catch(report);
	loadGenerations().catch(report);
}

/** Reloads every section; an ended session (signed out elsewhere, revoked, removed) sends the user back to sign-in. */
async function refresh() {
	status.textContent = "";
	// One refresh at a time: a click while one runs would only make its answers stale.
	$("refresh").disabled = true;
	const results = await Promise.allSettled([loadOverview(), loadGenerations(), loadTasks(), loadKeys(), loadWebhook(), loadTemplates({ onGenerated, canEdit: canEdit() }), loadDocuments(canEdit()), loadWebhookEndpoints(canEdit()), loadAccount(me, report)]);
	$("refresh").disabled = false;
	const failed = results.find((r) => r.status === "rejected");
	if (!failed) return;
	if (failed.reason?.status === 401) showSignin("Your session has ended: sign in again.");
	else report(failed.reason);
}

// ---- credits and usage -------------------------------------------------------------------------

async function loadOverview() {
	const [credits, { data: usage }] = await Promise.all([api("/v1/credits"), api("/v1/usage")]);
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

/** The smallest "round" number (1, 2 or 5 times a power of ten) at or above `n`: the top of the y axis. */
function roundUp(n) {
	const power = 10 ** Math.floor(Math.log10(Math.max(n, 1)));
	return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= n);
}

/** The days of the period's month, after the API's `daily` (period start to today): the chart spans the whole month. */
function monthOf(days) {
	const first = new Date(`${days[0].date}T00:00:00Z`);
	const length = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
	return Array.from({ length }, (_, i) => days[i] ?? { date: new Date(first.getTime() + i * 86_400_000).toISOString().slice(0, 10), future: true });
}

/**
 * Documents per day over the period's month: live bars with test documents stacked on top, a
 * y axis with gridlines, each day's total above its bar, day numbers below, and a legend. Each
 * day's numbers are its tooltip. Without any document yet, a sentence says so instead.
 */
function drawChart(days) {
	const total = days.reduce((sum, d) => sum + d.documents, 0);
	const tests = days.reduce((sum, d) => sum + d.test_documents, 0);
	const caption = $("usage-caption");
	if (days.length === 0 || total + tests === 0) {
		$("usage-chart").replaceChildren(el("p", { class: "chart-empty" }, "No documents yet this period. Preview a template below (free, in test mode) or make one through the API: each day's documents show here."));
		caption.textContent = "Documents per day this period.";
		return;
	}
	const width = 640;
	const height = 200;
	const [left, right, top, bottom] = [34, 8, 28, 22];
	const month = monthOf(days);
	const most = roundUp(Math.max(...days.map((d) => d.documents + d.test_documents)));
	const plot = height - top - bottom;
	const slot = (width - left - right) / month.length;
	const y = (n) => height - bottom - (n / most) * plot;
	const summary = `${total} documents and ${tests} test documents this period, over ${days.length} days`;
	const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": summary });

	for (const tick of [0, most / 2, most].filter((t) => Number.isInteger(t))) {
		chart.append(svg("line", { x1: left, x2: width - right, y1: y(tick), y2: y(tick), class: tick === 0 ? "axis-line" : "grid-line" }));
		chart.append(svg("text", { x: left - 6, y: y(tick) + 4, "text-anchor": "end", class: "axis" }, tick));
	}
	month.forEach((d, i) => {
		const x = left + i * slot + slot * 0.15;
		const w = slot * 0.7;
		const dayNumber = Number(d.date.slice(8));
		if (dayNumber === 1 || dayNumber % 5 === 0) chart.append(svg("text", { x: x + w / 2, y: height - 6, "text-anchor": "middle", class: "axis" }, dayNumber));
		if (d.future) return;
		const group = svg("g");
		group.append(svg("title", {}, `${day(d.date)}: ${d.documents} documents, ${d.test_documents} test`));
		group.append(svg("rect", { x, y: y(d.documents), width: w, height: height - bottom - y(d.documents), class: "bar-live" }));
		group.append(svg("rect", { x, y: y(d.documents + d.test_documents), width: w, height: y(d.documents) - y(d.documents + d.test_documents), class: "bar-test" }));
		const count = d.documents + d.test_documents;
		if (count > 0) group.append(svg("text", { x: x + w / 2, y: y(count) - 3, "text-anchor": "middle", class: "bar-value" }, count));
		// An invisible full-height target, so days with no documents still show their tooltip.
		group.append(svg("rect", { x: left + i * slot, y: top, width: slot, height: plot, fill: "transparent" }));
		chart.append(group);
	});
	// The legend, top right.
	[["bar-live", "Live"], ["bar-test", "Test"]].forEach(([kind, label], i) => {
		const x = width - right - 120 + i * 62;
		chart.append(svg("rect", { x, y: 6, width: 10, height: 10, class: kind }));
		chart.append(svg("text", { x: x + 14, y: 15, class: "axis" }, label));
	});
	$("usage-chart").replaceChildren(chart);
	caption.textContent = `Documents per day this month (live in blue, test in grey; the number is the day's total): ${total} live, ${tests} test so far.`;
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
	const rows = keys.map((k) => {
		const action = canEdit() ? el("button", { type: "button", class: "danger", "aria-label": `Revoke ${k.name}`, onclick: () => revokeKey(k) }, "Revoke") : "";
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
start().catch(report);
