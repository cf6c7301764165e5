// The template editor's browser bundle (built by scripts/prepare.mjs into
// src/web/public/vendor/editor.js): CodeMirror 6 with the languages a template is written in,
// inline diagnostics, a line diff, and the server's own JSON Schema checks, so the page gets
// everything from this origin in one file.
import { css } from "@codemirror/lang-css";
import { html } from "@codemirror/lang-html";
import { json } from "@codemirror/lang-json";
import { syntaxTree } from "@codemirror/language";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { EditorView, basicSetup } from "codemirror";
import { diffLines } from "diff";
import { checkSchema, validateData } from "../../templates/data-schema.ts";

export { checkSchema, validateData };

const LANGUAGES = { html, css, json };

/** The editor's height, from the page's `--editor-height` (custom properties reach into the shadow root). */
const sized = EditorView.theme({ "&": { height: "var(--editor-height, 28rem)" }, ".cm-scroller": { overflow: "auto" } });

/**
 * A code editor (line numbers, highlighting, search with Ctrl-F, bracket matching…) in `parent`,
 * its text area named `label` for screen readers. `onChange(text)` is called after each edit.
 *
 * It lives in a shadow root of `parent`: there CodeMirror's styles go into a constructed style
 * sheet, which the pages' Content-Security-Policy allows; in the document itself they would go
 * into a `<style>` element, which it rightly refuses.
 */
export function createCodeEditor({ parent, doc = "", language, label, onChange }) {
	const root = parent.attachShadow({ mode: "open" });
	const view = new EditorView({
		doc,
		parent: root,
		root,
		extensions: [
			basicSetup,
			sized,
			LANGUAGES[language](),
			lintGutter(),
			EditorView.lineWrapping,
			EditorView.contentAttributes.of({ "aria-label": label }),
			EditorView.updateListener.of((update) => {
				if (update.docChanged && onChange) onChange(update.state.doc.toString());
			}),
		],
	});
	return {
		view,
		get value() {
			return view.state.doc.toString();
		},
		/** Replaces the whole text (loading a version), which clears the problems shown. */
		set value(text) {
			view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
		},
		/** Shows `problems` ({ line, message } or { from, to, message }) at their lines; [] clears them. */
		setProblems(problems) {
			const doc = view.state.doc;
			const diagnostics = problems.map((p) => {
				if (p.from !== undefined) return { from: p.from, to: Math.max(p.from, p.to ?? p.from), severity: "error", message: p.message };
				const line = doc.line(Math.min(Math.max(1, p.line), doc.lines));
				return { from: line.from, to: line.to, severity: "error", message: p.message };
			});
			view.dispatch(setDiagnostics(view.state, diagnostics));
		},
		/** Puts `text` where the cursor is (replacing the selection), and shows it. */
		insert(text) {
			view.dispatch(view.state.replaceSelection(text), { scrollIntoView: true });
		},
		/** The line number (from 1) of a position in the text. */
		lineAt(pos) {
			return view.state.doc.lineAt(pos).number;
		},
	};
}

/**
 * Where a field (`sample_data.items.0.qty`, its first segment the field's own name) is written in
 * the JSON text of the editor: the start of its value, or of the deepest enclosing value written
 * there (a missing required property points at its object). Found on the editor's syntax tree.
 */
export function positionOfPath(editor, path) {
	const state = editor.view.state;
	const text = (node) => state.doc.sliceString(node.from, node.to);
	const values = (node) => {
		const children = [];
		for (let child = node.firstChild; child; child = child.nextSibling) if (!["[", "]", "{", "}", "⚠"].includes(child.name)) children.push(child);
		return children;
	};
	let node = syntaxTree(state).topNode.firstChild;
	for (const segment of path.split(".").slice(1)) {
		if (!node) break;
		let next = null;
		if (node.name === "Object") {
			for (const property of values(node)) {
				const name = property.getChild("PropertyName");
				if (name && safeParse(text(name)) === segment) next = property.lastChild;
			}
		} else if (node.name === "Array" && /^\d+$/.test(segment)) {
			next = values(node)[Number(segment)] ?? null;
		}
		if (!next) break;
		node = next;
	}
	return node ? node.from : 0;
}

function safeParse(text) {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** The lines of `after` against `before`: each part `{ added, removed, value }` (from the `diff` package). */
export function lineDiff(before, after) {
	return diffLines(before, after);
}
