// "Copy as code" for the template being previewed: its data, as it is in the editor now.
import { LANGUAGES, snippets } from "../snippets.js";

const $ = (id) => document.getElementById(id);
let templateId = null;

for (const [value, label] of Object.entries(LANGUAGES)) $("code-language").append(new Option(label, value));

/** Shows the snippet of the chosen language for `templateId` and the editor's data (if it is JSON). */
function render() {
	if (!templateId) return;
	let data;
	try {
		data = JSON.parse($("preview-data").value);
	} catch {
		$("code-snippet").textContent = "The data is not valid JSON: fix it to see the code.";
		return;
	}
	$("code-snippet").textContent = snippets(location.origin, { template_id: templateId, data })[$("code-language").value];
}

/** Called when a template is picked: the code follows it and its data from now on. */
export function showCode(id) {
	templateId = id;
	render();
}

$("code-language").addEventListener("change", render);
$("preview-data").addEventListener("input", render);
