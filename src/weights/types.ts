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
  /**
   * The name of each output class, in label order (index = label). Carried by the
   * weights because only they know what their classes mean; when absent, names come
   * from the class count (classNamesFor in src/classes.ts).
   */
  readonly classNames?: readonly string[];
  /** Free-form notes (training data, seed, ...). */
  readonly notes?: Record<string, string>;
  /**
   * Upsampling layers whose weights are the fixed bilinear kernel (the paper's
   * non-learned upsampling) and are therefore not stored: loading rebuilds them. FCN-32s'
   * fixed 64x64 upscore alone would otherwise be as large as the rest of a small net.
   */
  readonly bilinear?: readonly string[];
  /**
   * The at-once FCN-8s (voc-fcn8s-atonce): pool4 scaled by 0.01 and pool3 by 0.0001
   * before their score layers. Same tensors as FCN-8s, different net: a file says so.
   */
  readonly atOnce?: boolean;
}

/** A weights file read into memory, layouts already converted to tfjs's. */
export interface WeightsFile {
  readonly params: HostParams;
  readonly meta: WeightsMeta;
  /** "safetensors" | "keras-h5" | "tfjs" | "caffemodel". */
  readonly format: WeightsFormat;
  /** The path it was read from (absent for files built in memory). */
  readonly source?: string;
}

/** "caffemodel" is read only: weights are written as one of the others. */
export type WeightsFormat = "safetensors" | "keras-h5" | "tfjs" | "caffemodel";

/**
 * What the writers take: parameters and metadata. A WeightsFile read earlier fits as
 * is; its `format` and `source` are ignored (the output format comes from the path).
 */
export interface WeightsToWrite {
  readonly params: HostParams;
  readonly meta: WeightsMeta;
  readonly format?: WeightsFormat;
  readonly source?: string;
}

export const WEIGHTS_FORMATS: readonly WeightsFormat[] = ["safetensors", "keras-h5", "tfjs", "caffemodel"];

/**
 * How a Keras HDF5 file names its datasets, relative to the layer group:
 *   keras1:    `<layer>_W_1:0`, `<layer>_b_1:0`   (the official VGG16 weights files)
 *   tf-keras2: `<layer>/kernel:0`, `<layer>/bias:0` (tf.keras 2 save_weights)
 *   keras3:    `<layer>/kernel`, `<layer>/bias`     (Keras 3's legacy h5 writer)
 */
export type KerasNaming = "keras1" | "tf-keras2" | "keras3";

export interface WriteOptions {
  /** Keras HDF5 only. Default "tf-keras2". */
  readonly kerasNaming?: KerasNaming;
  /** tfjs only: largest shard in bytes. Default 4 MiB, as tfjs. */
  readonly shardBytes?: number;
  /** safetensors only: store F16 (half the size; read back as float32). Default F32. */
  readonly dtype?: "F32" | "F16";
}

/** Human-readable list of what readWeights accepts, for error messages. */
export const ACCEPTED_FORMATS_TEXT =
  "safetensors (.safetensors, PyTorch layout), Keras HDF5 weights (.h5, e.g. vgg16_weights_tf_dim_ordering_tf_kernels.h5), " +
  "a tfjs weights directory / model.json, or a Caffe .caffemodel (the FCN authors' and the VGG authors' releases)";
