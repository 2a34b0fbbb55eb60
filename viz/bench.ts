/**
 * Rendering benchmark of every figure at realistic sizes (FCN-8s on a 500x500 input).
 * Not a test: run it and read the numbers.
 *
 *   npx tsc -p tsconfig.build.json && node dist/viz/bench.js [--runs N]
 *
 * "svg" is building the figure (data -> d3 -> SVG string, rasters encoded), "png" is
 * rasterizing that SVG with resvg. Median of N runs after one warm-up. Aim: < 200 ms.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { AnyFigure } from "./figure.js";
import type { NetDescription } from "../core/net-description.js";
import type { CoordMap } from "../core/coord-map.js";
import {
  architectureDiagram,
  bilinearKernelFigure,
  bilinearSurface,
  compareModels,
  confusionMatrix,
  emptyConfusion,
  featureGrid,
  interactiveScores,
  metricsFigure,
  receptiveFieldFigure,
  scoreMaps,
  segmentationOverlay,
  skipFusion,
  upsamplingStages,
} from "./index.js";
import { syntheticImage, syntheticLabels, syntheticPrediction, syntheticStageScores, syntheticTap } from "./synthetic.js";

const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;

/** FCN-8s on 500x500: coordinate maps (blob = a * image + b) and sizes, as src/net computes them. */
const CM: Record<string, CoordMap> = {
  score_fr: { a: 1 / 32, b: -0.390625 },
  upscore2: { a: 1 / 16, b: 0.71875 },
  score_pool4c: { a: 1 / 16, b: 0.71875 },
  upscore_pool4: { a: 1 / 8, b: 2.9375 },
  score_pool3c: { a: 1 / 8, b: 2.9375 },
  upscore8: { a: 1, b: 31 },
  score: { a: 1, b: 0 },
};
const SIZE: Record<string, number> = { score_fr: 16, upscore2: 34, score_pool4c: 34, upscore_pool4: 70, score_pool3c: 70, upscore8: 568, score: 500 };

function archNet(): NetDescription {
  try {
    return JSON.parse(readFileSync(join(process.cwd(), "test", "viz", "fixtures", "fcn8s-500.json"), "utf8")) as NetDescription;
  } catch {
    throw new Error("run the benchmark from the repository root (it reads test/viz/fixtures/fcn8s-500.json)");
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function main(): void {
  const img = syntheticImage(500, 500);
  const truth = syntheticLabels(500, 500, 3);
  const stage = (name: string, seed: number) => syntheticStageScores(SIZE[name]!, SIZE[name]!, CM[name]!, [500, 500], 21, seed);
  const taps = Object.fromEntries(Object.keys(SIZE).map((n, i) => [n, stage(n, 10 + i)]));
  const preds = { "FCN-32s": syntheticPrediction(truth, 64, 5), "FCN-16s": syntheticPrediction(truth, 32, 6), "FCN-8s": syntheticPrediction(truth, 14, 7) };
  const conf = emptyConfusion(21);
  for (const p of Object.values(preds)) confusionMatrix(truth, p, 21, { into: conf });
  const sum = (a: { data: Float32Array; shape: readonly number[] }, b: { data: Float32Array }) => ({ data: a.data.map((v, i) => v + b.data[i]!), shape: a.shape });
  const net = archNet();
  const conv22 = syntheticTap(175, 175, 64, 1);
  const fc7 = syntheticTap(16, 16, 4096, 2);

  const cases: Array<[string, string, () => AnyFigure]> = [
    ["featureGrid", "64 ch of 175×175 (conv2_2)", () => featureGrid(conv22, { name: "conv2_2", stride: 2 })],
    ["featureGrid top-k", "top 32 of 4096 ch 16×16 (fc7), per-channel", () => featureGrid(fc7, { name: "fc7", stride: 32, scale: "per-channel" })],
    ["scoreMaps", "16×16×21 + 500×500 image", () => scoreMaps(taps["score_fr"]!, { coordMap: CM["score_fr"]!, image: img })],
    ["upsamplingStages", "16→34→70→568→500, 21 cl.", () => upsamplingStages(["score_fr", "upscore2", "upscore_pool4", "upscore8", "score"].map((n) => ({ name: n, tap: taps[n]!, coordMap: CM[n]!, ...(n === "score" ? { crop: 31 } : {}) })), { imageSize: [500, 500], columns: 5, panelSize: 150 })],
    ["skipFusion", "34×34 and 70×70 steps", () => skipFusion([
      { a: { name: "upscore2", tap: taps["upscore2"]! }, b: { name: "score_pool4c", tap: taps["score_pool4c"]! }, sum: { name: "fuse_pool4", tap: sum(taps["upscore2"]!, taps["score_pool4c"]!) } },
      { a: { name: "upscore_pool4", tap: taps["upscore_pool4"]! }, b: { name: "score_pool3c", tap: taps["score_pool3c"]! }, sum: { name: "fuse_pool3", tap: sum(taps["upscore_pool4"]!, taps["score_pool3c"]!) } },
    ])],
    ["compareModels", "3 models + truth + image, 500×500", () => compareModels([{ image: img, truth, predictions: preds }])],
    ["segmentationOverlay", "500×500 image + labels", () => segmentationOverlay(img, truth, { width: 500 })],
    ["bilinearKernelFigure", "k = 64 (upscore, FCN-32s)", () => bilinearKernelFigure(64, { name: "upscore", stride: 32 })],
    ["bilinearSurface", "k = 64, plotly + d3 fallback", () => bilinearSurface(64)],
    ["architectureDiagram", "FCN-8s, 38 layers", () => architectureDiagram(net, { model: "FCN-8s" })],
    ["receptiveFieldFigure", "score_fr cell on 500×500 image", () => receptiveFieldFigure({ image: img, gridSize: [16, 16], coordMap: CM["score_fr"]!, receptiveField: 404, cell: [4, 10] })],
    ["metricsFigure", "21-class confusion", () => metricsFigure(conf, { classes: "all" })],
    ["interactiveScores", "500×500×21 → 96×96 hover", () => interactiveScores(taps["score"]!)],
  ];

  const fmt = (ms: number) => ms.toFixed(1).padStart(7);
  console.log(`viz rendering benchmark: median of ${RUNS} runs after a warm-up (Node ${process.version})\n`);
  console.log(`${"figure".padEnd(22)} ${"size".padEnd(44)} ${"svg ms".padStart(7)} ${"png ms".padStart(7)} ${"total".padStart(7)}  svg KB  png KB`);
  for (const [name, what, build] of cases) {
    const warm = build();
    warm.toPNG();
    const ts: number[] = [];
    const tp: number[] = [];
    let fig = warm;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      fig = build();
      const t1 = performance.now();
      fig.toPNG();
      tp.push(performance.now() - t1);
      ts.push(t1 - t0);
    }
    const svgKB = (Buffer.byteLength(fig.toSVG()) / 1024).toFixed(0).padStart(6);
    const pngKB = (fig.toPNG().length / 1024).toFixed(0).padStart(6);
    const flag = median(ts) + median(tp) > 200 ? "  > 200 ms" : "";
    console.log(`${name.padEnd(22)} ${what.padEnd(44)} ${fmt(median(ts))} ${fmt(median(tp))} ${fmt(median(ts) + median(tp))}  ${svgKB}  ${pngKB}${flag}`);
  }
}

main();
