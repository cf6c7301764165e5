import type { Child } from "hono/jsx";

/** The header of a column of buttons: read by screen readers, not shown. */
export const ACTIONS = <span class="visually-hidden">Actions</span>;

/** A table the page's script fills: a labelled box that scrolls sideways (by keyboard too), a header row, an empty body. */
export function DataTable(props: { id: string; label: string; columns: Child[] } | { id: string; labelledBy: string; columns: Child[] }) {
	return (
		<div class="table-scroll" tabindex={0} role="region" aria-label={"label" in props ? props.label : undefined} aria-labelledby={"labelledBy" in props ? props.labelledBy : undefined}>
			<table id={props.id}>
				<thead>
					<tr>
						{props.columns.map((column) => (
							<th scope="col">{column}</th>
						))}
					</tr>
				</thead>
				<tbody></tbody>
			</table>
		</div>
	);
}
