import { SecretValue } from "../../../web/layout";
import { ACTIONS, DataTable } from "./data-table";

/**
 * The dashboard's webhook endpoints: a form to add one (URL and events), its secret shown once,
 * the list with delete, and the delivery log of the endpoint picked, with a resend per attempt.
 * Filled by `/dashboard/webhooks.js` from /v1/webhook-endpoints.
 */
export function WebhookEndpoints() {
	return (
		<div id="endpoints">
			<h3>Endpoints</h3>
			<p>
				Async tasks and batches sent without their own <code>webhook_url</code> are delivered to every enabled endpoint that takes the event, signed with the endpoint's own
				secret.
			</p>
			<form id="endpoint-form" class="panel">
				<div>
					<label for="endpoint-url">Endpoint URL</label>
					<input id="endpoint-url" name="url" type="url" required maxlength={2048} placeholder="https://example.com/hooks/quire" />
				</div>
				<fieldset class="choices">
					<legend>Events</legend>
					<label>
						<input type="checkbox" name="events" value="task.completed" checked /> task.completed
					</label>
					<label>
						<input type="checkbox" name="events" value="task.failed" checked /> task.failed
					</label>
					<label>
						<input type="checkbox" name="events" value="batch.completed" checked /> batch.completed
					</label>
				</fieldset>
				<button type="submit" class="primary">
					Add endpoint
				</button>
			</form>
			{/* Outside the form, which a viewer doesn't see: deliveries' errors show here for them too. */}
			<p id="endpoint-status" role="status"></p>
			<div id="endpoint-created" class="panel notice" hidden>
				<p>
					<strong>The endpoint's signing secret, shown this once:</strong>
				</p>
				<SecretValue id="endpoint-secret" />
			</div>
			<DataTable id="endpoint-list" label="Webhook endpoints" columns={["URL", "Events", "State", "Created", ACTIONS]} />
			<div id="deliveries-panel" hidden>
				<h3 id="deliveries-title">Deliveries</h3>
				<DataTable id="delivery-list" labelledBy="deliveries-title" columns={["Sent", "Event", "About", "Attempt", "Answer", "Time", "Response", ACTIONS]} />
			</div>
		</div>
	);
}
