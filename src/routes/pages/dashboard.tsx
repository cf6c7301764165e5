import { getCookie } from "hono/cookie";
import { SESSION_COOKIE } from "../../auth/sessions";
import type { App } from "../../http/app-env";
import { Layout, SecretValue, sendPage } from "../../web/layout";
import { AccountSection } from "./dashboard/account";
import { ACTIONS, DataTable } from "./dashboard/data-table";
import { Documents } from "./dashboard/documents";
import { TemplatesSection } from "./dashboard/templates";
import { WebhookEndpoints } from "./dashboard/webhooks";

/** A hidden panel the page's script fills with a secret and shows, once. */
function ShowOnce(props: { id: string; valueId: string; title: string }) {
	return (
		<div id={props.id} class="panel notice" hidden>
			<p>
				<strong>{props.title}</strong>
			</p>
			<SecretValue id={props.valueId} />
		</div>
	);
}


/**
 * `GET /dashboard`: the page's skeleton. Its script (`/dashboard.js`) signs in by email (a link,
 * then the session cookie) and fills every section from the public API (`/v1/session`,
 * `/v1/credits`, `/v1/usage`, `/v1/generations`, `/v1/tasks`, `/v1/files`, `/v1/keys`, `/v1/templates`,
 * `/v1/webhook-secret`, `/v1/webhook-endpoints`, `/v1/members`, `/v1/sessions`), so the dashboard can
 * do nothing the API doesn't let the member's role do.
 */
export function registerDashboardPage(app: App) {
	app.get("/dashboard", (c) => {
		// Whether a session cookie came (valid or not): without one the script shows the sign-in form
		// at once, rather than asking the API and getting a 401.
		const cookie = getCookie(c, SESSION_COOKIE) ? "present" : "absent";
		return sendPage(
			c,
			<Layout title="Dashboard" section="dashboard" script="/dashboard.js">
				<h1>Dashboard</h1>
				<p id="status" class="error" role="alert"></p>

				<form id="signin" class="panel narrow" hidden>
					<h2>Sign in by email</h2>
					<label for="signin-email">Email</label>
					<input id="signin-email" name="email" type="email" autocomplete="email" required placeholder="you@example.com" />
					<p class="hint">We email you a link that signs you in; it works once, within 15 minutes. A new address gets a new free account.</p>
					<button type="submit" class="primary">
						Email me a sign-in link
					</button>
					<p id="signin-sent" role="status"></p>
					<p>
						Want an API key right away? <a href="/signup">Sign up</a>.
					</p>
				</form>

				<div id="app" hidden data-session={cookie}>
					<div class="toolbar">
						<p>
							Signed in as <strong id="session-email"></strong> <span id="session-role" class="badge"></span>
						</p>
						<button type="button" id="refresh">
							Refresh
						</button>
						<button type="button" id="signout">
							Sign out
						</button>
					</div>
					<nav aria-label="Dashboard sections" class="tabs">
						<a href="#overview">Credits and usage</a>
						<a href="#activity">Activity</a>
						<a href="#documents">Documents</a>
						<a href="#keys">API keys</a>
						<a href="#templates">Templates</a>
						<a href="#webhooks">Webhooks</a>
						<a href="#account">Account</a>
					</nav>

					<section id="overview" aria-labelledby="overview-title">
						<h2 id="overview-title">Credits and usage</h2>
						<dl class="stats">
							<div>
								<dt>Credits left</dt>
								<dd id="credits-left">…</dd>
							</div>
							<div>
								<dt>Documents this period</dt>
								<dd id="pdfs-generated">…</dd>
							</div>
							<div>
								<dt>Plan</dt>
								<dd id="plan">…</dd>
							</div>
							<div>
								<dt>Allowance resets</dt>
								<dd id="resets-at">…</dd>
							</div>
							<div>
								<dt>Rate limit</dt>
								<dd id="rate-limit">…</dd>
							</div>
							<div>
								<dt>Test documents today</dt>
								<dd id="test-today">…</dd>
							</div>
						</dl>
						<figure class="chart">
							<div id="usage-chart"></div>
							<figcaption id="usage-caption">Documents per day this period.</figcaption>
						</figure>
					</section>

					<section id="activity" aria-labelledby="activity-title">
						<h2 id="activity-title">Activity</h2>
						<h3>Recent generations</h3>
						<DataTable id="generations" label="Recent generations" columns={["When", "Template", "Mode", "How", "Status", "Pages", "Time"]} />
						<button type="button" id="generations-more" hidden>
							Show more
						</button>
						<h3>Recent async tasks</h3>
						<DataTable id="tasks" label="Recent async tasks" columns={["Created", "Task", "Status", "Result"]} />
					</section>

					<Documents />

					<section id="keys" aria-labelledby="keys-title">
						<h2 id="keys-title">API keys</h2>
						<form id="key-form" class="inline-form">
							<div>
								<label for="key-name">Name</label>
								<input id="key-name" name="name" required maxlength={100} placeholder="Production Server" />
							</div>
							<div>
								<label for="key-mode">Mode</label>
								<select id="key-mode" name="mode">
									<option value="live">Live</option>
									<option value="test">Test (watermarked, free)</option>
								</select>
							</div>
							<button type="submit" class="primary">
								Create key
							</button>
						</form>
						<ShowOnce id="key-created" valueId="key-created-value" title="Your new key, shown this once:" />
						<DataTable id="key-list" label="API keys" columns={["Name", "Key", "Created", "Last used", ACTIONS]} />
					</section>

					<TemplatesSection />

					<section id="webhooks" aria-labelledby="webhooks-title">
						<h2 id="webhooks-title">Webhooks</h2>
						<h3>Account secret</h3>
						<p>
							Async tasks with a <code>webhook_url</code> are delivered signed with this secret (<code>Quire-Signature</code> header).
						</p>
						<p id="webhook-state">…</p>
						<button type="button" id="webhook-rotate">
							Create a secret
						</button>
						<ShowOnce id="webhook-created" valueId="webhook-secret" title="Your webhook secret, shown this once:" />
						<WebhookEndpoints />
					</section>

					<AccountSection />
				</div>
			</Layout>,
		);
	});
}
