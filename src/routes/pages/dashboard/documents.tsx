import { ACTIONS, DataTable } from "./data-table";

/**
 * The dashboard's documents: every stored PDF of the account (sync `url`, async tasks, batch and
 * merge outputs) until it expires, with its template, pages, size, dates, a download link and a
 * delete button. Filled by `/dashboard/documents.js` from GET /v1/files; deleting goes through
 * DELETE /v1/files/{id}.
 */
export function Documents() {
	return (
		<section id="documents" aria-labelledby="documents-title">
			<h2 id="documents-title">Documents</h2>
			<p>The hosted PDFs of this account, newest first, until they expire. The download links need no key: share them with care.</p>
			<p id="documents-status" role="status"></p>
			<DataTable id="document-list" label="Stored documents" columns={["File", "Template", "Pages", "Size", "Created", "Expires", ACTIONS]} />
			<button type="button" id="documents-more" hidden>
				More documents
			</button>
		</section>
	);
}
