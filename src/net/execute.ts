import * as tf from "@tensorflow/tfjs";
import type { Params } from "../weights/types.js";
import { blobShapes } from "./geometry.js";
import { paramSpecs } from "./params.js";
import { splitConvFilter } from "./filter-chunks.js";
import { tapNames, type NetNode, type NetSpec } from "./spec.js";
import { DECONV_BAND, bandedUpsampling, fusedUpsamplings, isBlockUpsampling, wasmKeepsConvBuffers } from "./strategy.js";

/**
 * Parameters in the form the forward pass uses, converted once at load time:
 * fc weights flattened to matrices, and weights larger than the backend's storage
 * buffer limit split along their output channels (WebGPU adapters may cap a binding at
 * 128 MiB while fc6 alone is 411 MB; tfjs-webgpu then silently computes garbage).
 */
export interface PreparedLayer {
  /**
   * conv / fc: one or more chunks along the output channels; their outputs are
   * concatenated. deconv with kernel 2 x stride: blockFilter()'s 2x2 filter; any
   * other deconv: the tfjs filter.
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
    if (op.type === "deconv" && isBlockUpsampling(op)) {
      prepared.set(name, { weights: [blockFilter(w.dataSync() as Float32Array, op.stride, op.channels, op.channels)], biases: [null] });
      continue;
    }
    // Deconvs (n_class x n_class) are small; conv and fc weights may need chunks.
    // Unsplit weights share the caller's data (a reshape; tf.clone copies on wasm, which
    // would hold the weights twice while the model is built).
    const chunks = op.type !== "deconv" && maxWeightBytes ? splitConvFilter(w, maxWeightBytes) : [w.reshape(w.shape) as tf.Tensor4D];
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
      biases.push(b ? (chunks.length === 1 ? b.reshape(b.shape) as tf.Tensor1D : tf.tensor1d((b.dataSync() as Float32Array).slice(start, start + size))) : null);
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
  /**
   * Filled with one scalar per layer, still on the device, that is finite exactly when
   * the layer's blob is (its sum: no NaN, no Inf, nothing near float32's limit). One
   * reduction per blob, no blob-sized copy; firstNonFinite() reads them all at once
   * afterwards. The caller disposes them (firstNonFinite does).
   */
  readonly finiteFlags?: Map<string, tf.Scalar>;
}

/**
 * The first layer whose blob held a NaN or Inf, from ForwardOptions.finiteFlags (read in
 * one transfer, then disposed), or null when every blob was finite.
 */
