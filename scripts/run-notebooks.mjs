#!/usr/bin/env node
// Executes notebooks headless, each on a fresh tslab kernel (nbclient, in the notebook's
// folder, every cell with a time limit, stop at the first error), and writes the executed
// copies to out/notebooks/. Exits 1 if any notebook fails, showing the failing cell's error.
//
//   node scripts/run-notebooks.mjs                 every notebooks/*.ipynb
//   node scripts/run-notebooks.mjs 00-smoke 02     by name or number prefix
// Options: --out DIR (default out/notebooks), --timeout S per cell (default 600),
//          --json (one JSON line per notebook on stdout, for tests), --no-setup.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { OUT_NOTEBOOKS, ROOT, ensureSetup, findNotebooks, jupyterEnv, venvPython } from "./notebook-env.mjs";

const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), "execute_notebook.py");

/** Executes one notebook; resolves with the driver's result (ok, seconds, kernel_start_s, cells, error). */
export function executeNotebook(src, dst, { timeout = 600, onOutput } = {}) {
  return new Promise((resolve) => {
    const p = spawn(venvPython(), [DRIVER, src, dst, String(timeout)], { env: jupyterEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => {
      err += d;
      onOutput?.(String(d));
    });
    p.on("error", (e) => resolve({ ok: false, error: { kind: "spawn", text: `could not start ${venvPython()}: ${e.message}` } }));
    p.on("close", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("@@result "));
      if (line) return resolve(JSON.parse(line.slice("@@result ".length)));
      resolve({ ok: false, error: { kind: "driver", text: `the notebook driver exited with ${code} and no result:\n${(err + out).slice(-4000)}` } });
    });
  });
}

function parseArgs(argv) {
  const o = { names: [], out: OUT_NOTEBOOKS, timeout: 600, json: false, setup: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--out") o.out = path.resolve(argv[++i]);
    else if (a === "--timeout") o.timeout = Number(argv[++i]);
    else if (a === "--json") o.json = true;
    else if (a === "--no-setup") o.setup = false;
    else if (a === "-h" || a === "--help") {
      process.stdout.write(fs.readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 10).join("\n").replace(/^\/\/ ?/gm, "") + "\n");
      process.exit(0);
    } else if (a.startsWith("-")) throw new Error(`unknown option ${a}`);
    else o.names.push(a);
  }
  if (!(o.timeout > 0)) throw new Error("--timeout needs a number of seconds > 0");
  return o;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.setup) await ensureSetup({ quiet: o.json });
  const notebooks = findNotebooks(o.names);
  if (!notebooks.length) throw new Error(`no notebooks in ${path.relative(ROOT, path.join(ROOT, "notebooks"))}/`);
  fs.mkdirSync(o.out, { recursive: true });
  let failed = 0;
  const t0 = performance.now();
  for (const src of notebooks) {
    const name = path.basename(src);
    const dst = path.join(o.out, name);
    if (!o.json) process.stdout.write(`${name} ... `);
    const r = await executeNotebook(src, dst, { timeout: o.timeout });
    r.notebook = name;
    r.output = dst;
    if (o.json) {
      process.stdout.write(JSON.stringify(r) + "\n");
    } else if (r.ok) {
      const slow = [...r.cells].sort((a, b) => b.seconds - a.seconds)[0];
      process.stdout.write(`ok ${r.seconds.toFixed(1)} s (kernel start ${r.kernel_start_s} s${slow ? `, slowest cell ${slow.index + 1}: ${slow.seconds} s` : ""}) -> ${path.relative(ROOT, dst)}\n`);
    } else {
      const where = r.error?.cell >= 0 ? ` in cell ${r.error.cell + 1}${r.error.kind === "error" ? "" : ` (${r.error.kind})`}` : r.error?.kind ? ` (${r.error.kind})` : "";
      process.stdout.write(`FAILED${where} after ${r.seconds?.toFixed(1) ?? "?"} s (partly executed copy: ${path.relative(ROOT, dst)})\n`);
      process.stdout.write(indent(r.error?.text ?? "unknown error") + "\n");
    }
    if (!r.ok) failed++;
  }
  if (!o.json) {
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    process.stdout.write(`${notebooks.length - failed} of ${notebooks.length} notebooks ran without errors (${s} s)\n`);
  }
  return failed ? 1 : 0;
}

const indent = (t) => t.trimEnd().split("\n").map((l) => `    ${l}`).join("\n");

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${e.setup ? e.message : e.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
