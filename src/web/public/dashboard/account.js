// The dashboard's Account section (src/routes/pages/dashboard/account.tsx): the account, its
// members and the member's sessions, from /v1/members and /v1/sessions. Owners see the invite form
// and Remove buttons; the API refuses anyone else all the same.
import { api, el, when } from "../session.js";

const $ = (id) => document.getElementById(id);

/** Fills the section for the signed-in member `me` (GET /v1/session's `data`); `report` shows an error. */
export async function loadAccount(me, report) {
	$("account-email").textContent = me.account.email;
	$("account-plan").textContent = me.account.plan;
	$("account-role").textContent = me.member.role;
	const owner = me.member.role === "owner";
	$("member-form").hidden = !owner;
	$("member-form").onsubmit = (event) => invite(event, me, report);
	$("email-form").hidden = !owner;
	$("email-hint").hidden = !owner;
	$("email-form").onsubmit = (event) => changeEmail(event, report);
	const [{ data: members }, { data: sessions }] = await Promise.all([api("/v1/members"), api("/v1/sessions")]);
	$("member-list").tBodies[0].replaceChildren(...members.map((m) => memberRow(m, me, owner, report)));
	$("session-list").tBodies[0].replaceChildren(...sessions.map((s) => sessionRow(s, me, report)));
}

function memberRow(m, me, owner, report) {
	const self = m.id === me.member.id;
	const action = owner && !self ? el("button", { type: "button", class: "danger", "aria-label": `Remove ${m.email}`, onclick: () => remove(m, me, report) }, "Remove") : self ? el("span", { class: "hint" }, "you") : "";
	return el("tr", {}, el("td", {}, m.email), el("td", {}, m.role), el("td", {}, m.joined_at ? when(m.joined_at) : "invited"), el("td", {}, action));
}

function sessionRow(s, me, report) {
	const action = s.current ? el("span", { class: "hint" }, "this browser") : el("button", { type: "button", class: "danger", "aria-label": `Revoke the session of ${when(s.created_at)}`, onclick: () => revoke(s, me, report) }, "Revoke");
	return el("tr", {}, el("td", {}, browserName(s.user_agent)), el("td", {}, s.ip ?? "–"), el("td", {}, when(s.created_at)), el("td", {}, when(s.expires_at)), el("td", {}, action));
}

/** A short name for a User-Agent: the browser's, or the first words. */
function browserName(userAgent) {
	if (!userAgent) return "unknown";
	const known = /(Edg|Firefox|Chrome|Safari)\/[\d.]+/.exec(userAgent);
	return known ? known[0].replace("Edg/", "Edge/") : userAgent.slice(0, 40);
}

async function invite(event, me, report) {
	event.preventDefault();
	const form = event.target;
	try {
		await api("/v1/members", { method: "POST", body: { email: form.email.value.trim(), role: form.role.value } });
		$("status").textContent = `Invited ${form.email.value.trim()}: they were emailed a sign-in link.`;
		form.reset();
		await loadAccount(me, report);
	} catch (error) {
		report(error);
	}
}

async function changeEmail(event, report) {
	event.preventDefault();
	const form = event.target;
	try {
		const { data } = await api("/v1/account/email", { method: "POST", body: { email: form.email.value.trim() } });
		$("status").textContent = `Confirmation links were sent to the current address and to ${data.pending_email}: the change applies once both are followed.`;
		form.reset();
	} catch (error) {
		report(error);
	}
}

/** What a confirmation link's landing (`/dashboard?email=<outcome>`) says. */
export const EMAIL_OUTCOMES = {
	changed: "The account's email is changed: both addresses confirmed.",
	confirmed: "Confirmed. The change applies once the other address confirms too.",
	invalid: "That confirmation link has expired or was already used.",
	taken: "The new address was taken meanwhile: the email is unchanged.",
};

async function remove(member, me, report) {
	if (!confirm(`Remove ${member.email}? They are signed out at once.`)) return;
	try {
		await api(`/v1/members/${encodeURIComponent(member.id)}`, { method: "DELETE" });
		$("status").textContent = `Removed ${member.email}.`;
		await loadAccount(me, report);
	} catch (error) {
		report(error);
	}
}

async function revoke(session, me, report) {
	try {
		await api(`/v1/sessions/${encodeURIComponent(session.id)}`, { method: "DELETE" });
		await loadAccount(me, report);
	} catch (error) {
		report(error);
	}
}
