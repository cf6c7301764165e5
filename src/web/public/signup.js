// /signup: creates the account with POST /v1/accounts, shows its first key once, and keeps it in
// this tab's session for the dashboard.
import { api, enableCopyButtons, session } from "./session.js";

const form = document.getElementById("signup-form");
const error = document.getElementById("signup-error");
enableCopyButtons();

form.addEventListener("submit", async (event) => {
	event.preventDefault();
	error.textContent = "";
	const email = form.email.value.trim();
	if (!form.email.checkValidity()) {
		error.textContent = "Enter a valid email address.";
		form.email.focus();
		return;
	}
	const button = form.querySelector("button");
	button.disabled = true;
	try {
		const { data } = await api("/v1/accounts", { method: "POST", body: { email }, key: null });
		session.key = data.key.key;
		document.getElementById("new-key").textContent = data.key.key;
		form.hidden = true;
		const done = document.getElementById("signup-done");
		done.hidden = false;
		done.querySelector("h2").focus();
	} catch (e) {
		error.textContent = e.code === "CONFLICT" ? "An account with this email already exists. Sign in on the dashboard with one of its keys." : e.message;
	} finally {
		button.disabled = false;
	}
});
