/**
 * `fcn-viz/trained` (Node only: it reads files): the weights `fcn-viz train` produces and the project ships in models/: real,
 * learned models for the notebooks, offline. A classifier (VGG16 layout) trained on
 * handwritten digits, and FCN-32s-fixed, FCN-32s, FCN-16s, FCN-8s (and FCN-8s with
 * learned final upsampling) fine-tuned from it on scenes of several digits;
 * models/README.md is their model card.
 *
 *   const fcn8s = await loadTrainedModel("fcn8s");
 *   const scene = trainedTestScene(0);                 // a test scene with its labels
 *   const labels = await predictLabels(fcn8s, scene);   // per-pixel classes, 0..10
 *   const convnet = await loadTrainedModel("classifier", { as: "vgg16-fcn" });
 *   const heat = await classifierHeatmap(convnet, trainedTestScene(0, HEATMAP_SCENE));
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { classifierImage, segScene, type ClassifierImageOptions, type DigitImage, type SceneOptions, type SegScene } from "./data/scenes.js";
import type { Split } from "./data/digits.js";
import { modelFromWeights, withBilinear } from "./load.js";
import type { Model, ModelOptions } from "./model.js";
import { modelSpec } from "./models/index.js";
import { packageDir } from "./package-dir.js";
import type { ModelName } from "./net/spec.js";
import { FCN_STAGES, PRESETS, type FcnStage, type PipelineConfig } from "./train/config.js";
import { beyondScene, type Results } from "./train/evaluate.js";
import { digitSource, FCN_STAGE_DEFS } from "./train/stages.js";
import { inferWeightsConfig, readWeights } from "./weights/index.js";
import type { HostParams } from "./weights/types.js";

export type TrainedName = "classifier" | FcnStage;
export const TRAINED_MODELS: readonly TrainedName[] = ["classifier", ...FCN_STAGES];

/** The package's models/ directory (found from this module, in src/ or dist/src/). */
export function trainedModelsDir(): string {
  return packageDir("models");
}

export interface LoadTrainedOptions extends ModelOptions {
  /** Where the weight files are (default: the package's models/). */
  readonly dir?: string;
  /**
   * Read the weights as another model: "vgg16-fcn" for the classifier convolutionalized
   * (the same numbers, fc6 as a 7x7 convolution).
   */
  readonly as?: ModelName;
}

/** models/<name>.safetensors, or a clear error if it is missing. */
function trainedFile(name: TrainedName, dir = trainedModelsDir()): string {
  if (!TRAINED_MODELS.includes(name)) throw new Error(`unknown trained model "${name}": choose one of ${TRAINED_MODELS.join(", ")}`);
  const file = join(dir, `${name}.safetensors`);
  if (!existsSync(file)) throw new Error(`${file} does not exist: the trained weights ship in models/ (or run \`fcn-viz train ${name}\`)`);
  return file;
}

/** The model a trained file belongs to: vgg16 for the classifier, else its FCN stage's. */
function trainedModelName(name: TrainedName): ModelName {
  return name === "classifier" ? "vgg16" : FCN_STAGE_DEFS[name].model;
}

/** A trained model from models/<name>.safetensors, preprocessing included. */
export async function loadTrainedModel(name: TrainedName, o: LoadTrainedOptions = {}): Promise<Model> {
  const file = trainedFile(name, o.dir);
  const model = o.as ?? trainedModelName(name);
  const { dir: _dir, as: _as, ...modelOptions } = o;
  return modelFromWeights(model, await readWeights(file), modelOptions);
}

export interface TrainedParams {
  /**
   * Every parameter as a plain array in the library's (tfjs) layout: conv [kH, kW, in, out],
   * transposed conv [k, k, out, in], bias [out].
   */
  readonly params: HostParams;
  /** Upsampling layers the file leaves out because they stayed fixed bilinear (rebuilt in `params`). */
  readonly fixedBilinear: readonly string[];
}

/**
 * The numbers in models/<name>.safetensors, to look at (a learned kernel, a score layer),
 * with the fixed bilinear upsampling kernels the file does not store rebuilt.
 */
export async function trainedParams(name: TrainedName, o: { readonly dir?: string } = {}): Promise<TrainedParams> {
  const file = await readWeights(trainedFile(name, o.dir));
  const found = inferWeightsConfig(file.params);
  const spec = modelSpec(trainedModelName(name), { width: found.width, classes: found.classes });
  return { params: withBilinear(file, spec), fixedBilinear: [...(file.meta.bilinear ?? [])] };
}

/** results.json next to the weights: the model card's figures and settings. */
export function trainedResults(dir = trainedModelsDir()): Results {
  const file = join(dir, "results.json");
  if (!existsSync(file)) throw new Error(`${file} does not exist: run \`fcn-viz train evaluate\``);
  return JSON.parse(readFileSync(file, "utf8")) as Results;
}

/**
 * The configuration the shipped models were trained and scored with (results.json), or
 * the default preset's when no results.json is there yet; a broken one is an error.
 */
function trainedConfig(dir = trainedModelsDir()): PipelineConfig {
  return existsSync(join(dir, "results.json")) ? trainedResults(dir).config : PRESETS.default!;
}

/**
 * Scene k of a split, as the shipped models were trained and scored on (their data
 * seed; the card's scene settings unless `o` is given). Test scenes use test digits only.
 */
export function trainedScene(split: Split, k: number, o?: SceneOptions, dir?: string): SegScene {
  const c = trainedConfig(dir);
  return segScene(digitSource(c.seed), split, k, o ?? c.scenes);
}

/** Test scene k (see trainedScene). */
export function trainedTestScene(k: number, o?: SceneOptions, dir?: string): SegScene {
  return trainedScene("test", k, o, dir);
}

/** Scene k of the shipped models' shifted test set `set` (results.json's config.evaluation.beyond). */
export function trainedBeyondScene(set: number, k: number, dir?: string): SegScene {
  return beyondScene(trainedConfig(dir), set, k);
}

/** Single-digit classifier image k of a split (held-out test digits: split "test"). */
export function trainedDigitImage(split: Split, k: number, o?: ClassifierImageOptions, dir?: string): DigitImage & { label: number } {
  const c = trainedConfig(dir);
  return classifierImage(digitSource(c.seed), split, k, o ?? c.classifier.images, split !== "train");
}

export { predictLabels, evaluateOnScenes, beyondScene, type Results, type SegEvaluation, type MetricFigures } from "./train/evaluate.js";
export { classifierHeatmap, HEATMAP_SCENE, type Heatmap } from "./train/heatmap.js";
export { DIGIT_CLASS_NAMES } from "../core/class-names/digits.js";
export { IGNORE_LABEL } from "../core/labels.js";
export { SEG_CLASSES, segScene, classifierImage, renderScene, toRgb, SEG_SCENES, CLASSIFIER_IMAGES } from "./data/scenes.js";
export type { SegScene, DigitImage, PlacedDigit, SceneOptions, ClassifierImageOptions, DigitSource } from "./data/scenes.js";
export { loadDigits, splitDigits, type Digits, type Split } from "./data/digits.js";
export { DIGITS_PREPROCESS, inputBatch, labelBatch } from "./train/batch.js";
export { registerWasmTrainingKernels } from "./train/wasm-kernels.js";
export { trainForward } from "./train/forward.js";
export { PRESETS, FCN_STAGES, STAGES, type PipelineConfig, type FcnStage, type Stage } from "./train/config.js";
