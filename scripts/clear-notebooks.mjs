#!/usr/bin/env node
// npm run notebooks:clear [names...]: removes outputs and execution counts from
// notebooks/*.ipynb in place (notebooks are committed without outputs; the tests check).
// Plain JSON editing, no Jupyter needed; cells, ids and metadata are kept.
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, findNotebooks } from "./notebook-env.mjs";

let changed = 0;
for (const f of findNotebooks(process.argv.slice(2))) {
  const text = fs.readFileSync(f, "utf8");
  const nb = JSON.parse(text);
  for (const c of nb.cells ?? []) {
    if (c.cell_type !== "code") continue;
    c.outputs = [];
    c.execution_count = null;
    if (c.metadata) delete c.metadata.execution;
  }
  // nbformat's own layout: one-space indent, trailing newline, non-ASCII kept.
  const out = JSON.stringify(nb, null, 1) + "\n";
  if (out !== text) {
    fs.writeFileSync(f, out);
    changed++;
    process.stdout.write(`cleared ${path.relative(ROOT, f)}\n`);
  }
}
process.stdout.write(`${changed} notebook${changed === 1 ? "" : "s"} changed\n`);
