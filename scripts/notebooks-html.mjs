#!/usr/bin/env node
// npm run notebooks:html [names...]: renders the executed notebooks (out/notebooks/) to HTML
// in out/notebooks-html/, for reading without Jupyter. A notebook whose executed copy is
// missing or older than notebooks/NAME.ipynb is executed first (run-notebooks.mjs).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { OUT_NOTEBOOKS, ROOT, ensureSetup, findNotebooks, jupyterArgs, jupyterEnv, venvPython } from "./notebook-env.mjs";

const OUT_HTML = path.join(ROOT, "out", "notebooks-html");

try {
  await ensureSetup();
  const notebooks = findNotebooks(process.argv.slice(2));
  const stale = notebooks.filter((src) => {
    const dst = path.join(OUT_NOTEBOOKS, path.basename(src));
    return !fs.existsSync(dst) || fs.statSync(dst).mtimeMs < fs.statSync(src).mtimeMs;
  });
  if (stale.length) {
    process.stdout.write(`executing first (no current executed copy): ${stale.map((f) => path.basename(f)).join(", ")}\n`);
    const r = spawnSync(process.execPath, [path.join(ROOT, "scripts", "run-notebooks.mjs"), "--no-setup", ...stale], { stdio: "inherit" });
    if (r.status !== 0) process.stdout.write("some notebooks failed; their partly executed copies are rendered too\n");
  }
  const executed = notebooks.map((src) => path.join(OUT_NOTEBOOKS, path.basename(src))).filter((f) => fs.existsSync(f));
  if (!executed.length) throw new Error("no executed notebooks to render");
  fs.mkdirSync(OUT_HTML, { recursive: true });
  const r = spawnSync(venvPython(), jupyterArgs("nbconvert", "--to", "html", "--output-dir", OUT_HTML, ...executed), {
    env: jupyterEnv(),
    stdio: "inherit",
  });
  if (r.status !== 0) throw new Error("jupyter nbconvert --to html failed (see above)");
  for (const f of executed) process.stdout.write(`${path.relative(ROOT, path.join(OUT_HTML, path.basename(f, ".ipynb") + ".html"))}\n`);
} catch (e) {
  process.stderr.write(`${e.setup ? e.message : e.message ?? e}\n`);
  process.exit(1);
}
