/**
 * The inference executor: runs a net spec layer by layer, each layer by its op's
 * inference kernel (ops/), freeing every blob after its last reader, and fusing an
 * upsampling with the crop that reads it where strategy.ts says so.
 */
import * as tf from "@tensorflow/tfjs";
import type { Params } from "../weights/types.js";
import { blobShapes } from "./geometry.js";
import { cropWindow } from "./ops/crop.js";
import { upsampleWindow } from "./ops/deconv.js";
import { opDef, type PreparedLayer } from "./ops/index.js";
import { paramSpecs } from "./params.js";
import { tapNames, type NetSpec } from "./spec.js";
import { fusedUpsamplings } from "./strategy.js";

export type { PreparedLayer };

/**
 * Parameters in the form the forward pass uses, converted once at load time by each
 * op's `prepare` (ops/): fc weights flattened to matrices, upsampling filters rearranged
 * into blocks, and weights larger than the backend's storage buffer limit split along
 * their output channels (WebGPU adapters may cap a binding at 128 MiB while fc6 alone is
 * 411 MB; tfjs-webgpu then silently computes garbage).
 */
export type PreparedParams = Map<string, PreparedLayer>;

export function prepareParams(spec: NetSpec, params: Params, maxWeightBytes: number | null = null): PreparedParams {
  const prepared: PreparedParams = new Map();
  for (const node of spec.nodes) {
    const kernel = opDef(node.op).inference;
    if (kernel.prepare) prepared.set(node.name, kernel.prepare(node, params, maxWeightBytes));
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
      const ctx = { input, prepared: params.get(node.name), shapes };
      if (crop) {
        early.set(crop.name, tf.tidy(() => upsampleWindow(node, live.get(node.inputs[0]!)!, ctx, cropWindow(crop, shapes))));
      } else {
        const out = early.get(node.name) ?? tf.tidy(() => opDef(node.op).inference.run(node, node.inputs.map((x) => live.get(x)!), ctx));
        early.delete(node.name);
        live.set(node.name, out);
        if (wanted.has(node.name)) taps[node.name] = out === input ? input.reshape(input.shape) : out;
      }
      const out = live.get(node.name);
      // The input is the caller's, not a layer's result: nothing to check.
      if (opts.finiteFlags && out && out !== input) {
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

/** Parameter tensors required by the spec, in the order paramSpecs lists them. */
export function requiredParams(spec: NetSpec): string[] {
  return paramSpecs(spec).map((p) => p.name);
}
