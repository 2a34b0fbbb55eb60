#!/usr/bin/env node
// npm run notebooks:html [names...]: renders the executed notebooks (out/notebooks/) to HTML
// in out/notebooks-html/, for reading without Jupyter, offline: formulas are typeset by the
// MathJax copied into out/notebooks-html/mathjax/ (npm package "mathjax"), plotly figures
// carry plotly.js, and nothing is fetched from a CDN (template scripts/nbconvert/fcn-viz).
// A notebook whose executed copy is missing or older than notebooks/NAME.ipynb is executed
// first (run-notebooks.mjs). Keep the mathjax/ folder next to the pages.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { OUT_NOTEBOOKS, ROOT, ensureSetup, findNotebooks, jupyterArgs, jupyterEnv, venvPython } from "./notebook-env.mjs";

export const OUT_HTML = path.join(ROOT, "out", "notebooks-html");
const TEMPLATES = path.join(ROOT, "scripts", "nbconvert");
/** The MathJax component the pages load: TeX input, SVG output (no font files), every TeX extension. */
const MATHJAX_FILE = "tex-svg-full.js";
/** Where the pages find it, relative to them. */
export const MATHJAX_URL = `mathjax/${MATHJAX_FILE}`;

/** Copies MathJax (and its licence) into `outDir`/mathjax/, where the pages look for it. */
export function copyMathJax(outDir) {
  const req = createRequire(import.meta.url);
  let pkgDir;
  try {
    pkgDir = path.dirname(req.resolve("mathjax/package.json"));
  } catch {
    throw new Error("MathJax is not installed (npm package \"mathjax\", a devDependency): run `npm install`; the HTML pages typeset their formulas with it, offline.");
  }
  const dst = path.join(outDir, "mathjax");
  fs.mkdirSync(dst, { recursive: true });
  fs.copyFileSync(path.join(pkgDir, "es5", MATHJAX_FILE), path.join(dst, MATHJAX_FILE));
  fs.copyFileSync(path.join(pkgDir, "LICENSE"), path.join(dst, "LICENSE"));
  return path.join(dst, MATHJAX_FILE);
}

/** Renders executed notebooks to `outDir`/NAME.html with the offline template; returns the pages. */
export function exportHtml(executed, outDir = OUT_HTML) {
  fs.mkdirSync(outDir, { recursive: true });
  copyMathJax(outDir);
  const r = spawnSync(
    venvPython(),
    jupyterArgs(
      "nbconvert",
      "--to",
      "html",
      `--TemplateExporter.extra_template_basedirs=${TEMPLATES}`,
      "--template",
      "fcn-viz",
      `--HTMLExporter.mathjax_url=${MATHJAX_URL}`,
      "--output-dir",
      outDir,
      ...executed,
    ),
    { env: jupyterEnv(), stdio: "inherit" },
  );
  if (r.status !== 0) throw new Error("jupyter nbconvert --to html failed (see above)");
  return executed.map((f) => path.join(outDir, path.basename(f, ".ipynb") + ".html"));
}

async function main() {
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
  for (const page of exportHtml(executed)) process.stdout.write(`${path.relative(ROOT, page)}\n`);
  process.stdout.write(`(formulas: ${path.relative(ROOT, path.join(OUT_HTML, MATHJAX_URL))}, keep it next to the pages)\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    process.stderr.write(`${e.setup ? e.message : e.message ?? e}\n`);
    process.exit(1);
  });
}
