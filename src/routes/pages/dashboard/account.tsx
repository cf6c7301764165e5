import { ACTIONS, DataTable } from "./data-table";

/**
 * The dashboard's Account section: the account's email and plan, the signed-in member's role, the
 * members (owners invite and remove), and the member's sessions (revocable). Filled by
 * `/dashboard/account.js` from `/v1/session`, `/v1/members` and `/v1/sessions`.
 */
export function AccountSection() {
	return (
		<section id="account" aria-labelledby="account-title">
			<h2 id="account-title">Account</h2>
			<dl class="stats">
				<div>
					<dt>Account email</dt>
					<dd id="account-email">…</dd>
				</div>
				<div>
					<dt>Plan</dt>
					<dd id="account-plan">…</dd>
				</div>
				<div>
					<dt>Your role</dt>
					<dd id="account-role">…</dd>
				</div>
			</dl>
			<form id="email-form" class="inline-form" hidden>
				<div>
					<label for="new-account-email">New account email</label>
					<input id="new-account-email" name="email" type="email" required placeholder="billing@example.com" />
				</div>
				<button type="submit">Change email</button>
			</form>
			<p class="hint" id="email-hint" hidden>
				Both the current and the new address get a link; the change applies once both are followed.
			</p>

			<h3>Members</h3>
			<p class="hint">Owners manage people; developers manage keys, templates and documents; viewers only read.</p>
			<form id="member-form" class="inline-form" hidden>
				<div>
					<label for="member-email">Colleague's email</label>
					<input id="member-email" name="email" type="email" required placeholder="colleague@example.com" />
				</div>
				<div>
					<label for="member-role">Role</label>
					<select id="member-role" name="role">
						<option value="viewer">Viewer (read only)</option>
						<option value="developer">Developer</option>
						<option value="owner">Owner</option>
					</select>
				</div>
				<button type="submit" class="primary">
					Invite
				</button>
			</form>
			<DataTable id="member-list" label="Members" columns={["Email", "Role", "Joined", ACTIONS]} />

			<h3>Your sessions</h3>
			<DataTable id="session-list" label="Your sessions" columns={["Browser", "IP", "Signed in", "Expires", ACTIONS]} />
		</section>
	);
}
