/**
 * Page ranges as `options.page_ranges` spells them (`"1-3, 5"`, `"4-"` to the end), for the
 * finishing steps that choose pages (the watermark's `pages`). Pure: no PDF library here, so the
 * request schema can check the syntax before anything is rendered.
 */

/** The syntax, the same as `options.page_ranges`' (src/rendering/page-options.ts). */
export const PAGE_RANGES = /^\s*\d+\s*(-\s*\d*\s*)?(,\s*\d+\s*(-\s*\d*\s*)?)*$/;

/** Why `ranges` can never select a page (a 0, or a range that runs backwards), or null when it can. */
export function pageRangesProblem(ranges: string): string | null {
	if (!PAGE_RANGES.test(ranges)) return "page ranges such as 2-3, 5 (pages count from 1)";
	for (const part of ranges.split(",")) {
		const [from, to] = part.split("-").map((n) => n.trim());
		if (Number(from) < 1) return `page numbers start at 1: ${part.trim()}`;
		if (to !== undefined && to !== "" && Number(to) < Number(from)) return `a range runs forwards: ${part.trim()}`;
	}
	return null;
}

/**
 * The 0-based indices of the pages `ranges` selects in a document of `pageCount` pages, in
 * order and without repeats; `undefined` selects every page. A range that starts past the last
 * page is the client's mistake (as Chromium treats `page_ranges`): RangeError with a message.
 *
 * @example selectPages("2-3, 5", 6) // [1, 2, 4]
 */
export function selectPages(ranges: string | undefined, pageCount: number): number[] {
	if (ranges === undefined) return Array.from({ length: pageCount }, (_, i) => i);
	const problem = pageRangesProblem(ranges);
	if (problem) throw new RangeError(problem);
	const chosen = new Set<number>();
	for (const part of ranges.split(",")) {
		const [fromText, toText] = part.split("-").map((n) => n.trim());
		const from = Number(fromText);
		if (from > pageCount) throw new RangeError(`page ${from} is past the document's last page (${pageCount})`);
		const to = toText === undefined ? from : toText === "" ? pageCount : Math.min(Number(toText), pageCount);
		for (let page = from; page <= to; page++) chosen.add(page - 1);
	}
	return [...chosen].sort((a, b) => a - b);
}
