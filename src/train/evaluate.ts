/**
 * Stage 4: every FCN scored on the test scenes with the paper's four metrics (the
 * confusion matrix and metrics of core/metrics.ts, i.e. score.py), from the shipped
 * weight files as a user would load them, and the model card written from the results.
 *
 * Two sets of figures: on `testScenes` test scenes (the card's table), and on the first
 * `ciScenes` of them, with their confusion matrices, which CI recomputes and must match
 * exactly (test/trained-weights.test.ts).
 */
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../io/files.js";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { confusionMatrix, emptyConfusion, segmentationMetrics, type Confusion, type SegMetrics } from "../../core/metrics.js";
import { segScene, SEG_CLASSES, type SegScene } from "../data/scenes.js";
import { IGNORE_LABEL } from "../../core/labels.js";
import { modelFromWeights, withBilinear } from "../load.js";
import type { Model } from "../model.js";
import { readWeights } from "../weights/index.js";
import { inputBatch } from "./batch.js";
import { FCN_STAGES, type PipelineConfig } from "./config.js";
import { progressLine } from "./progress.js";
import { writeModelCard } from "./card.js";
import { classifierAccuracy, classifierSpec, digitSource, FCN_STAGE_DEFS, readReport, weightsPath, type PipelineContext, type StageReport } from "./stages.js";
import { renderExamples, writeSampleScenes } from "./figures.js";

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

export interface Results {
  /** The whole configuration the models were trained and scored with. */
  readonly config: PipelineConfig;
  readonly preset: string;
  readonly seed: number;
  readonly width: number;
  readonly backend: string;
  readonly dtype: string;
  readonly scenes: PipelineConfig["scenes"];
  readonly digits: { readonly train: number; readonly val: number; readonly test: number };
  readonly classifier: {
    readonly testAccuracy: number;
    readonly testDigits: number;
    readonly ciAccuracy: number;
    readonly ciDigits: number;
    readonly report: StageReport | null;
    readonly bytes: number;
  };
  readonly models: Record<string, { readonly test: SegEvaluation; readonly ci: SegEvaluation; readonly report: StageReport | null; readonly bytes: number }>;
  /** The heat map figure's digit classes, panel by panel (null if the heatmap stage did not run). */
  readonly heatmapClasses: number[] | null;
  readonly evaluatedAt: string;
  readonly evaluationSeconds: number;
}

/** Test scene k for a configuration (the same scenes CI and the card use). */
export function testScene(config: PipelineConfig, k: number): SegScene {
  return segScene(digitSource(config.seed), "test", k, config.scenes);
}

export async function runEvaluate(ctx: PipelineContext): Promise<Results> {
  const { config } = ctx;
  const t0 = performance.now();
  const src = digitSource(config.seed);

  const clsFile = await readWeights(weightsPath(ctx, "classifier"));
  const clsParams = withBilinear(clsFile, classifierSpec(config));
  const testDigits = Math.min(config.classifier.testImages, src.splits.test.length);
  const testAccuracy = await classifierAccuracy(classifierSpec(config), clsParams, src, config, testDigits);
  const ciAccuracy = await classifierAccuracy(classifierSpec(config), clsParams, src, config, config.evaluation.ciDigits);
  ctx.log(`classifier: ${(100 * testAccuracy).toFixed(2)}% on ${testDigits} held-out digits (${(100 * ciAccuracy).toFixed(2)}% on the first ${config.evaluation.ciDigits})`);

  const models: Results["models"] = {};
  for (const stage of FCN_STAGES) {
    const path = weightsPath(ctx, stage);
    if (!existsSync(path)) {
      ctx.log(`${stage}: no weights (${path}); skipped`);
      continue;
    }
    const model = modelFromWeights(FCN_STAGE_DEFS[stage].model, await readWeights(path));
    try {
      const n = config.evaluation.testScenes;
      const bar = progressLine(`evaluate ${stage}`, n);
      const { all, prefix } = await evaluateOnScenes(model, (k) => testScene(config, k), n, config.evaluation.ciScenes, (k) => bar.update(k + 1, {}));
      bar.done(`${n} test scenes`);
      models[stage] = { test: all, ci: prefix, report: await readReport(ctx, stage), bytes: statSync(path).size };
      const m = all.metrics;
      ctx.log(
        `${stage.padEnd(26)} pixel acc ${pct(m.pixelAccuracy)}  mean acc ${pct(m.meanAccuracy)}  mean IU ${pct(m.meanIU)}  f.w. IU ${pct(m.frequencyWeightedIU)}`,
      );
    } finally {
      model.dispose();
    }
  }
  const results: Results = {
    config,
    preset: config.preset,
    seed: config.seed,
    width: config.width,
    backend: ctx.backend,
    dtype: config.dtype,
    scenes: config.scenes,
    digits: { train: src.splits.train.length, val: src.splits.val.length, test: src.splits.test.length },
    classifier: {
      testAccuracy,
      testDigits,
      ciAccuracy,
      ciDigits: config.evaluation.ciDigits,
      report: await readReport(ctx, "classifier"),
      bytes: statSync(weightsPath(ctx, "classifier")).size,
    },
    models,
    heatmapClasses: await heatmapClasses(ctx),
    evaluatedAt: new Date().toISOString(),
    evaluationSeconds: Math.round((performance.now() - t0) / 1000),
  };
  await writeFileAtomic(join(ctx.modelsDir, "results.json"), JSON.stringify(results, null, 1) + "\n");
  await renderExamples(ctx, (k) => testScene(config, k));
  await writeSampleScenes(ctx, (k) => testScene(config, k));
  await writeModelCard(ctx, results);
  ctx.log(`wrote ${join(ctx.modelsDir, "results.json")} and ${join(ctx.modelsDir, "README.md")}`);
  return results;
}

async function heatmapClasses(ctx: PipelineContext): Promise<number[] | null> {
  const p = join(ctx.workDir, "reports", "heatmap.json");
  if (!existsSync(p)) return null;
  const r = JSON.parse(await readFile(p, "utf8")) as { digits: { label: number }[] };
  return [...new Set(r.digits.map((d) => d.label))];
}

export function pct(x: number): string {
  return (100 * x).toFixed(1).padStart(5);
}
