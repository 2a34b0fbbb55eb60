#!/usr/bin/env node
// npm start: the set-up if anything is missing (see setup-notebooks.mjs), then JupyterLab on
// notebooks/ from the project's venv. Extra arguments go to `jupyter lab`
// (npm start -- --port 9999). Ctrl+C stops JupyterLab and its kernels.
import { spawn } from "node:child_process";
import * as readline from "node:readline";
import { NOTEBOOKS, ensureSetup, isRoot, jupyterArgs, jupyterEnv, venvPython } from "./notebook-env.mjs";

/** A browser can be opened: a desktop session on Linux, not an SSH login on macOS. */
function hasDisplay() {
  if (process.platform === "win32") return true;
  if (process.platform === "darwin") return !process.env.SSH_CONNECTION && !process.env.SSH_TTY;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

try {
  await ensureSetup();
} catch (e) {
  process.stderr.write(`${e.setup ? e.message : e.stack}\n`);
  process.exit(1);
}

const extra = process.argv.slice(2);
// A folder of the user's own (npm start -- --ServerApp.root_dir=DIR) replaces notebooks/: Jupyter takes one.
const ownRoot = extra.find((a) => /^--(ServerApp\.root_dir|ServerApp\.notebook_dir|notebook-dir)=/.test(a));
const root = ownRoot ? ownRoot.slice(ownRoot.indexOf("=") + 1) : NOTEBOOKS;
const args = ["lab", ...(ownRoot ? [] : [`--ServerApp.root_dir=${NOTEBOOKS}`]), "--ServerApp.answer_yes=True"];
if (isRoot()) args.push("--allow-root");
const display = hasDisplay();
if (!display) args.push("--no-browser");
args.push(...extra);

process.stdout.write(`Starting JupyterLab on ${root}${isRoot() ? " (as root: --allow-root)" : ""}${display ? "" : " (no display: open the URL yourself)"} ...\n`);
const lab = spawn(venvPython(), jupyterArgs(...args), { env: jupyterEnv(), stdio: ["inherit", "inherit", "pipe"] });

// Jupyter logs to stderr; pass it through and repeat the URL plainly once the server is up.
let announced = false;
readline.createInterface({ input: lab.stderr }).on("line", (line) => {
  process.stderr.write(line + "\n");
  const m = !announced && line.match(/(https?:\/\/(?:localhost|127\.0\.0\.1|\[::1\]|[\w.-]+):\d+\/lab\S*)/);
  if (m) {
    announced = true;
    process.stdout.write(`\n  JupyterLab is running: ${m[1]}\n  Notebooks: ${root}    Stop: Ctrl+C\n\n`);
  }
});

// Ctrl+C reaches JupyterLab directly (same process group); wait for it to shut its kernels down.
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => {
    if (sig !== "SIGINT") lab.kill(sig);
  });
}
lab.on("error", (e) => {
  process.stderr.write(`could not start JupyterLab: ${e.message}\n`);
  process.exit(1);
});
lab.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
