/**
 * What one op type is, in one place: the shape of what it makes, where that sits on the
 * image, what it sees, what it costs, how inference and training compute it, and (for
 * the linear ops) how one output cell follows from its inputs' cells. ops/index.ts
 * gathers one OpDef per op type into OPS; the builder, geometry, executor, memory
 * planner, training forward and stream decomposition read OPS instead of each
 * switching on op.type, so a new op is one new module here.
 */
import type * as tf from "@tensorflow/tfjs";
import type { CoordMap } from "../../../core/coord-map.js";
import type { LayerOp, LayerRole } from "../../../core/net-description.js";
import type { Params } from "../../weights/types.js";
import type { PassOptions, PassTensor } from "../pass-tensors.js";
import type { NodeOf, OpOf, OpType, ParamSpec } from "../spec.js";

/** [height, width, channels] of one blob for one input size. */
export type BlobShape = readonly [number, number, number];

/** Stride ("jump": input pixels between neighbouring cells) and theoretical receptive field of a blob. */
export interface Field {
  stride: number;
  rf: number;
}

export interface ShapeContext {
  /** The input image's [height, width]. */
  readonly input: readonly [number, number];
  /** The shape of an earlier blob (a crop's reference). */
  shapeOf(blob: string): BlobShape;
}

/**
 * A layer's parameters in the form the inference kernel reads, converted once at load
 * time (execute.ts's prepareParams): conv / fc, one or more chunks along the output
 * channels, whose outputs are concatenated (fc's as matrices); a deconv with kernel
 * 2 x stride, blockFilter()'s 2x2 filter; any other deconv, the tfjs filter.
 */
export interface PreparedLayer {
  readonly weights: tf.Tensor[];
  readonly biases: (tf.Tensor1D | null)[];
}

export interface RunContext {
  /** The caller's input image (what the input op yields). */
  readonly input: tf.Tensor4D;
  /** This layer's prepared parameters, for ops that have some. */
  readonly prepared: PreparedLayer | undefined;
  readonly shapes: ReadonlyMap<string, BlobShape>;
}

export interface PlanContext {
  readonly backend: string;
  readonly options: PassOptions;
  /** The layer's output shape and its first input's. */
  readonly out: BlobShape;
  readonly src: BlobShape;
}

/** Inference: fast, weights prepared once, memory planned ahead. */
export interface InferenceKernel<T extends OpType> {
  /** This layer's parameters converted for `run`; absent for ops without parameters. */
  prepare?(node: NodeOf<T>, params: Params, maxWeightBytes: number | null): PreparedLayer;
  /** The layer on its inputs, batch of one. Runs inside tf.tidy: intermediates are freed. */
  run(node: NodeOf<T>, xs: readonly tf.Tensor4D[], ctx: RunContext): tf.Tensor4D;
  /**
   * The working tensors `run` makes on ctx.backend besides its output (memory.ts adds
   * the output): scratch freed with the layer, or buffers a backend keeps after it.
   */
  tensors?(node: NodeOf<T>, ctx: PlanContext): PassTensor[];
}

export interface TrainContext {
  /** The batch (what the input op yields). */
  readonly input: tf.Tensor4D;
  /** The input blob's name: a layer reading it needs no input gradient. */
  readonly image: string;
  readonly shapes: ReadonlyMap<string, BlobShape>;
  /** A parameter tensor (maybe a tf.Variable); throws when the caller did not give it. */
  param(name: string): tf.Tensor;
  /** Whether a layer's filter is learned (false: a fixed bilinear upsampling, no filter gradient). */
  learns(layer: string): boolean;
}

export interface LinearContext {
  /** An input blob's value at cell (i, j): null outside it, or when no stream reaches it. */
  value(blob: string, i: number, j: number): Float64Array | null;
  shapeOf(blob: string): BlobShape;
  /** A layer's weights on the host, tfjs layout, flattened. */
  weights(layer: string): Float32Array;
}

/**
 * A linear op seen from one output cell (what the issue calls its linear adjoint): the
 * input cells that reach cell (i, j) and with what weights, applied to their values.
 * The stream decomposition (analysis/streams.ts) walks back from one output pixel
 * through these, visiting only the handful of cells per layer that reach it.
 */
export interface LinearCell<T extends OpType> {
  /** The output's channels at (i, j), or null when no input cell reaching it has a value. */
  at(node: NodeOf<T>, i: number, j: number, ctx: LinearContext): Float64Array | null;
}

export interface OpDef<T extends OpType> {
  /** Output shape from the inputs', or why they do not fit: a phrase following the blob's name. */
  shape(node: NodeOf<T>, ins: readonly BlobShape[], ctx: ShapeContext): BlobShape | string;
  /**
   * The output's coordinate map (blob = a * image + b) from its inputs' (builder.ts):
   * undefined past a fully connected layer. Throws when inputs cannot be combined.
   */
  coordMap(node: NodeOf<T>, mapOf: (blob: string) => CoordMap | undefined): CoordMap | undefined;
  /** Stride and receptive field from the inputs' (geometry.ts's receptiveFields). */
  field(op: OpOf<T>, ins: readonly Field[]): Field;
  /** Multiply-accumulates for one image; absent: none worth counting. */
  macs?(op: OpOf<T>, out: BlobShape, ins: readonly BlobShape[]): number;
  /** The parameter tensors the layer reads (params.ts); absent: none. */
  params?(node: NodeOf<T>): ParamSpec[];
  /** The summary table's crop column; absent for ops that do not crop. */
  cropOffset?(op: OpOf<T>): number;
  /** The op's settings for a net description (core/net-description.ts): kernel, stride, pad... */
  settings(op: OpOf<T>): LayerOp;
  /** What a layer of this op does in a net description, unless its place in the graph says more (describe.ts: convs). */
  readonly role: LayerRole;
  readonly inference: InferenceKernel<T>;
  /** Training: batched, differentiable, built from the parameter tensors on every call (train/forward.ts). */
  train(node: NodeOf<T>, xs: readonly tf.Tensor4D[], ctx: TrainContext): tf.Tensor4D;
  /** Present exactly for the linear ops, which the stream decomposition walks through. */
  readonly linear?: LinearCell<T>;
}

/** A blob's coordinate map, for ops that cannot do without one (crop, sum). */
export function knownMap(mapOf: (blob: string) => CoordMap | undefined, blob: string): CoordMap {
  const m = mapOf(blob);
  if (!m) throw new Error(`${blob} has no coordinate map (it is past a fully connected layer)`);
  return m;
}
