/**
 * Every figure of viz/ on seeded synthetic data, at two sizes: "small" for SVG
 * snapshots (reviewable diffs, small files) and "full" (the real FCN-8s geometry on a
 * 500x500 input) for the PNG gallery in out/viz/.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  architectureDiagram,
  argmax,
  bilinearKernelFigure,
  bilinearKernelInfo,
  bilinearSurface,
  compareModels,
  confusionMatrix,
  emptyConfusion,
  featureGrid,
  imageRow,
  interactiveScores,
  metricsFigure,
  receptiveFieldFigure,
  scoreMaps,
  segmentationOverlay,
  skipFusion,
  upsamplingStages,
  type AnyFigure,
  type CoordMap,
  type NetDescription,
} from "../../viz/index.js";
import { syntheticImage, syntheticLabels, syntheticPrediction, syntheticScores, syntheticStageScores, syntheticTap } from "../../viz/synthetic.js";
import { ROOT } from "./helpers.js";

export interface Geometry {
  /** describeNet(spec, 500, 500), stored (test/viz/src-integration.test.ts checks it is current). */
  net: NetDescription;
  /** Each blob's coordinate map, from the description. */
  coords: Record<string, CoordMap>;
}

export function geometry(model: "fcn32s" | "fcn16s" | "fcn8s"): Geometry {
  const net = JSON.parse(readFileSync(join(ROOT, "test", "viz", "fixtures", `${model}-500.json`), "utf8")) as NetDescription;
  return { net, coords: Object.fromEntries(net.layers.flatMap((l) => (l.coordMap ? [[l.name, l.coordMap]] : []))) };
}

const layerOf = (g: Geometry, name: string) => g.net.layers.find((l) => l.name === name)!;
const shapeOf = (g: Geometry, name: string) => layerOf(g, name).shape;

export type Size = "small" | "full";

