/**
 * Stage 2: the trained classifier convolutionalized (the same weights read by the
 * vgg16-fcn spec: fc6 a 7x7 convolution, fc7 and fc8 1x1) and run once over a scene
 * larger than its 224x224 input. Each output cell is the classifier's verdict on one
 * 224x224 window, 32 pixels apart: the paper's "tabby cat" heat map (Figure 2), here a
 * map per digit class.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { segScene, type DigitImage, type SceneOptions } from "../data/scenes.js";
import { modelFromWeights } from "../load.js";
import type { RgbImage } from "../../core/image.js";
import type { Model } from "../model.js";
import { modelSpec } from "../models/index.js";
import { readWeights } from "../weights/index.js";
import { inputBatch } from "./batch.js";
import { Canvas } from "./figures.js";
import { digitSource, weightsPath, type PipelineContext } from "./stages.js";

/**
 * A scene for the heat map: 512x512, four test digits at the classifier's scales, kept
 * where the 10x10 grid of 224x224 windows has its centres (112..400), 72 px from the edges.
 */
export const HEATMAP_SCENE: SceneOptions = { size: 512, digits: [4, 4], scale: [4, 5], maxOverlap: 0, margin: 72 };

export interface Heatmap {
  /** Grid rows and columns (one classifier window each). */
  readonly rows: number;
  readonly cols: number;
  readonly classes: number;
  /** Softmax probabilities, [rows, cols, classes] row-major. */
  readonly probabilities: Float32Array;
  /** Input pixel (x or y) at the centre of cell i's window: centre0 + i * stride. */
  readonly centre0: number;
  readonly stride: number;
  /** Side of the window each cell classifies (the classifier's input, 224). */
  readonly window: number;
}

/**
 * Runs a convolutionalized classifier (model "vgg16-fcn") over an image (a digit scene or
 * an RGB photo) and returns the per-cell class probabilities with where each cell looks.
 */
export async function classifierHeatmap(model: Model, image: DigitImage | RgbImage): Promise<Heatmap> {
  if (model.spec.model !== "vgg16-fcn") throw new Error(`classifierHeatmap needs the convolutionalized classifier (vgg16-fcn), got ${model.spec.model}`);
  const input = "rgb" in image ? model.inputFromImage(image) : inputBatch([image], model.preprocess);
  try {
    const taps = model.forward(input);
    const logits = taps[model.spec.output]!;
    const [, rows, cols, classes] = logits.shape;
    const probs = tf.tidy(() => tf.softmax(logits));
    const probabilities = (await probs.data()) as Float32Array;
    tf.dispose([probs, logits]);
    // fc8 = a * image + b per axis (the spec's coordinate map): cell i is centred on (i - b) / a.
    const map = model.spec.coords.get(model.spec.output)!;
    // The window each cell classifies is the classifier's own input size.
    const window = modelSpec("vgg16", { width: model.spec.width, classes }).fixedInput!;
    return { rows, cols, classes, probabilities, centre0: -map.b / map.a, stride: 1 / map.a, window };
  } finally {
    input.dispose();
  }
}

export async function runHeatmap(ctx: PipelineContext): Promise<Heatmap> {
  const file = await readWeights(weightsPath(ctx, "classifier"));
  // The library's convolutionalization: the classifier's own file, read as vgg16-fcn.
  const model = modelFromWeights("vgg16-fcn", file);
  const scene = segScene(digitSource(ctx.config.seed), "test", 0, HEATMAP_SCENE);
  try {
    const map = await classifierHeatmap(model, scene);
    const present = [...new Set(scene.digits.map((d) => d.label))];
    ctx.log(`heatmap: ${scene.size}x${scene.size} scene with digits ${scene.digits.map((d) => d.label).join(", ")} -> ${map.rows}x${map.cols} grid of classifier windows`);
    for (const d of present) {
      let best = 0;
      for (let i = 0; i < map.rows * map.cols; i++) best = Math.max(best, map.probabilities[i * map.classes + d]!);
      ctx.log(`  class ${d}: highest probability ${best.toFixed(3)}`);
    }
    await mkdir(ctx.modelsDir, { recursive: true });
    await writeFile(join(ctx.modelsDir, "heatmap.png"), heatmapPng(scene, map, present));
    await mkdir(join(ctx.workDir, "reports"), { recursive: true });
    await writeFile(
      join(ctx.workDir, "reports", "heatmap.json"),
      JSON.stringify({ digits: scene.digits, rows: map.rows, cols: map.cols, centre0: map.centre0, stride: map.stride, probabilities: Array.from(map.probabilities, (p) => +p.toFixed(4)) }) + "\n",
    );
    return map;
  } finally {
    model.dispose();
  }
}

/**
 * The scene (half size), then for each digit class present the scene dimmed with the
 * cells' probability of that class in red, each cell drawn as the stride-sized square
 * around the centre of the window it classified.
 */
function heatmapPng(scene: DigitImage, map: Heatmap, classes: readonly number[]): Uint8Array {
  const half = scene.size / 2;
  const gap = 6;
  const canvas = new Canvas((1 + classes.length) * half + classes.length * gap, half);
  const grey = (x: number, y: number) => {
    let s = 0;
    for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) s += scene.pixels[(2 * y + dy) * scene.size + 2 * x + dx]!;
    return s / 4;
  };
  canvas.tile(0, 0, half, half, (x, y) => {
    const v = Math.round(grey(x, y));
    return [v, v, v];
  });
  classes.forEach((d, k) => {
    canvas.tile((k + 1) * (half + gap), 0, half, half, (x, y) => {
      const X = 2 * x;
      const Y = 2 * y;
      const i = Math.round((Y - map.centre0) / map.stride);
      const j = Math.round((X - map.centre0) / map.stride);
      const p = i >= 0 && j >= 0 && i < map.rows && j < map.cols ? map.probabilities[(i * map.cols + j) * map.classes + d]! : 0;
      const g = grey(x, y) * 0.35;
      return [Math.round(g + (255 - g) * p), Math.round(g * (1 - p)), Math.round(g * (1 - p))];
    });
  });
  return canvas.png();
}
