/**
 * Tables in a notebook: a markdown table from a header and rows, and `table`, which shows
 * one in the running notebook (tslab's display.markdown).
 *
 *   table(["layer", "parameters"], rows.map((r) => [r.name, r.params]));
 */
import { createRequire } from "node:module";

export type Cell = string | number;

/**
 * A markdown table: the header, the alignment row, one line per row. `align` gives each
 * column's separator as markdown writes it (":---" left, "---:" right, "---" the
 * renderer's default); by default the first column is left-aligned and the others
 * right-aligned (names, then numbers).
 */
export function markdownTable(head: readonly Cell[], rows: readonly (readonly Cell[])[], align?: readonly string[]): string {
  const line = (cells: readonly Cell[]) => `| ${cells.join(" | ")} |`;
  const separators = align ? `|${align.join("|")}|` : line(head.map((_, i) => (i ? "---:" : ":---")));
  return [line(head), separators, ...rows.map(line)].join("\n");
}

interface TslabDisplay {
  markdown(text: string): void;
}

/**
 * tslab's display: the running kernel's own tslab, found in the module cache (the
 * notebook has loaded it, possibly from another node_modules than this package's), else
 * this package's.
 */
function tslabDisplay(): TslabDisplay {
  const req = createRequire(import.meta.url);
  for (const [key, mod] of Object.entries(req.cache)) {
    if (mod && /[\\/]tslab[\\/]dist[\\/]public\.js$/.test(key)) return (mod.exports as { display: TslabDisplay }).display;
  }
  return (req("tslab") as { display: TslabDisplay }).display;
}

/** Shows `markdownTable(head, rows, align)` in the running notebook. */
export function table(head: readonly Cell[], rows: readonly (readonly Cell[])[], align?: readonly string[]): void {
  tslabDisplay().markdown(markdownTable(head, rows, align));
}
