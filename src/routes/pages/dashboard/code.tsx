/**
 * "Copy as code" under the template preview: the current template and data as a POST
 * /v1/generate request in curl, JavaScript, Python, PHP or Go, each runnable as shown with the key
 * in QUIRE_API_KEY. Filled by `/dashboard/code.js` (with `/snippets.js`).
 */
export function CopyAsCode() {
	return (
		<div id="code" class="copy-code">
			<h4 id="code-title">Copy as code</h4>
			<p class="hint">
				Set your key first: <code>export QUIRE_API_KEY=qk_live_…</code>. Each snippet saves the PDF as <code>document.pdf</code>.
			</p>
			<label for="code-language">Language</label>
			<select id="code-language"></select>
			<pre tabindex={0} aria-labelledby="code-title">
				<code id="code-snippet"></code>
			</pre>
			<button type="button" data-copy="code-snippet">
				Copy
			</button>
		</div>
	);
}
