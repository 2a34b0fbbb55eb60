/**
 * Scoring a segmentation net on scenes with the paper's four metrics (core/metrics.ts, i.e.
 * score.py): per-scene predictions, the confusion matrix, the figures. Used by every FCN
 * stage (validation scenes) and by the evaluation stage (test scenes).
 */
import * as tf from "@tensorflow/tfjs";
import { confusionMatrix, emptyConfusion, segmentationMetrics, type Confusion, type SegMetrics } from "../../core/metrics.js";
import { IGNORE_LABEL } from "../../core/labels.js";
import { SEG_CLASSES, type SegScene } from "../data/scenes.js";
import type { Model } from "../model.js";
import { inputBatch } from "./batch.js";

/** Per-pixel labels a segmentation model predicts for a scene (argmax of its scores). */
export async function predictLabels(model: Model, scene: SegScene): Promise<Uint8Array> {
  const input = inputBatch([scene], model.preprocess);
  try {
    const taps = model.forward(input);
    const scores = taps[model.spec.output]!;
    try {
      const labels = tf.tidy(() => scores.argMax(3));
      const out = Uint8Array.from((await labels.data()) as Int32Array);
      labels.dispose();
      return out;
    } finally {
      scores.dispose();
    }
  } finally {
    input.dispose();
  }
}

export interface SegEvaluation {
  readonly scenes: number;
  readonly metrics: MetricFigures;
  readonly confusion: number[];
}

/** The four figures of Table 2, as fractions. */
export interface MetricFigures {
  readonly pixelAccuracy: number;
  readonly meanAccuracy: number;
  readonly meanIU: number;
  readonly frequencyWeightedIU: number;
}

function figures(m: SegMetrics): MetricFigures {
  return { pixelAccuracy: m.pixelAccuracy, meanAccuracy: m.meanAccuracy, meanIU: m.meanIU, frequencyWeightedIU: m.frequencyWeightedIU };
}

function evaluation(conf: Confusion, scenes: number): SegEvaluation {
  return { scenes, metrics: figures(segmentationMetrics(conf)), confusion: Array.from(conf.counts) };
}

/**
 * Scores a model on test scenes 0..n-1; also returns the figures of the first `prefix`
 * scenes (the CI subset) from the same pass.
 */
export async function evaluateOnScenes(
  model: Model,
  scene: (k: number) => SegScene,
  n: number,
  prefix = 0,
  onScene?: (k: number) => void,
): Promise<{ all: SegEvaluation; prefix: SegEvaluation }> {
  const conf = emptyConfusion(SEG_CLASSES);
  let head = emptyConfusion(SEG_CLASSES);
  for (let k = 0; k < n; k++) {
    const s = scene(k);
    const pred = await predictLabels(model, s);
    confusionMatrix({ data: s.labels, shape: [s.size, s.size] }, { data: pred, shape: [s.size, s.size] }, SEG_CLASSES, { ignore: IGNORE_LABEL, into: conf });
    if (k + 1 === prefix) head = { n: conf.n, counts: Float64Array.from(conf.counts) };
    onScene?.(k);
  }
  return { all: evaluation(conf, n), prefix: evaluation(head, Math.min(prefix, n)) };
}
