/**
 * A network as data: named blobs, each made by one op from earlier blobs, in the spirit
 * of Caffe's net spec. The same description drives the tfjs forward pass
 * (execute.ts), the geometry (shapes, receptive fields, crops: geometry.ts), the
 * parameter list (params.ts) and weight loading. What each op type means (its shape,
 * coordinate map, kernels...) is written once, in its module of ops/.
 */
import type { CoordMap } from "../../core/coord-map.js";

export type ModelName = "vgg16" | "vgg16-fcn" | "fcn32s" | "fcn16s" | "fcn8s";

export const MODEL_NAMES: readonly ModelName[] = ["vgg16", "vgg16-fcn", "fcn32s", "fcn16s", "fcn8s"];

export type Op =
  /** The image, already preprocessed (NHWC float32). */
  | { readonly type: "input"; readonly channels: number }
  /** Convolution + bias (+ ReLU). Weights in tfjs layout [kH, kW, in, out]. */
  | {
      readonly type: "conv";
      readonly kernel: number;
      readonly stride: number;
      readonly pad: number;
      readonly inChannels: number;
      readonly outChannels: number;
      readonly relu: boolean;
    }
  /** Max pool, Caffe's ceil rounding: an odd side n gives ceil(n/2). */
  | { readonly type: "pool"; readonly kernel: number; readonly stride: number }
  /**
   * A classifier's fully connected layer: flattens an [h, w, c] input in NHWC order and
   * multiplies. Its weights are stored as the equivalent [h, w, c, out] conv kernel, so
   * convolutionalizing is reading the same tensor as a convolution.
   */
  | {
      readonly type: "fc";
      readonly window: number;
      readonly inChannels: number;
      readonly outChannels: number;
      readonly relu: boolean;
    }
  /** Transposed convolution ("backwards strided convolution"), no bias, no padding. */
  | { readonly type: "deconv"; readonly kernel: number; readonly stride: number; readonly channels: number }
  /** Crop to the reference blob's size, starting at a computed offset (see builder.ts). */
  | { readonly type: "crop"; readonly reference: string; readonly offset: number }
  /** Elementwise sum of same-shaped inputs (the skip fusions). */
  | { readonly type: "sum" }
  /** Multiply by a constant (the at-once FCN-8s scales pool4 and pool3). */
  | { readonly type: "scale"; readonly factor: number };

export interface NetNode {
  readonly name: string;
  readonly op: Op;
  readonly inputs: readonly string[];
}

/** The op types: the keys of the op table (ops/index.ts). */
export type OpType = Op["type"];
export type OpOf<T extends OpType> = Extract<Op, { readonly type: T }>;
/** A node whose op is of type T: what one entry of the op table is given. */
export interface NodeOf<T extends OpType> extends NetNode {
  readonly op: OpOf<T>;
}

export interface NetSpec {
  readonly model: ModelName;
  readonly classes: number;
  readonly width: number;
  readonly nodes: readonly NetNode[];
  /** Blob holding the network's result. */
  readonly output: string;
  /** Coordinate map (core/coord-map.ts: blob = a * image + b) of every blob that has one (a classifier's fc layers have none). */
  readonly coords: ReadonlyMap<string, CoordMap>;
  /** A fixed input side (the classifier's 224), or null for a fully convolutional net. */
  readonly fixedInput: number | null;
}

/** Names of the blobs (taps) of a net, in execution order. */
export function tapNames(spec: NetSpec): string[] {
  return spec.nodes.map((n) => n.name);
}

export function findNode(spec: NetSpec, name: string): NetNode {
  const node = spec.nodes.find((n) => n.name === name);
  if (!node) {
    throw new Error(`unknown tap "${name}" for ${spec.model}. Its taps are: ${tapNames(spec).join(", ")}`);
  }
  return node;
}

/**
 * What a parameter is, in tfjs layout:
 *   conv / fc weight: [kH, kW, in, out]   (fc6 of the classifier: [7, 7, 512, 4096])
 *   deconv weight:    [kH, kW, out, in]   (tfjs conv2dTranspose's filter layout)
 *   bias:             [out]
 * Weight files in other layouts (PyTorch OIHW, Keras' flattened fc) are converted to
 * this once, when they are loaded.
 */
export interface ParamSpec {
  /** `<layer>.weight` or `<layer>.bias`. */
  readonly name: string;
  readonly layer: string;
  readonly role: "weight" | "bias";
  /** Which layer kind owns it: decides the layout conversions of weight files. */
  readonly kind: "conv" | "fc" | "deconv";
  readonly shape: readonly number[];
}
