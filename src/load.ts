import * as tf from "@tensorflow/tfjs";
import { Model, type ModelOptions } from "./model.js";
import { modelSpec } from "./models/index.js";
import { surgery } from "./net/init.js";
import { paramSpecs } from "./net/params.js";
import { bilinearFilter } from "../core/bilinear.js";
import { MODEL_NAMES, type NetSpec } from "./net/spec.js";
import { CAFFE_FCN_PREPROCESS } from "./preprocess.js";
import { checkWeights, inferWeightsConfig } from "./weights/check.js";
import { toTensors } from "./weights/tensors.js";
import { assertFiniteParams } from "./finite.js";
import type { HostParams, WeightsFile } from "./weights/types.js";

export interface LoadOptions extends ModelOptions {
  /** Classes of an FCN built from VGG16 weights by surgery (default 21, PASCAL VOC). */
  readonly classes?: number;
  /** Log lines for the user (what was inferred, what was assumed). */
  readonly log?: (line: string) => void;
}

/**
 * A model from a weights file. `model` undefined (or "auto"): the model the file says it
 * is (its metadata: fcn-viz's own files, a .caffemodel's layers), else the one its tensors
 * imply (VGG16 weights alone: the classifier). Width and class count come from the file's
 * tensors; an at-once FCN-8s file builds the at-once net.
 * VGG16 weights given for an FCN go through the paper's surgery (convs and fc6/fc7
 * carried over, score layers zero, upsampling bilinear). Any mismatch is one error
 * listing every missing, unexpected and mis-shaped tensor.
 */
export function modelFromWeights(model: string | undefined, file: WeightsFile, o: LoadOptions = {}): Model {
  const log = o.log ?? (() => {});
  const plan = planFromWeights(model, file, o, log);
  const { spec, source, fromVgg, name } = plan;
  const preprocess = o.preprocess ?? file.meta.preprocess ?? CAFFE_FCN_PREPROCESS;
  if (!o.preprocess && !file.meta.preprocess) {
    log(`the weights file does not say how images were preprocessed; assuming ${preprocess.source}`);
  }
  // A VGG16 file may lack fc8 (Keras' _notop) when it only seeds an FCN.
  const host = withBilinear(file, source);
  checkWeights(paramSpecs(source), host, {
    format: file.format,
    ...(file.source ? { source: file.source } : {}),
    ...(fromVgg ? { allowMissing: ["fc8"] } : {}),
  });
  // A NaN or Inf weight would turn predictions into NaN without a word: refuse it here.
  assertFiniteParams(host, file.source);
  const params = toTensors(host);
  try {
    if (fromVgg) {
      const initial = surgery(params, spec);
      log(`${name} initialized from VGG16 weights by surgery (paper section 4.1): score layers zero, upsampling bilinear; untrained, it predicts background everywhere`);
      try {
        return new Model(spec, initial, { ...o, preprocess });
      } finally {
        initial.forEach((t) => t.dispose());
      }
    }
    return new Model(spec, params, { ...o, preprocess });
  } finally {
    params.forEach((t) => t.dispose());
  }
}

/** The net modelFromWeights builds from a file, known before any tensor is made. */
export interface WeightsPlan {
  /** The model's name (given, or the file's). */
  readonly name: string;
  /** The net that will run. */
  readonly spec: NetSpec;
  /** The net the file's tensors are checked against (VGG16's for surgery). */
  readonly source: NetSpec;
  /** VGG16 weights seeding an FCN (surgery). */
  readonly fromVgg: boolean;
}

/**
 * Which net modelFromWeights(model, file, o) would build, from the file's metadata and
 * tensor shapes only: the CLI plans memory with it before putting 500 MB of weights on
 * the backend. `o.classes` only sizes an FCN made from VGG16 weights; a file's own
 * classes otherwise win.
 */
export function planFromWeights(model: string | undefined, file: WeightsFile, o: LoadOptions = {}, log: (line: string) => void = () => {}): WeightsPlan {
  const found = inferWeightsConfig(file.params);
  const name = model === undefined || model === "auto" ? modelOfFile(file, found.model, log) : model;
  // The at-once scaling is part of the trained net: dropping it would be a silently wrong model.
  const atOnce = name === "fcn8s" && file.meta.atOnce === true;
  if (atOnce) log("at-once FCN-8s: pool4 scaled by 0.01 and pool3 by 0.0001 before their score layers");
  const spec = modelSpec(name, { width: found.width, classes: found.classes, ...(atOnce && { atOnce }) });
  const fromVgg = name.startsWith("fcn") && found.model === "vgg16";
  if (!fromVgg) return { name, spec, source: spec, fromVgg };
  return {
    name,
    spec: modelSpec(name, { width: found.width, classes: o.classes ?? 21 }),
    source: modelSpec("vgg16-fcn", { width: found.width, classes: found.classes }),
    fromVgg,
  };
}

/** The model a file is for: what it says, else what its tensors imply. */
function modelOfFile(file: WeightsFile, implied: string | undefined, log: (line: string) => void): string {
  const name = file.meta.model ?? implied;
  if (!name) {
    throw new Error(
      `cannot tell which model the weights${file.source ? ` in ${file.source}` : ""} are for (no model in their metadata, ` +
        `no VGG16/FCN layer names): name it (${MODEL_NAMES.join(", ")})`,
    );
  }
  log(`model: ${name}, ${file.meta.model ? "as the weights file says" : "from the weights' layer names"}`);
  return name;
}

/** Disposes every tensor of a set of taps (after reading them). */
export function disposeTaps(taps: Record<string, tf.Tensor>): void {
  Object.values(taps).forEach((t) => t.dispose());
}

/**
 * The file's parameters plus the upsampling weights it leaves out because they are the
 * fixed bilinear kernel (listed in its metadata's `bilinear`), rebuilt for `spec`.
 */
export function withBilinear(file: WeightsFile, spec: NetSpec): HostParams {
  const implicit = file.meta.bilinear ?? [];
  if (implicit.length === 0) return file.params;
  const params: HostParams = new Map(file.params);
  for (const p of paramSpecs(spec)) {
    if (p.kind === "deconv" && implicit.includes(p.layer) && !params.has(p.name)) {
      params.set(p.name, { shape: p.shape, data: bilinearFilter(p.shape[0]!, p.shape[2]!) });
    }
  }
  return params;
}
