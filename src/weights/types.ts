import type * as tf from "@tensorflow/tfjs";
import type { ModelName } from "../net/spec.js";
import type { Preprocess } from "../preprocess.js";

/**
 * A model's parameters, keyed by ParamSpec.name ("conv1_1.weight", "conv1_1.bias",
 * "upscore2.weight", ...), each in tfjs layout (see src/net/params.ts).
 */
export type Params = Map<string, tf.Tensor>;

/** Parameters as plain typed arrays (what files are read into / written from). */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}
export type HostParams = Map<string, HostTensor>;

/** What a weights file says about the model it belongs to, where it says it. */
export interface WeightsMeta {
  readonly model?: ModelName;
  readonly classes?: number;
  readonly width?: number;
  readonly preprocess?: Preprocess;
  /** Free-form notes (training data, seed, ...). */
  readonly notes?: Record<string, string>;
}

/** A weights file read into memory, layouts already converted to tfjs's. */
export interface WeightsFile {
  readonly params: HostParams;
  readonly meta: WeightsMeta;
  /** "safetensors" | "keras-h5" | "tfjs". */
  readonly format: WeightsFormat;
}

export type WeightsFormat = "safetensors" | "keras-h5" | "tfjs";