/** Name -> figure builder. */
export function figureBuilders(size: Size): Record<string, () => AnyFigure> {
  const g = geometry("fcn8s");
  const small = size === "small";
  // Input size: 500 (full) or 96 (small, with coordinate maps of the same net).
  const S = small ? 96 : 500;
  const img = syntheticImage(S, S, 3, small ? 0 : 16);
  const truth = syntheticLabels(S, S, small ? 1 : 3);
  const stage = (name: string, n: number) => ({ name, n, coordMap: g.coords[name]! });
  // Blob sizes for input S, by the FCN-8s size rules (full: from the summary rows).
  const sz = small
    ? { score_fr: 4, upscore2: 10, upscore_pool4: 22, upscore8: 184, score: 96 }
    : { score_fr: shapeOf(g, "score_fr")[0], upscore2: shapeOf(g, "upscore2")[0], upscore_pool4: shapeOf(g, "upscore_pool4")[0], upscore8: shapeOf(g, "upscore8")[0], score: 500 };
  const stages = [stage("score_fr", sz.score_fr), stage("upscore2", sz.upscore2), stage("upscore_pool4", sz.upscore_pool4), stage("upscore8", sz.upscore8), stage("score", sz.score)];
  const scoresOf = (s: { n: number; coordMap: CoordMap }, seed: number, o: Parameters<typeof syntheticStageScores>[6] = {}) =>
    syntheticStageScores(s.n, s.n, s.coordMap, [S, S], 21, seed, o);
  const scoreFr = scoresOf(stages[0]!, 11);
  const preds = {
    "FCN-32s": syntheticPrediction(truth, small ? 16 : 64, 5),
    "FCN-16s": syntheticPrediction(truth, small ? 8 : 32, 6),
    "FCN-8s": syntheticPrediction(truth, small ? 4 : 14, 7),
  };
  return {
    featureGrid: () => featureGrid(small ? syntheticTap(12, 12, 8, 1) : syntheticTap(175, 175, 64, 1), { name: "conv2_2", stride: 2 }),
    featureGridTopK: () =>
      featureGrid(small ? syntheticTap(4, 4, 64, 2) : syntheticTap(16, 16, 4096, 2), { name: "fc7", stride: 32, topK: small ? 6 : 24, scale: "per-channel" }),
    scoreMaps: () => scoreMaps(scoreFr, { coordMap: g.coords["score_fr"]!, image: img, maxClasses: 3 }),
    upsampling: () =>
      upsamplingStages(
        stages.map((s, i) => ({
          name: s.name,
          tap: scoresOf(s, 11 + i),
          coordMap: s.coordMap,
          ...(i === 1 ? { op: "×2\nk4 s2" } : i === 2 ? { op: "×2 k4 s2\n(+pool4)" } : i === 3 ? { op: "×8\nk16 s8" } : i === 4 ? { op: "crop 31" , crop: 31 } : {}),
        })),
        { imageSize: [S, S], classIndex: 15, columns: 5, panelSize: 150 },
      ),
    skipFusion: () => {
      // Deep path: confident but blurry (stride-32 detail); skip: sharp but weak, with a false alarm.
      const up2 = scoresOf(stage("upscore2", sz.upscore2), 21, { soft: small ? 12 : 64, gain: 4 });
      const sp4 = scoresOf(stage("score_pool4c", sz.upscore2), 22, { soft: small ? 2 : 8, gain: 1.5, noise: 0.6, spurious: true });
      const sum = { data: up2.data.map((v, i) => v + sp4.data[i]!), shape: up2.shape };
      const up4 = scoresOf(stage("upscore_pool4", sz.upscore_pool4), 23, { soft: small ? 8 : 40, gain: 5 });
      const sp3 = scoresOf(stage("score_pool3c", sz.upscore_pool4), 24, { soft: small ? 1 : 4, gain: 1, noise: 0.8, spurious: true });
      const sum3 = { data: up4.data.map((v, i) => v + sp3.data[i]!), shape: up4.shape };
      return skipFusion(
        [
          { a: { name: "upscore2", tap: up2 }, b: { name: "score_pool4c", tap: sp4 }, sum: { name: "fuse_pool4", tap: sum } },
          { a: { name: "upscore_pool4", tap: up4 }, b: { name: "score_pool3c", tap: sp3 }, sum: { name: "fuse_pool3", tap: sum3 } },
        ],
        { classIndex: 15 },
      );
    },
    compare: () => compareModels([{ image: img, truth, predictions: preds }], small ? { panelWidth: 96 } : {}),
    overlay: () => segmentationOverlay(img, truth, { sideBySide: true, ...(small ? {} : { width: 320 }) }),
    overlayFull: () => segmentationOverlay(img, preds["FCN-8s"]),
    imageRow: () => {
      // The image, its 8x block means drawn 8x (pixelated), and the image drawn at half size.
      const { data, shape } = img as { data: ArrayLike<number>; shape: readonly number[] };
      const [h, w] = [shape[0]!, shape[1]!];
      const [bh, bw] = [Math.floor(h / 8), Math.floor(w / 8)];
      const blocks = new Uint8Array(bh * bw * 3);
      const sums = new Float64Array(bh * bw * 3);
      for (let y = 0; y < bh * 8; y++) for (let x = 0; x < bw * 8; x++) for (let c = 0; c < 3; c++) sums[(Math.floor(y / 8) * bw + Math.floor(x / 8)) * 3 + c]! += data[(y * w + x) * 3 + c]!;
      sums.forEach((v, i) => (blocks[i] = Math.round(v / 64)));
      return imageRow(
        [
          { image: img, title: "image" },
          { image: { data: blocks, shape: [bh, bw, 3] }, title: `8× block means (${bw}×${bh}), drawn 8×`, zoom: 8 },
          { image: img, title: "half size", zoom: 0.5 },
        ],
        { title: "imageRow (synthetic)", subtitle: "Each panel at its own zoom." },
      );
    },
    bilinear4: () => bilinearKernelFigure(4, { name: "upscore2", stride: 2 }),
    bilinear16: () => bilinearKernelFigure(16, { name: "upscore8", stride: 8 }),
    bilinearLearned: () => {
      // A "learned" kernel: bilinear, a little more peaked at the centre.
      const k = small ? 4 : 16;
      const ideal = bilinearKernelInfo(k);
      const w = Array.from(ideal.weights, (v) => Number((v * v * 1.2 + 0.02).toFixed(4)));
      return bilinearKernelFigure(k, { weights: w, stride: k / 2, name: small ? "upscore2" : "upscore8", title: "learned kernel (synthetic) against bilinear" });
    },
    bilinearSurface: () => bilinearSurface(small ? 4 : 16, { name: small ? "upscore2" : "upscore8" }),
    architecture8s: () => architectureDiagram(g.net, { model: "FCN-8s" }),
    architecture32s: () => architectureDiagram(geometry("fcn32s").net, { model: "FCN-32s", collapse: !small }),
    receptiveField: () =>
      receptiveFieldFigure({
        image: img,
        gridSize: [sz.score_fr, sz.score_fr],
        coordMap: g.coords["score_fr"]!,
        receptiveField: layerOf(g, "score_fr").receptiveField,
        cell: small ? [1, 2] : [4, 10],
      }),
    metrics: () => {
      const conf = emptyConfusion(21);
      confusionMatrix(truth, preds["FCN-32s"], 21, { into: conf });
      confusionMatrix(truth, syntheticPrediction(truth, 20, 9), 21, { into: conf });
      // A few confusions between present classes so the matrix has off-diagonal mass.
      conf.counts[15 * 21 + 12]! += small ? 40 : 4000;
      conf.counts[12 * 21 + 8]! += small ? 15 : 1500;
      conf.counts[0 * 21 + 9]! += small ? 10 : 900;
      return metricsFigure(conf, { model: "FCN-32s" });
    },
    interactive: () => interactiveScores(small ? syntheticScores(12, 12) : scoresOf(stages[2]!, 31), { name: small ? "score_fr" : "upscore_pool4" }),
    argmaxScores: () => segmentationOverlay(img, argmax(scoresOf(stages[4]!, 41)), small ? {} : { width: 300, title: "argmax of score (synthetic)" }),
  };
}
