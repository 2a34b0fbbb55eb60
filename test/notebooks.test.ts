/**
 * The notebooks, executed headless as CI would: the set-up runs once if anything is missing
 * (library build, .venv with JupyterLab/nbclient, the tslab kernel, the fcn-viz link), then
 * each notebooks/*.ipynb runs on a fresh tslab kernel (cell time limit 600 s, stop at the
 * first error) and counts as one test. Executed copies land in out/notebooks/.
 *
 * $FCN_VIZ_CACHE points at an empty folder, so the notebooks run as on a machine that has
 * fetched nothing (whatever this machine's cache holds): each section on the published nets
 * prints its one "skipped" line, and the cell that decides names the fetch command.
 * test/notebooks-real.test.ts runs the other branch.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { NOTEBOOKS, OUT_NOTEBOOKS, ROOT } from "../scripts/notebook-env.mjs";
import { runScript } from "./support/node-script.js";
import { realCells, type ExecutedNotebook } from "./support/notebook-cells.js";

const notebooks = fs.existsSync(NOTEBOOKS) ? fs.readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb")).sort() : [];

interface RunResult {
  ok: boolean;
  notebook: string;
  seconds: number;
  kernel_start_s: number | null;
  cells: { index: number; seconds: number }[];
  error: { cell: number; kind: string; text: string } | null;
}

/** An empty weights cache: the notebooks' published-weights sections take their "not cached" branch. */
const emptyCache = fs.mkdtempSync(path.join(os.tmpdir(), "fcn-viz-empty-cache-"));
afterAll(() => fs.rmSync(emptyCache, { recursive: true, force: true }));

/** Runs a Node script of scripts/ on the empty cache; resolves with its exit code and output. */
const node = (script: string, args: string[]) => runScript(script, args, { FCN_VIZ_CACHE: emptyCache });

let setupError: Error | null = null;

beforeAll(async () => {
  // A set-up failure fails every notebook test (a failing hook would only skip them).
  const t0 = performance.now();
  const r = await node("setup-notebooks.mjs", []);
  if (r.code !== 0) setupError = new Error(`notebook set-up failed:\n${(r.out + r.err).trim()}`);
  else console.log(`${r.out.trim()}\n[notebooks] set-up step: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}, 30 * 60_000);

describe("notebooks", () => {
  test("there are notebooks", () => {
    expect(notebooks.length, `no .ipynb files in ${NOTEBOOKS}`).toBeGreaterThan(0);
  });

  test("notebooks are committed without outputs, on the tslab kernel", () => {
    const problems: string[] = [];
    for (const f of notebooks) {
      const nb = JSON.parse(fs.readFileSync(path.join(NOTEBOOKS, f), "utf8"));
      if (nb.metadata?.kernelspec?.name !== "tslab") problems.push(`${f}: kernelspec is ${JSON.stringify(nb.metadata?.kernelspec?.name)}, not "tslab"`);
      (nb.cells as { cell_type: string; outputs?: unknown[]; execution_count?: number | null }[]).forEach((c, i) => {
        if (c.cell_type !== "code") return;
        if (c.outputs?.length) problems.push(`${f}: cell ${i + 1} has ${c.outputs.length} output(s)`);
        if (c.execution_count != null) problems.push(`${f}: cell ${i + 1} has execution_count ${c.execution_count}`);
      });
    }
    expect(problems, `${problems.join("\n")}\n(clear them with: npm run notebooks:clear)`).toEqual([]);
  });

  for (const f of notebooks) {
    test(`executes ${f}`, async () => {
      if (setupError) throw setupError;
      const r = await node("run-notebooks.mjs", ["--no-setup", "--json", "--timeout", "600", path.join(NOTEBOOKS, f)]);
      const line = r.out.split("\n").find((l) => l.startsWith("{"));
      if (!line) throw new Error(`run-notebooks.mjs gave no result (exit ${r.code}):\n${(r.out + r.err).slice(-4000)}`);
      const res = JSON.parse(line) as RunResult;
      if (!res.ok) {
        const where = res.error && res.error.cell >= 0 ? `cell ${res.error.cell + 1}` : (res.error?.kind ?? "?");
        throw new Error(`${f} failed in ${where} (partly executed copy: ${path.relative(ROOT, path.join(OUT_NOTEBOOKS, f))}):\n${res.error?.text ?? "unknown error"}`);
      }
      const slow = [...res.cells].sort((a, b) => b.seconds - a.seconds)[0];
      console.log(`[notebooks] ${f}: ${res.seconds.toFixed(1)} s (kernel start ${res.kernel_start_s} s${slow ? `, slowest cell ${slow.index + 1}: ${slow.seconds} s` : ""})`);
      expect(r.code).toBe(0);
      // Nothing cached: the deciding cell says how to get the published nets, each cell of their section skips.
      const [decide, ...section] = realCells(JSON.parse(fs.readFileSync(path.join(OUT_NOTEBOOKS, f), "utf8")) as ExecutedNotebook);
      if (decide) {
        expect(decide.text).toMatch(/`npx fcn-viz fetch [a-z0-9-]+/);
        expect(decide.text).toContain(emptyCache);
        for (const c of section) expect(c.text.trim(), `cell ${c.id}`).toMatch(/^skipped: [^\n]*$/);
      }
    }, 60 * 60_000);
  }
});
