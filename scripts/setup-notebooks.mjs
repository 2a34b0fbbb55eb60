#!/usr/bin/env node
// Idempotent set-up for the notebooks; safe to run any time, it only acts on what is missing:
//   1. builds the library into dist/ (npm run build) when dist/ is missing or older than src/, viz/
//   2. creates the Python venv .venv/ (python3 -m venv) and pip-installs jupyterlab, nbclient,
//      nbconvert, ipykernel, plotly into it when they are missing
//   3. registers the TypeScript kernel (this project's tslab, started by scripts/tslab-kernel.cjs)
//      in .venv/share/jupyter/kernels/tslab/
//   4. writes JupyterLab's defaults for the venv (.venv/share/jupyter/lab/settings/overrides.json:
//      no news prompt, no requests for news or updates)
//   5. links node_modules/fcn-viz -> the project, so notebooks `import * as fcn from "fcn-viz"`
// All of it stays inside the project folder (pip runs with --no-cache-dir).
// Options: --rebuild  rebuild dist/ even if it looks current.
import { ensureSetup } from "./notebook-env.mjs";

try {
  await ensureSetup({ rebuild: process.argv.includes("--rebuild") });
} catch (e) {
  process.stderr.write(`${e.setup ? e.message : e.stack}\n`);
  process.exit(1);
}
