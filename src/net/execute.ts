import * as tf from "@tensorflow/tfjs";
import type { Params } from "../weights/types.js";
import { blobShapes } from "./geometry.js";
import { paramSpecs } from "./params.js";
import { splitConvFilter } from "../backend.js";
import { tapNames, type NetNode, type NetSpec } from "./spec.js";

/**
 * Parameters in the form the forward pass uses, converted once at load time:
 * fc weights flattened to matrices, and weights larger than the backend's storage
 * buffer limit split along their output channels (WebGPU adapters may cap a binding at
 * 128 MiB while fc6 alone is 411 MB; tfjs-webgpu then silently computes garbage).
 */
export interface PreparedLayer {
  /**
   * conv / fc: one or more chunks along the output channels; their outputs are
   * concatenated. deconv with kernel 2 x stride: the four quadrant matrices of
   * quadrantMatrices(); any other deconv: the tfjs filter.
   */
  readonly weights: tf.Tensor[];
  readonly biases: (tf.Tensor1D | null)[];
}
export type PreparedParams = Map<string, PreparedLayer>;

export function prepareParams(spec: NetSpec, params: Params, maxWeightBytes: number | null = null): PreparedParams {
  const prepared: PreparedParams = new Map();
  for (const { name, op } of spec.nodes) {
    if (op.type !== "conv" && op.type !== "fc" && op.type !== "deconv") continue;
    const w = params.get(`${name}.weight`)!;
    if (op.type === "deconv" && op.kernel === 2 * op.stride) {
      prepared.set(name, { weights: quadrantMatrices(w.dataSync() as Float32Array, op.stride, op.channels, op.channels), biases: [null] });
      continue;
    }
    // Deconvs (n_class x n_class) are small; conv and fc weights may need chunks.
    const chunks = op.type !== "deconv" && maxWeightBytes ? splitConvFilter(w, maxWeightBytes) : [tf.clone(w) as tf.Tensor4D];
    const weights = op.type === "fc" ? chunks.map((c) => {
      const m = c.reshape([-1, c.shape[3]]);
      c.dispose();
      return m;
    }) : chunks;
    const b = op.type === "deconv" ? null : (params.get(`${name}.bias`) as tf.Tensor1D);
    const biases: (tf.Tensor1D | null)[] = [];
    let start = 0;
    for (const c of chunks) {
      const size = c.shape[3]!;
      biases.push(b ? (chunks.length === 1 ? tf.clone(b) : tf.tensor1d((b.dataSync() as Float32Array).slice(start, start + size))) : null);
      start += size;
    }
    prepared.set(name, { weights, biases });
  }
  return prepared;
}

export function disposePrepared(p: PreparedParams): void {
  for (const { weights, biases } of p.values()) {
    weights.forEach((t) => t.dispose());
    biases.forEach((t) => t?.dispose());
  }
}

export type Taps = Record<string, tf.Tensor4D>;

export interface ForwardOptions {
  /** Blobs to return; "all" for every stage. Default: the output only. */
  readonly taps?: readonly string[] | "all";
  /** Called after each layer has been dispatched: for progress lines. */
  readonly onLayer?: (name: string, index: number, total: number) => void;
}

/**
 * Runs the net on a preprocessed [1, H, W, 3] input and returns the requested taps.
 * Every other intermediate tensor is disposed as soon as its last reader has run, so
 * memory stays near the largest two blobs and nothing leaks. The caller owns the
 * returned tensors (dispose them, or use tf.tidy around the call).
 */
export function forward(spec: NetSpec, params: PreparedParams, input: tf.Tensor4D, opts: ForwardOptions = {}): Taps {
  if (input.rank !== 4 || input.shape[0] !== 1) {
    throw new Error(`expected a [1, H, W, C] input, got shape [${input.shape.join(", ")}]`);
  }
  const [, h, w, c] = input.shape;
  const shapes = blobShapes(spec, h, w);
  const channels = shapes.get("data")![2];
  if (c !== channels) throw new Error(`${spec.model} expects ${channels} input channels, got ${c}`);
  const wanted = new Set(resolveTaps(spec, opts.taps));

  const lastUse = new Map<string, number>();
  spec.nodes.forEach((n, i) => n.inputs.forEach((x) => lastUse.set(x, i)));

  const live = new Map<string, tf.Tensor4D>();
  const taps: Taps = {};
  try {
    spec.nodes.forEach((node, i) => {
      const out = node.op.type === "input"
        ? input
        : tf.tidy(() => runNode(node, node.inputs.map((x) => live.get(x)!), params, shapes));
      live.set(node.name, out);
      if (wanted.has(node.name)) taps[node.name] = out === input ? tf.clone(input) : out;
      for (const x of node.inputs) {
        if (lastUse.get(x) === i) release(x);
      }
      if (!lastUse.has(node.name)) release(node.name);
      opts.onLayer?.(node.name, i + 1, spec.nodes.length);
    });
  } catch (e) {
    for (const name of [...live.keys()]) release(name);
    Object.values(taps).forEach((t) => t.dispose());
    throw e;
  }
  return taps;

  function release(name: string): void {
    const t = live.get(name);
    live.delete(name);
    if (t && t !== input && !wanted.has(name)) t.dispose();
  }
}

