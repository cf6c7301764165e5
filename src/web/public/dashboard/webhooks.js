// The dashboard's webhook endpoints: add, list, delete, and each endpoint's delivery log with resend.
// A viewer sees the lists only: no form, no Enable/Disable, Delete or Resend (the API refuses them anyway).
import { api, el, when } from "../session.js";

const $ = (id) => document.getElementById(id);

/** The endpoint whose deliveries are shown, or null. */
let shown = null;
/** Whether the signed-in member may change endpoints (not a viewer), as the dashboard last said. */
let editable = false;

function say(text) {
	$("endpoint-status").textContent = text;
}

/**
 * Fills the endpoint list, and the delivery log of the one shown (if it still exists). `canEdit`:
 * whether the member may change them (the dashboard passes it; the section's own reloads keep it).
 */
export async function loadWebhookEndpoints(canEdit = editable) {
	editable = canEdit;
	$("endpoint-form").hidden = !editable;
	const { data: endpoints } = await api("/v1/webhook-endpoints");
	const rows = endpoints.map((endpoint) =>
		el(
			"tr",
			{},
			el("td", {}, el("code", {}, endpoint.url)),
			el("td", {}, endpoint.events.join(", ")),
			el("td", {}, endpoint.enabled ? "enabled" : "disabled"),
			el("td", {}, when(endpoint.created_at)),
			el(
				"td",
				{},
				el("button", { type: "button", "aria-label": `Deliveries to ${endpoint.url}`, onclick: () => showDeliveries(endpoint).catch((e) => say(e.message)) }, "Deliveries"),
				editable
					? [
							" ",
							el("button", { type: "button", "aria-label": `${endpoint.enabled ? "Disable" : "Enable"} ${endpoint.url}`, onclick: () => toggle(endpoint) }, endpoint.enabled ? "Disable" : "Enable"),
							" ",
							el("button", { type: "button", class: "danger", "aria-label": `Delete ${endpoint.url}`, onclick: () => deleteEndpoint(endpoint) }, "Delete"),
						]
					: [],
			),
		),
	);
	$("endpoint-list").tBodies[0].replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 5, class: "empty" }, "No endpoints yet."))]));
	const current = shown && endpoints.find((e) => e.id === shown.id);
	if (current) await showDeliveries(current);
	else hideDeliveries();
}

function hideDeliveries() {
	shown = null;
	$("deliveries-panel").hidden = true;
}

/** The endpoint's delivery log, newest first (its last 20 attempts). */
async function showDeliveries(endpoint) {
	const { data } = await api(`/v1/webhook-endpoints/${encodeURIComponent(endpoint.id)}/deliveries?limit=20`);
	shown = endpoint;
	$("deliveries-title").textContent = `Deliveries to ${endpoint.url}`;
	const rows = data.map((d) =>
		el(
			"tr",
			{},
			el("td", {}, when(d.created_at)),
			el("td", {}, d.event),
			el("td", {}, el("code", {}, d.subject_id)),
			el("td", { class: "num" }, d.attempt),
			el("td", { class: d.status !== null && d.status < 300 ? "ok" : "bad" }, d.status ?? d.error ?? "no answer"),
			el("td", { class: "num" }, `${d.duration_ms} ms`),
			el("td", {}, d.response_excerpt ? d.response_excerpt.slice(0, 80) : "–"),
			el("td", {}, editable ? el("button", { type: "button", "aria-label": `Resend ${d.event} attempt ${d.attempt}`, onclick: () => resend(endpoint, d) }, "Resend") : ""),
		),
	);
	$("delivery-list").tBodies[0].replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 8, class: "empty" }, "Nothing delivered yet."))]));
	$("deliveries-panel").hidden = false;
}

async function resend(endpoint, delivery) {
	try {
		const { data } = await api(`/v1/webhook-endpoints/${encodeURIComponent(endpoint.id)}/deliveries/${encodeURIComponent(delivery.id)}/resend`, { method: "POST" });
		say(`Resent ${data.event}: ${data.status ?? data.error} in ${data.duration_ms} ms.`);
		await showDeliveries(endpoint);
	} catch (error) {
		say(error.message);
	}
}

/** Turns deliveries to the endpoint off or on (PATCH `enabled`). */
async function toggle(endpoint) {
	try {
		const { data } = await api(`/v1/webhook-endpoints/${encodeURIComponent(endpoint.id)}`, { method: "PATCH", body: { enabled: !endpoint.enabled } });
		say(`${data.enabled ? "Enabled" : "Disabled"} ${data.url}.`);
		await loadWebhookEndpoints();
	} catch (error) {
		say(error.message);
	}
}

async function deleteEndpoint(endpoint) {
	if (!confirm(`Delete the endpoint ${endpoint.url}? Its delivery log goes with it.`)) return;
	try {
		await api(`/v1/webhook-endpoints/${encodeURIComponent(endpoint.id)}`, { method: "DELETE" });
		say(`Deleted ${endpoint.url}.`);
		await loadWebhookEndpoints();
	} catch (error) {
		say(error.message);
	}
}

$("endpoint-form").addEventListener("submit", async (event) => {
	event.preventDefault();
	const form = event.target;
	const events = [...form.querySelectorAll("input[name=events]:checked")].map((input) => input.value);
	if (events.length === 0) return say("Pick at least one event.");
	try {
		const { data } = await api("/v1/webhook-endpoints", { method: "POST", body: { url: form.url.value.trim(), events } });
		$("endpoint-secret").textContent = data.secret;
		$("endpoint-created").hidden = false;
		say(`Added ${data.url}.`);
		form.url.value = "";
		await loadWebhookEndpoints();
		await showDeliveries(data);
	} catch (error) {
		say(error.message);
	}
});
