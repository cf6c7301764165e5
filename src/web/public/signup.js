// /signup: creates the account with POST /v1/accounts and shows its first key once; the dashboard
// is opened by signing in with the account's email.
import { api, enableCopyButtons } from "./session.js";

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
		const { data } = await api("/v1/accounts", { method: "POST", body: { email } });
		document.getElementById("new-key").textContent = data.key.key;
		form.hidden = true;
		const done = document.getElementById("signup-done");
		done.hidden = false;
		done.querySelector("h2").focus();
	} catch (e) {
		error.textContent = e.code === "CONFLICT" ? "An account with this email already exists. Sign in on the dashboard with your email." : e.message;
	} finally {
		button.disabled = false;
	}
});
