/**
 * fcn-viz/train (Node): training the nets from scratch on the digit scenes, as
 * `fcn-viz train STAGE` does: the pipeline and its presets, the training loop and its
 * parts (Adam, the training forward pass, losses, initializations), the data, and the
 * evaluation. Loading the shipped trained models: `fcn-viz/trained`.
 *
 *   import { PRESETS, runStage } from "fcn-viz/train";
 *   await runStage({ config: PRESETS.smoke, workDir: "out/train", modelsDir: "out/models", backend: "wasm", log: console.log }, "classifier");
 */

// The pipeline: presets, stages, one stage run (resumable), the CLI's --set.
export { FCN_STAGES, PRESETS, STAGES, type FcnStage, type PipelineConfig, type Stage } from "./config.js";
export { runStage, withOverrides } from "./cli.js";
export type { PipelineContext, StageReport } from "./stages.js";

// The training loop and its parts.
export { train, type Batch, type TrainResult, type TrainTask } from "./trainer.js";
export { Adam, type AdamOptions } from "./adam.js";
export { trainForward, type TrainForwardOptions } from "./forward.js";
export { classCrossEntropy, pixelCrossEntropy } from "./loss.js";
export { initFromCoarser } from "./init.js";
export { unitVarianceInit } from "./lsuv.js";
export { registerWasmTrainingKernels } from "./wasm-kernels.js";

// The data: MNIST digits, scenes of them with per-pixel labels, batches.
export { DIGITS_PREPROCESS, inputBatch, labelBatch } from "./batch.js";
export { CLASSIFIER_IMAGES, SEG_CLASSES, SEG_SCENES, classifierImage, renderScene, segScene, toRgb } from "../data/scenes.js";
export type { ClassifierImageOptions, DigitImage, DigitSource, PlacedDigit, SceneOptions, SegScene } from "../data/scenes.js";
export { loadDigits, splitDigits, type Digits, type Split } from "../data/digits.js";

// Evaluation: labels predicted, scored against the truth, the classifier's heatmap.
export { evaluateOnScenes, predictLabels, type Results, type SegEvaluation } from "./evaluate.js";
export { HEATMAP_SCENE, classifierHeatmap, type Heatmap } from "./heatmap.js";