export async function firstNonFinite(flags: Map<string, tf.Scalar>): Promise<string | null> {
  const names = [...flags.keys()];
  if (names.length === 0) return null;
  const all = tf.stack([...flags.values()]);
  try {
    const values = await all.data();
    const i = values.findIndex((v) => !Number.isFinite(v));
    return i < 0 ? null : names[i]!;
  } finally {
    all.dispose();
    flags.forEach((t) => t.dispose());
    flags.clear();
  }
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

  // upscore8 -> score on wasm / cpu: the crop's window computed directly (see fusedUpsamplings).
  const fused = fusedUpsamplings(spec, wanted, tf.getBackend());
  const early = new Map<string, tf.Tensor4D>();

  const live = new Map<string, tf.Tensor4D>();
  const taps: Taps = {};
  try {
    spec.nodes.forEach((node, i) => {
      const crop = fused.get(node.name);
      if (crop) {
        early.set(crop.name, tf.tidy(() => runUpsampling(node, live.get(node.inputs[0]!)!, params, shapes, cropWindow(crop, shapes))));
      } else {
        const out = early.get(node.name) ?? (node.op.type === "input"
          ? input
          : tf.tidy(() => runNode(node, node.inputs.map((x) => live.get(x)!), params, shapes)));
        early.delete(node.name);
        live.set(node.name, out);
        if (wanted.has(node.name)) taps[node.name] = out === input ? input.reshape(input.shape) : out;
      }
      const out = live.get(node.name);
      if (opts.finiteFlags && node.op.type !== "input" && out) {
        // The blob's sum: NaN or Inf exactly when the blob holds one (or when its values are
        // so large that they add up past float32's 3.4e38, as broken as Inf). A reduction
        // reads the blob once and allocates nothing blob-sized (tf.isFinite would make a
        // byte per value: 290 MB for a 4000x3000 score map, in WASM's 4 GiB). Kept on the
        // device, no read that would stall the pass: firstNonFinite reads them all after.
        opts.finiteFlags.set(node.name, tf.sum(out));
      }
      for (const x of node.inputs) {
        if (lastUse.get(x) === i) release(x);
      }
      if (!lastUse.has(node.name)) release(node.name);
      opts.onLayer?.(node.name, i + 1, spec.nodes.length);
    });
  } catch (e) {
    for (const name of [...live.keys()]) release(name);
    early.forEach((t) => t.dispose());
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
      const [oh, ow] = shapes.get(node.name)!;
      // On wasm, XNNPACK keeps a convolution's indirection buffer (a pointer per output
      // pixel and kernel tap) for as long as its filter tensor lives. For the wide early
      // layers that buffer is far larger than the filter (conv1_2 on a 4000x3000 photo:
      // 480 MB for a 147 KB filter), and with every layer's kept the heap fills up: run
      // those on a copy of the filter, disposed with this tidy, which frees the buffer.
      const transient = tf.getBackend() === "wasm" && !wasmKeepsConvBuffers(op, oh, ow);
      const parts = weights.map((w, i) =>
        tf.fused.conv2d({
          x,
          filter: (transient ? tf.add(w, 0) : w) as tf.Tensor4D,
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
      if (isBlockUpsampling(op)) return runUpsampling(node, x, params, shapes, { top: 0, left: 0, height: h, width: w });
      const { weights } = params.get(node.name)!;
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

/** The part of an upsampled blob a crop keeps. */
interface Window {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

function cropWindow(crop: NetNode, shapes: ReturnType<typeof blobShapes>): Window {
  if (crop.op.type !== "crop") throw new Error(`internal: ${crop.name} is not a crop`);
  const [height, width] = shapes.get(crop.op.reference)!;
  return { top: crop.op.offset, left: crop.op.offset, height, width };
}

function runUpsampling(node: NetNode, x: tf.Tensor4D, params: PreparedParams, shapes: ReturnType<typeof blobShapes>, window: Window): tf.Tensor4D {
  const { op } = node;
  if (op.type !== "deconv" || !isBlockUpsampling(op)) throw new Error(`internal: ${node.name} is not an upsampling by blocks`);
  return transposedConvByBlocks(x, params.get(node.name)!.weights[0] as tf.Tensor4D, op.stride, shapes.get(node.name)![2], window);
}

/**
 * A transposed convolution whose kernel is twice its stride (every upsampling layer of
 * FCN: k4 s2, k16 s8, k32 s16, k64 s32) as a 2x2 convolution and a depth-to-space.
 * Output pixel y = i*s + a of input row i, a in [0, 2s), lands in output block i + q
 * with offset r, where a = q*s + r; so output block (I, J), s x s pixels, depends only
 * on the 2 x 2 inputs (I - q, J - p), q, p in {0, 1}: on the input padded by one pixel,
 * that is an ordinary 2x2 convolution with s * s * out output channels (blockFilter),
 * one per pixel of the block, which a transpose (depth to space) lays out as the image.
 * Both run on GEMM (tfjs's direct conv2dTranspose is a plain loop on WASM, ~1 GFLOP/s).
 *
 * Memory. The form before this one (four products, padded and summed in one tidy) held
 * ten output-sized tensors at once: FCN-8s's upscore8 took 930 MB for a 1000x1000 image
 * at width 1/8, and above ~1750x1750 ran WASM out of its 4 GiB (a hang with threads, a
 * "memory access out of bounds" without). Here, on GPU backends, the blocks and the image
 * (the output twice). On wasm and cpu, which read tensors back cheaply, a band of block
 * rows at a time (about DECONV_BAND.bytes) is computed and copied into one host array,
 * which becomes the output: the backend holds the output once plus a band. `window`
 * keeps only the part a following crop reads (see fusedUpsamplings): then the
 * upsampled blob itself is never made.
 */
function transposedConvByBlocks(x: tf.Tensor4D, filter: tf.Tensor4D, s: number, out: number, window: Window): tf.Tensor4D {
  const [, h, w] = x.shape;
  const padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
  // Block rows i0 .. i0 + n - 1 as image rows i0 * s .. (i0 + n) * s - 1 (full width).
  const band = (i0: number, n: number) =>
    tf.tidy(() => {
      const rows = n === h + 1 ? padded : tf.slice(padded, [0, i0, 0, 0], [1, n + 1, -1, -1]);
      const blocks = tf.conv2d(rows, filter, 1, "valid"); // [1, n, w + 1, s * s * out]
      // Depth to space. tf.depthToSpace computes the same but is a per-element loop on
      // WASM, ten times slower than this transpose.
      return blocks.reshape([n, w + 1, s, s * out]).transpose([0, 2, 1, 3]).reshape([1, n * s, (w + 1) * s, out]) as tf.Tensor4D;
    });
  const full = window.top === 0 && window.left === 0 && window.height === (h + 1) * s && window.width === (w + 1) * s;
  if (!bandedUpsampling(tf.getBackend())) {
    // GPU backends: in one piece (reading bands back would stall the GPU, and their
    // limit is per tensor anyway).
    const whole = band(0, h + 1);
    padded.dispose();
    if (full) return whole;
    const cropped = tf.slice(whole, [0, window.top, window.left, 0], [1, window.height, window.width, out]);
    whole.dispose();
    return cropped;
  }
  const rowValues = (w + 1) * s * out; // one image row, full width
  const rowsPerBand = Math.max(1, Math.floor(DECONV_BAND.bytes / (4 * s * rowValues)));
  const image = new Float32Array(window.height * window.width * out);
  const first = Math.floor(window.top / s);
  const last = Math.floor((window.top + window.height - 1) / s); // block rows the window touches
  for (let i0 = first; i0 <= last; i0 += rowsPerBand) {
    const n = Math.min(rowsPerBand, last + 1 - i0);
    const part = band(i0, n);
    const values = part.dataSync() as Float32Array;
    part.dispose();
    // Copy the window's rows of this band (whole rows when the window is the full width).
    const y0 = Math.max(window.top, i0 * s);
    const y1 = Math.min(window.top + window.height, (i0 + n) * s);
    for (let y = y0; y < y1; y++) {
      const from = (y - i0 * s) * rowValues + window.left * out;
      image.set(values.subarray(from, from + window.width * out), (y - window.top) * window.width * out);
    }
  }
  padded.dispose();
  return tf.tensor4d(image, [1, window.height, window.width, out]);
}

/**
 * The 2x2 convolution filter [2, 2, in, s * s * out] of an upsampling layer: tap (a, b)
 * of the padded input is neighbour (q, p) = (1 - a, 1 - b), and output channel
 * (r * s + t) * out + o is pixel (r, t) of the block, class o:
 * filter[a][b][c][(r * s + t) * out + o] = deconv[q*s + r][p*s + t][o][c] (tfjs's
 * conv2dTranspose layout [k, k, out, in]).
 */
export function blockFilter(deconv: Float32Array, s: number, out: number, inC: number): tf.Tensor4D {
  const k = 2 * s;
  const cols = s * s * out;
  const f = new Float32Array(4 * inC * cols);
  for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) {
    const q = 1 - a;
    const p = 1 - b;
    for (let r = 0; r < s; r++) for (let t = 0; t < s; t++) for (let o = 0; o < out; o++) for (let c = 0; c < inC; c++) {
      f[((a * 2 + b) * inC + c) * cols + (r * s + t) * out + o] = deconv[(((q * s + r) * k + p * s + t) * out + o) * inC + c]!;
    }
  }
  return tf.tensor4d(f, [2, 2, inC, cols]);
}
