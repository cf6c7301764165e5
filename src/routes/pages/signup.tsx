import type { App } from "../../http/app-env";
import { Layout, SecretValue, sendPage } from "../../web/layout";

/** `GET /signup`: the sign-up form; the page's script calls `POST /v1/accounts` and shows the key once. */
export function registerSignupPage(app: App) {
	app.get("/signup", (c) =>
		sendPage(
			c,
			<Layout title="Sign up" section="signup" script="/signup.js">
				<h1>Create your account</h1>
				<p class="lead">50 documents every month for free. No card.</p>
				<form id="signup-form" class="panel narrow" novalidate>
					<label for="email">Email</label>
					<input id="email" name="email" type="email" autocomplete="email" required aria-describedby="signup-error" />
					<button type="submit" class="primary">
						Create account
					</button>
					<p id="signup-error" class="error" role="alert"></p>
				</form>

				<section id="signup-done" class="panel narrow" hidden aria-labelledby="key-title">
					<h2 id="key-title" tabindex={-1}>
						Your API key
					</h2>
					<p>
						<strong>This is the only time it is shown.</strong> Store it somewhere safe, such as your secrets manager: Quire keeps only a hash of it.
					</p>
					<SecretValue id="new-key" />
					<p>The dashboard signs you in by email: it sends a link to this address.</p>
					<p>
						<a class="button primary" id="open-dashboard" href="/dashboard">
							Open the dashboard
						</a>
					</p>
				</section>
			</Layout>,
		),
	);
}