function resolveTaps(spec: NetSpec, taps: ForwardOptions["taps"]): string[] {
  const all = tapNames(spec);
  if (taps === "all") return all;
  if (!taps || taps.length === 0) return [spec.output];
  const unknown = taps.filter((t) => !all.includes(t));
  if (unknown.length) {
    throw new Error(`unknown tap${unknown.length > 1 ? "s" : ""} ${unknown.map((t) => `"${t}"`).join(", ")} for ${spec.model}. Its taps are: ${all.join(", ")}`);
  }
  return [...taps];
}

/** One layer. Runs inside tf.tidy, so intermediates (bias adds, chunks) are freed. */
function runNode(node: NetNode, xs: tf.Tensor4D[], params: PreparedParams, shapes: ReturnType<typeof blobShapes>): tf.Tensor4D {
  const { op } = node;
  const x = xs[0]!;
  switch (op.type) {
    case "conv": {
      const { weights, biases } = params.get(node.name)!;
      const parts = weights.map((w, i) =>
        tf.fused.conv2d({
          x,
          filter: w as tf.Tensor4D,
          strides: op.stride,
          pad: op.pad === 0 ? "valid" : op.pad,
          bias: biases[i]!,
          activation: op.relu ? "relu" : "linear",
        }),
      );
      return parts.length === 1 ? parts[0]! : tf.concat(parts, 3);
    }
    case "pool": {
      // Caffe rounds pooled sizes up. For kernel == stride, tfjs 'same' padding adds the
      // missing row/column at the bottom/right and ignores it in the max: the same result.
      if (op.kernel !== op.stride) throw new Error(`internal: ceil-mode pool needs kernel == stride`);
      return tf.maxPool(x, op.kernel, op.stride, "same");
    }
    case "fc": {
      // The classifier flattens pool5 in NHWC order, the order the [7, 7, C, out] kernel
      // was flattened in at load time.
      const { weights, biases } = params.get(node.name)!;
      const flat = x.reshape([1, -1]) as tf.Tensor2D;
      const parts = weights.map((w, i) =>
        tf.fused.matMul({ a: flat, b: w as tf.Tensor2D, bias: biases[i]!, activation: op.relu ? "relu" : "linear" }),
      );
      const y = parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
      return y.reshape([1, 1, 1, op.outChannels]);
    }
    case "deconv": {
      const [h, w, c] = shapes.get(node.name)!;
      const { weights } = params.get(node.name)!;
      if (weights.length === 4) return transposedConvByQuadrants(x, weights as tf.Tensor2D[], op.stride, c);
      return tf.conv2dTranspose(x, weights[0] as tf.Tensor4D, [1, h, w, c], op.stride, "valid");
    }
    case "crop": {
      const [h, w] = shapes.get(op.reference)!;
      return tf.slice(x, [0, op.offset, op.offset, 0], [1, h, w, -1]);
    }
    case "sum":
      return xs.length === 2 ? tf.add(xs[0]!, xs[1]!) : tf.addN(xs);
    case "scale":
      return tf.mul(x, op.factor);
    case "input":
      throw new Error("internal: input is not run");
  }
}

/** Parameter tensors required by the spec, in the order paramSpecs lists them. */
export function requiredParams(spec: NetSpec): string[] {
  return paramSpecs(spec).map((p) => p.name);
}

/**
 * A transposed convolution whose kernel is twice its stride (every upsampling layer of
 * FCN: k4 s2, k16 s8, k32 s16, k64 s32), as four matrix products. Output pixel
 * y = i*s + a of input row i, a in [0, 2s), lands in output block i + q with offset r,
 * where a = q*s + r; so each output block (I, J) is the sum of four quadrants of the
 * kernel applied to inputs (I - q, J - p), q, p in {0, 1}. This moves the work from
 * tfjs's direct conv2dTranspose kernels (a plain loop on WASM: ~1 GFLOP/s) to GEMM.
 *
 * Quadrant (q, p) as a matrix [in, s * s * out]: entry [c][(r * s + t) * out + o] is
 * filter[q*s + r][p*s + t][o][c] (tfjs filter layout [k, k, out, in]).
 */
export function quadrantMatrices(filter: Float32Array, s: number, out: number, inC: number): tf.Tensor2D[] {
  const k = 2 * s;
  const mats: tf.Tensor2D[] = [];
  for (const q of [0, 1]) {
    for (const p of [0, 1]) {
      const m = new Float32Array(inC * s * s * out);
      for (let r = 0; r < s; r++) for (let t = 0; t < s; t++) for (let o = 0; o < out; o++) for (let c = 0; c < inC; c++) {
        m[c * s * s * out + (r * s + t) * out + o] = filter[(((q * s + r) * k + p * s + t) * out + o) * inC + c]!;
      }
      mats.push(tf.tensor2d(m, [inC, s * s * out]));
    }
  }
  return mats;
}

function transposedConvByQuadrants(x: tf.Tensor4D, quadrants: tf.Tensor2D[], s: number, out: number): tf.Tensor4D {
  const [, h, w, c] = x.shape;
  const rows = x.reshape([h * w, c]) as tf.Tensor2D;
  // Quadrant (q, p) adds into the block q rows down and p columns right.
  const parts = quadrants.map((m, i) => {
    const q = i >> 1;
    const p = i & 1;
    const y = tf.matMul(rows, m).reshape([h, w, s * s * out]) as tf.Tensor3D;
    return tf.pad(y, [[q, 1 - q], [p, 1 - p], [0, 0]]);
  });
  const blocks = tf.addN(parts).reshape([h + 1, w + 1, s, s * out]);
  return blocks.transpose([0, 2, 1, 3]).reshape([1, (h + 1) * s, (w + 1) * s, out]);
}
