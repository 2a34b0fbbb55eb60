/**
 * The notebooks' published-weights branch, run as CI can run it: without network. 01-05
 * execute once more with $FCN_VIZ_CACHE pointing at a temporary folder that holds
 * full-width RANDOM weights written in the published formats under the published file
 * names: vgg16 as the VGG authors' V1-form caffemodel, voc-fcn32s / 16s / 8s in the
 * current form (test/support/caffemodel.ts, a writer that shares no code with the reader).
 * Each notebook must take its real-weights section: every cell of that section (ids
 * "real-...") runs and shows something other than the "skipped" line, the files it needs
 * are read ("read NAME in ..."), and no cell prints a fetch command. The predictions are
 * random; what is checked is that the branch runs end to end on 134M-parameter nets.
 * Executed copies land in out/notebooks-real/.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { NOTEBOOKS, ROOT } from "../scripts/notebook-env.mjs";
import { publishedWeights } from "../src/published/index.js";
import { randomCaffemodelFile, type CaffeModelKind } from "./support/caffemodel.js";
import { runScript } from "./support/node-script.js";
import { realCells, type ExecutedNotebook } from "./support/notebook-cells.js";

const OUT = path.join(ROOT, "out", "notebooks-real");

/** The published nets each notebook reads when they are cached. */
const NEEDS: Record<string, readonly string[]> = {
  "01-convolutionalize-vgg16.ipynb": ["vgg16"],
  "02-coarse-maps.ipynb": ["voc-fcn32s"],
  "03-upsampling.ipynb": ["voc-fcn8s"],
  "04-skip-fusion.ipynb": ["voc-fcn32s", "voc-fcn16s", "voc-fcn8s"],
  "05-full-model-gpu.ipynb": ["voc-fcn8s"],
};
const FIXTURES = [...new Set(Object.values(NEEDS).flat())];

let cache = "";
let setupError: Error | null = null;

beforeAll(async () => {
  const t0 = performance.now();
  const r = await runScript("setup-notebooks.mjs", []);
  if (r.code !== 0) {
    setupError = new Error(`notebook set-up failed:\n${(r.out + r.err).trim()}`);
    return;
  }
  cache = fs.mkdtempSync(path.join(os.tmpdir(), "fcn-viz-cache-"));
  for (const [i, name] of FIXTURES.entries()) {
    const w = publishedWeights(name);
    const t1 = performance.now();
    // As published: the VGG16 file in the deprecated V1 form, the FCNs in the current form.
    await randomCaffemodelFile(path.join(cache, w.file), w.model as CaffeModelKind, { classes: w.classes, form: w.model === "vgg16" ? "v1" : "layer", seed: 11 + i });
    const mb = fs.statSync(path.join(cache, w.file)).size / 1e6;
    console.log(`[notebooks-real] ${name}: ${w.file}, ${mb.toFixed(0)} MB of random full-width weights in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  }
  console.log(`[notebooks-real] set-up and fixtures: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}, 30 * 60_000);

afterAll(() => {
  if (cache) fs.rmSync(cache, { recursive: true, force: true });
});

describe("notebooks with the published weights in the cache (random full-width fixtures)", () => {
  for (const [f, needs] of Object.entries(NEEDS)) {
    test(`executes ${f} through its real-weights section`, async () => {
      if (setupError) throw setupError;
      const r = await runScript("run-notebooks.mjs", ["--no-setup", "--json", "--timeout", "900", "--out", OUT, path.join(NOTEBOOKS, f)], { FCN_VIZ_CACHE: cache });
      const line = r.out.split("\n").find((l) => l.startsWith("{"));
      if (!line) throw new Error(`run-notebooks.mjs gave no result (exit ${r.code}):\n${(r.out + r.err).slice(-4000)}`);
      const res = JSON.parse(line) as { ok: boolean; seconds: number; error: { cell: number; text: string } | null };
      if (!res.ok) throw new Error(`${f} failed in cell ${(res.error?.cell ?? -2) + 1} (partly executed copy: ${path.relative(ROOT, path.join(OUT, f))}):\n${res.error?.text ?? "unknown error"}`);
      console.log(`[notebooks-real] ${f}: ${res.seconds.toFixed(1)} s`);

      const nb = JSON.parse(fs.readFileSync(path.join(OUT, f), "utf8")) as ExecutedNotebook;
      const cells = realCells(nb);
      expect(cells.length, `${f} has no cells with ids "real-..."`).toBeGreaterThan(0);
      const [decide, ...section] = cells;
      // The deciding cell names the cache and every file; nothing anywhere says to fetch.
      expect(decide!.text).toContain(cache);
      for (const name of needs) expect(decide!.text).toContain(name);
      for (const c of cells) expect(c.text, `cell ${c.id}`).not.toMatch(/npx fcn-viz fetch|not in the cache/);
      // Every cell of the section ran its real branch: output, and no "skipped" line; and it drew figures.
      // (05 has no section of its own: the published net replaces the random one in its cells.)
      for (const c of section) {
        expect(c.outputs, `cell ${c.id} has no output`).toBeGreaterThan(0);
        expect(c.text, `cell ${c.id}`).not.toMatch(/^skipped/m);
      }
      if (section.length) expect(section.reduce((n, c) => n + c.images, 0), `${f}: no figures in the real-weights section`).toBeGreaterThan(0);
      // The published files were read from the cache.
      const printed = nb.cells.flatMap((c) => (c.outputs ?? []).map((o) => (Array.isArray(o.text) ? o.text.join("") : (o.text ?? "")))).join("\n");
      for (const name of needs) expect(printed).toMatch(new RegExp(`^read ${name} in [0-9.]+ s`, "m"));
    }, 60 * 60_000);
  }
});
