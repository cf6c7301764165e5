import { CopyAsCode } from "./code";
import { ACTIONS, DataTable } from "./data-table";

/** The four parts of a template the editor has a tab for: id suffix, tab label, what the editor is called. */
const PARTS = [
	{ id: "html", label: "HTML", name: "Template HTML (Mustache)" },
	{ id: "css", label: "CSS", name: "Template CSS" },
	{ id: "schema", label: "Schema", name: "JSON Schema of the data" },
	{ id: "sample", label: "Sample data", name: "Sample data (JSON)" },
] as const;

/** Where the page's script draws a PDF's pages with pdf.js: a status line and the page images. */
function PdfView(props: { id: string; label: string }) {
	return (
		<div class="pdf-view">
			<p id={`${props.id}-status`} role="status" class="hint"></p>
			{/* Focusable: it scrolls, and a keyboard must be able to scroll it. */}
			<div id={`${props.id}-pages`} class="pdf-pages" role="group" aria-label={props.label} tabindex={0}></div>
		</div>
	);
}

/** Uploaded images and fonts (filled by /dashboard/assets.js): a drop zone, and a card per asset with its preview. */
function AssetsArea() {
	return (
		<div id="assets" aria-labelledby="assets-title">
			<h3 id="assets-title">Images and fonts</h3>
			<p>
				Upload a logo or a font once, then use it in any template: <strong>Insert</strong> puts it where the cursor is in the open template (an image in the HTML, a font's{" "}
				<code>@font-face</code> in the CSS).
			</p>
			<div id="asset-drop" class="drop-zone">
				<label for="asset-files">Choose images (PNG, JPEG, SVG) or fonts (WOFF2, WOFF, TTF, OTF), or drop them here</label>
				<input id="asset-files" type="file" multiple accept=".png,.jpg,.jpeg,.svg,.woff2,.woff,.ttf,.otf,image/png,image/jpeg,image/svg+xml,font/woff2,font/woff,font/ttf,font/otf" />
			</div>
			<p id="asset-status" role="status"></p>
			<p id="asset-quota" class="hint"></p>
			<ul id="asset-list" class="asset-grid" aria-label="Uploaded images and fonts"></ul>
		</div>
	);
}

/**
 * The dashboard's Templates section (filled by /dashboard/templates.js): the account's templates,
 * the editor (code beside a live preview, versions, the API example), uploaded assets, and the
 * built-in gallery as a grid of cards.
 */
export function TemplatesSection() {
	return (
		<section id="templates" aria-labelledby="templates-title">
			<link rel="stylesheet" href="/dashboard/templates.css" />
			<h2 id="templates-title">Templates</h2>
			<p>Write your own templates, or start from one of the gallery's. Previews run in test mode: watermarked, and they cost no credits.</p>

			<div class="toolbar">
				<h3 id="own-templates-title">Your templates</h3>
				<button type="button" id="template-new">
					New template
				</button>
			</div>
			<ul id="own-templates" class="own-templates" aria-labelledby="own-templates-title"></ul>

			<form id="template-create" class="panel narrow" hidden>
				<h3 id="create-title">New template</h3>
				<p id="create-from" class="hint"></p>
				<div>
					<label for="create-id">Template id</label>
					<input id="create-id" name="id" required maxlength={100} pattern="[a-z0-9][a-z0-9_\-]*(/[a-z0-9][a-z0-9_\-]*)*" aria-describedby="create-id-hint" />
					<p id="create-id-hint" class="hint">
						Lowercase letters, digits, - and _, in /-separated segments: <code>invoices/monthly</code>.
					</p>
				</div>
				<div>
					<label for="create-name">Template name</label>
					<input id="create-name" name="name" required maxlength={100} />
				</div>
				<div class="actions">
					<button type="submit" class="primary">
						Create template
					</button>
					<button type="button" id="create-cancel">
						Cancel
					</button>
				</div>
				<p id="create-status" class="error" role="alert"></p>
			</form>

			<div id="studio" class="panel studio" hidden>
				<div class="toolbar">
					<h3 id="studio-title" tabindex={-1}></h3>
					<p id="studio-meta" class="hint"></p>
					<button type="button" id="studio-close">
						Close the editor
					</button>
				</div>
				<div class="studio-grid">
					<div class="studio-code">
						<div role="tablist" aria-label="Template parts" class="studio-tabs">
							{PARTS.map((part, i) => (
								<button type="button" role="tab" id={`tab-${part.id}`} aria-controls={`part-${part.id}`} aria-selected={i === 0 ? "true" : "false"} tabindex={i === 0 ? 0 : -1} data-part={part.id}>
									{part.label}
								</button>
							))}
						</div>
						{PARTS.map((part, i) => (
							<div role="tabpanel" id={`part-${part.id}`} aria-labelledby={`tab-${part.id}`} class="code-panel" data-name={part.name} hidden={i !== 0}></div>
						))}
						<div aria-live="polite">
							<ul id="studio-problems" class="problems" aria-label="Problems"></ul>
						</div>
						<div class="actions">
							<button type="button" id="studio-save" class="primary">
								Save as a new version
							</button>
							<p id="studio-status" role="status"></p>
						</div>
					</div>
					<div class="studio-preview">
						<h4>Preview</h4>
						<PdfView id="studio-preview" label="Preview pages" />
					</div>
				</div>

				<h4 id="versions-title">Versions</h4>
				<DataTable id="versions" labelledBy="versions-title" columns={["Version", "Made", "By", ACTIONS]} />
				<form id="diff-form" class="inline-form">
					<div>
						<label for="diff-from">Compare version</label>
						<select id="diff-from"></select>
					</div>
					<div>
						<label for="diff-to">with version</label>
						<select id="diff-to"></select>
					</div>
					<button type="submit">Show the changes</button>
				</form>
				<p id="diff-summary" role="status"></p>
				<pre id="diff-output" class="diff" hidden tabindex={0} aria-label="Changes between the versions"></pre>

				<h4>Use it from the API</h4>
				<p id="example-note" class="hint"></p>
				<pre tabindex={0} aria-label="API example">
					<code id="studio-example"></code>
				</pre>
			</div>

			<AssetsArea />

			<h3 id="gallery-title">Gallery</h3>
			<ul id="template-list" class="template-grid" aria-labelledby="gallery-title"></ul>
			<form id="preview-form" class="panel gallery-preview" hidden>
				<h3 id="preview-title" tabindex={-1}></h3>
				<div class="studio-grid">
					<div>
						<label for="preview-data">Data (JSON)</label>
						<textarea id="preview-data" rows={14} spellcheck={false}></textarea>
						<div class="actions">
							<button type="submit" class="primary">
								Preview PDF
							</button>
							<a id="preview-download" download="preview.pdf" hidden>
								Download the PDF
							</a>
						</div>
					</div>
					<PdfView id="preview" label="Gallery preview pages" />
				</div>
				<CopyAsCode />
			</form>
		</section>
	);
}
