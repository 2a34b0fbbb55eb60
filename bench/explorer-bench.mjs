#!/usr/bin/env node
/**
 * The explorer's full-size benchmark: the full-width FCN-8s (134.5M parameters, random
 * seeded weights, 21 classes) on a 500x500 input, in headless Debian chromium on WebGL
 * (SwiftShader here: minutes per pass; a real GPU on a user's machine), timed by the page
 * itself, and checked against Node's WASM backend on the same input. Not part of CI.
 *
 *   npm run bench:explorer                       # THE full pass: full width, 500x500, both WebGL
 *                                                # convolution paths, 1 warm pass each (tens of
 *                                                # minutes on SwiftShader; far less on a real GPU)
 *   npm run bench:explorer -- --conv direct      # only tfjs's direct convolution (WEBGL_EXP_CONV)
 *   npm run bench:explorer -- --runs 3 --size 500 --webgpu --no-check
 *   npm run bench:explorer -- --size 128 --width 1/16 --runs 1 --out /tmp/x.json   # a quick check of the script
 *
 * The page's default WebGL path (im2col) needs a [3·3·64, 698·698] matrix for conv1_2 at
 * 500x500 (conv1_1's pad 100): 8376 texels a side, above an 8192 texture limit such as
 * SwiftShader's. There the page shrinks the input to the largest size that fits, and this
 * benchmark reports the size it ran; "direct" runs exactly 500x500.
 * Writes bench/results/explorer.json.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createServer } from "vite";
import { ROOT } from "../scripts/explorer.mjs";

const args = process.argv.slice(2);
const opt = (name, d) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : d;
};
const has = (name) => args.includes(`--${name}`);
if (has("help") || has("h")) {
  console.log(
    [
      "usage: npm run bench:explorer -- [--conv default|direct|both] [--runs N] [--size 500] [--width 1] [--webgpu] [--no-check] [--out FILE]",
      "",
      "  The full pass (the default, no options): the full-width FCN-8s (134.5M parameters, random",
      "  seeded weights) on a 500x500 input in headless chromium on WebGL, both convolution paths,",
      "  checked against Node's WASM backend:   npm run bench:explorer",
      "  On a software renderer (SwiftShader: ~200 s per 500x500 pass, several passes) that takes",
      "  tens of minutes and every core: not for CI.",
      "",
      "  --size N     input side (default 500)         --width W   channel width, 1 or 1/8 ... (default 1)",
      "  --runs N     warm passes after the first (1)  --conv      default (im2col), direct, or both (both)",
      "  --webgpu     also WebGPU (--enable-unsafe-webgpu)",
      "  --no-check   skip the Node WASM reference     --out FILE  results JSON (bench/results/explorer.json)",
      "",
      "  A quick check of the script: npm run bench:explorer -- --size 128 --width 1/16 --out /tmp/explorer-bench.json",
    ].join("\n"),
  );
  process.exit(0);
}
const fraction = (v) => {
  const m = /^1\/(\d+)$/.exec(String(v).trim());
  return m ? 1 / Number(m[1]) : Number(v);
};
const SIZE = Number(opt("size", "500"));
const RUNS = Number(opt("runs", "1"));
const WIDTH = fraction(opt("width", "1"));
const CONV = opt("conv", "both");
if (!["default", "direct", "both"].includes(CONV)) {
  console.error(`--conv ${CONV}: choose default, direct or both`);
  process.exit(2);
}
if (!(SIZE > 0) || !(WIDTH > 0) || !(RUNS >= 0)) {
  console.error("--size, --width and --runs need positive numbers (try --help)");
  process.exit(2);
}
const CONVS = CONV === "both" ? ["default", "direct"] : [CONV];
const WEBGPU = has("webgpu");
const CHECK = !has("no-check");
const LONG = 60 * 60_000;

// The test helpers (TypeScript, loaded through Vite's SSR module loader): the same build,
// server, browser launch and reference code as test/explorer.test.ts.
const vite = await createServer({ configFile: false, root: ROOT, logLevel: "error", appType: "custom", optimizeDeps: { noDiscovery: true, entries: [] }, server: { middlewareMode: true, hmr: false, watch: null } });
const h = await vite.ssrLoadModule("/test/explorer-browser.ts");
if (h.chromiumMissing) {
  console.error(h.chromiumMissing);
  process.exit(1);
}

const log = (s) => console.log(`[bench:explorer] ${s}`);
const out = path.resolve(opt("out", path.join(ROOT, "bench", "results", "explorer.json")));
const results = [];
function save() {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), results }, null, 1));
}
const served = await h.buildAndServe();
log(`page built in ${(served.buildMs / 1000).toFixed(1)} s, served at ${served.url}`);
let ref = null;
try {
  const configs = [
    ...CONVS.map((conv) => ({ backend: "webgl", conv, args: [] })),
    ...(WEBGPU ? [{ backend: "webgpu", conv: "default", args: ["--enable-unsafe-webgpu"] }] : []),
  ];
  for (const c of configs) {
    const browser = await h.launch(c.args);
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      page.on("pageerror", (e) => log(`page error: ${e}`));
      const query = { sample: "astronaut", model: "fcn8s", weights: "random", width: WIDTH, classes: 21, seed: 0, maxSide: SIZE, backend: c.backend, ...(c.conv === "direct" ? { webglConv: "direct" } : {}) };
      log(`${c.backend}${c.conv === "direct" ? " (direct convolution)" : ""}: loading; the first pass compiles the GPU programs...`);
      const t0 = performance.now();
      const first = await h.openExplorer(page, served.url, query, LONG);
      if (first.error) throw new Error(`${c.backend}: ${first.error}`);
      const row = {
        backend: c.backend,
        conv: c.conv,
        detail: first.detail,
        maxTextureSize: first.maxTextureSize,
        requested: [SIZE, SIZE],
        input: first.input,
        resizeReasons: first.resizeReasons,
        width: WIDTH,
        loadAndFirstPassS: (performance.now() - t0) / 1000,
        compileMs: first.compileMs,
        firstPassMs: first.passMs,
        warmPassMs: [],
      };
      log(`  input ${first.input.join("x")}${first.resizeReasons.length ? ` (resized: ${first.resizeReasons.join("; ")})` : ""}; first pass ${(first.passMs / 1000).toFixed(1)} s`);
      for (let i = 0; i < RUNS; i++) {
        await page.evaluate(() => window.__explorer.run());
        const st = await page.evaluate(() => window.__explorer.state());
        if (st.error) throw new Error(st.error);
        row.warmPassMs.push(st.passMs);
        log(`  warm pass ${i + 1}: ${(st.passMs / 1000).toFixed(1)} s`);
      }
      if (CHECK) {
        if (!ref || ref.pass.image.height !== first.input[0]) {
          log(`  reference: the same net on Node's WASM backend at ${first.input.join("x")}...`);
          ref?.lm.model.dispose();
          ref = await h.cpuReference({ model: "fcn8s", sample: "astronaut.png", maxSide: SIZE, width: WIDTH, classes: 21, seed: 0, backend: "wasm", size: first.input });
        }
        const got = await h.pageTap(page, "score");
        row.maxRelDiffVsWasm = h.relDiff(got.data, ref.pass.taps.get("score").data);
        log(`  agreement with Node WASM: max relative difference ${row.maxRelDiffVsWasm.toExponential(2)}`);
      }
      results.push(row);
      save(); // after each configuration: a long run stopped midway keeps what it measured
    } finally {
      await browser.close();
    }
  }
} finally {
  ref?.lm.model.dispose();
  await served.close();
  await vite.close();
}

save();
console.log("\nbackend  conv     input     first pass  warm pass  vs WASM");
for (const r of results) {
  const warm = r.warmPassMs.length ? `${(Math.min(...r.warmPassMs) / 1000).toFixed(1)} s` : "-";
  console.log(
    `${r.backend.padEnd(8)} ${r.conv.padEnd(8)} ${r.input.join("x").padEnd(9)} ${`${(r.firstPassMs / 1000).toFixed(1)} s`.padEnd(11)} ${warm.padEnd(10)} ${r.maxRelDiffVsWasm?.toExponential(1) ?? "-"}`,
  );
}
console.log(`written to ${path.relative(process.cwd(), out)}`);
