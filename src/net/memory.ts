/**
 * Memory planned before running: from the net spec, the input size and the backend, the
 * tensors a forward pass creates and the most it holds at once, decided from shapes
 * alone (no tensor is made). An input that cannot fit is refused at once with the size
 * that fits, instead of hanging or crashing minutes later inside a backend.
 *
 * The model follows what actually runs (strategy.ts holds the decisions both share, and
 * each op's module in ops/ lists its kernel's working tensors beside the kernel):
 * - blobs live as execute.ts keeps them: the input (held by the caller) and every
 *   requested tap until the end, any other blob until its last reader has run;
 * - each layer's working tensors exist while it runs (execute.ts runs a layer inside
 *   tf.tidy): the upsampling's blocks (a band of them on wasm / cpu), the pure-JS cpu
 *   backend's conv-then-bias-then-ReLU intermediates, a split weight's partial outputs,
 *   WebGL's im2col matrices;
 * - an upsampling whose only reader is a crop makes the crop's output directly on wasm
 *   and cpu (fusedUpsamplings): the upsampled blob never exists;
 * - wasm (XNNPACK) keeps per-layer buffers after a layer ran: a packed copy of the
 *   weights it keeps operators for, and their indirection buffers (one 32-bit pointer
 *   per output pixel and kernel tap); pooling keeps its indirection buffer too.
 * Budgets (see MemoryLimits): 32-bit WebAssembly addresses 4 GiB in all, of which a plan
 * may use MEMORY_HEADROOM (the allocator fragments); WebGPU binds a buffer whole, so no
 * tensor may exceed its binding limit; WebGL caps texture sides (webglLimits in
 * webgl-textures.ts tests each tensor with tfjs's own texture shapes, see tensorFits).
 */
import { InputSizeError, blobShapes, minInputSize } from "./geometry.js";
import { widthText } from "../vgg16.js";
import { opDef } from "./ops/index.js";
import { paramSpecs } from "./params.js";
import { FLOAT, f32, numel, type MemoryLimits, type PassOptions, type PassTensor } from "./pass-tensors.js";
import { tapNames, type NetNode, type NetSpec } from "./spec.js";
import { fusedUpsamplings, wasmKeepsConvBuffers } from "./strategy.js";

export { DECONV_BAND, wasmKeepsConvBuffers } from "./strategy.js";
export { textureFits, webglLimits, type TextureShapeFn } from "./webgl-textures.js";
export type { PassOptions, PassTensor } from "./pass-tensors.js";

/** Bytes of the model's parameters on the backend, as tfjs holds them (float32). */
export function weightBytes(spec: NetSpec): number {
  return paramSpecs(spec).reduce((n, p) => n + numel(p.shape) * FLOAT, 0);
}

const wantedTaps = (spec: NetSpec, o: PassOptions) => new Set(o.taps === "all" ? tapNames(spec) : [...(o.taps ?? []), spec.output]);

/**
 * Every tensor a forward pass of `spec` on an h x w input creates on `backend` ("wasm",
 * "cpu", "webgpu", "webgl"; others are planned like webgpu), in the order they
 * appear, each with the layer that makes it. A fused upsampling (see
 * fusedUpsamplings) makes its crop's output: that blob is named after the crop.
 */
export function passTensors(spec: NetSpec, h: number, w: number, backend: string, o: PassOptions = {}): PassTensor[] {
  const shapes = blobShapes(spec, h, w);
  const fused = fusedUpsamplings(spec, wantedTaps(spec, o), backend);
  const out: PassTensor[] = [];
  for (const node of spec.nodes) out.push(...layerTensors(node, shapes, backend, o, fused));
  return out;
}

type Shapes = ReturnType<typeof blobShapes>;

function layerTensors(node: NetNode, shapes: Shapes, backend: string, o: PassOptions, fused: Map<string, NetNode>): PassTensor[] {
  const { name, op } = node;
  const [bh, bw, bc] = shapes.get(name)!;
  const crop = fused.get(name);
  const cropsFused = [...fused.values()].includes(node);
  const list: PassTensor[] = [];
  // A fused upsampling's output is its crop's; the crop then makes nothing.
  if (crop) {
    const [ch, cw, cc] = shapes.get(crop.name)!;
    list.push(f32(crop.name, name, [1, ch, cw, cc], "blob"));
  } else if (!cropsFused) {
    list.push(f32(name, name, [1, bh, bw, bc], "blob"));
  }
  // The kernel's own working tensors (each op's `tensors` in ops/).
  const tensors = opDef(op).inference.tensors;
  if (tensors && node.inputs.length) {
    list.push(...tensors(node, { backend, options: o, out: [bh, bw, bc], src: shapes.get(node.inputs[0]!)! }));
  }
  return list;
}

/** What a pass holds, from shapes. */
export interface PassMemory {
  readonly height: number;
  readonly width: number;
  readonly backend: string;
  /**
   * The model's parameters on the backend: tfjs's copy, and on wasm XNNPACK's packed
   * copy of the weights whose operators it keeps (made the first time a layer runs).
   */
  readonly weights: number;
  /** The most bytes held at once: weights, kept buffers, live blobs, the running layer's tensors. */
  readonly peak: number;
  /** The layer running at that moment. */
  readonly peakLayer: string;
  /** The largest single tensor of the pass. */
  readonly largest: PassTensor;
  /** Bytes held while each layer runs (weights included), in execution order. */
  readonly perLayer: readonly { readonly layer: string; readonly bytes: number }[];
}

/**
 * The memory a forward pass needs, walking the layers as execute.ts runs them (same
 * release order). See the file comment for what is counted.
 */
export function passMemory(spec: NetSpec, h: number, w: number, backend: string, o: PassOptions = {}): PassMemory {
  const tensors = passTensors(spec, h, w, backend, o);
  const shapes = blobShapes(spec, h, w);
  const wanted = wantedTaps(spec, o);
  const lastUse = new Map<string, number>();
  spec.nodes.forEach((n, i) => n.inputs.forEach((x) => lastUse.set(x, i)));
  const input = spec.nodes.find((n) => n.op.type === "input")!.name;

  // wasm: XNNPACK's packed copy of each weight it keeps (see wasmKeepsConvBuffers).
  const packed = new Map<string, number>();
  if (backend === "wasm") {
    for (const p of paramSpecs(spec)) packed.set(p.layer, (packed.get(p.layer) ?? 0) + numel(p.shape) * FLOAT);
    for (const { name, op } of spec.nodes) {
      if (op.type === "conv" && !wasmKeepsConvBuffers(op, shapes.get(name)![0], shapes.get(name)![1])) packed.delete(name);
    }
  }
  const sum = (xs: Iterable<number>) => [...xs].reduce((a, b) => a + b, 0);
  const weights = weightBytes(spec) + sum(packed.values());
  let held = weights - (o.firstPass ? sum(packed.values()) : 0) + (o.otherBytes ?? 0);
  const live = new Map<string, number>();
  let peak = 0;
  let peakLayer = spec.nodes[0]!.name;
  const perLayer: { layer: string; bytes: number }[] = [];
  const note = (layer: string, bytes: number) => {
    if (bytes > peak) {
      peak = bytes;
      peakLayer = layer;
    }
  };
  spec.nodes.forEach((node, i) => {
    // A fused upsampling's blob is its crop's (named so, made by the upsampling).
    const own = tensors.filter((t) => t.layer === node.name);
    const of = (kind: PassTensor["kind"]) => sum(own.filter((t) => t.kind === kind).map((t) => t.bytes));
    if (o.firstPass) held += packed.get(node.name) ?? 0;
    held += of("kept");
    const blob = own.find((t) => t.kind === "blob");
    const during = held + sum(live.values()) + of("blob") + of("scratch");
    perLayer.push({ layer: node.name, bytes: during });
    note(node.name, during);
    if (blob) live.set(blob.what, blob.bytes);
    // As execute.ts: the caller's input and the requested taps are never released.
    const release = (x: string) => {
      if (!wanted.has(x) && x !== input) live.delete(x);
    };
    for (const x of node.inputs) if (lastUse.get(x) === i) release(x);
    if (!lastUse.has(node.name)) release(node.name);
  });
  const largest = tensors.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return { height: h, width: w, backend, weights, peak, peakLayer, largest, perLayer };
}

export type { MemoryLimits } from "./pass-tensors.js";

/**
 * The share of totalBytes a plan may use. The rest is for what shapes cannot predict:
 * the allocator's fragmentation (a freed block is reused only by a request that fits in
 * it, so the WASM heap grows past the live bytes), the module's own data and stacks,
 * and small tensors outside the model.
 */
export const MEMORY_HEADROOM = 0.8;

export type FitCheck = { ok: true; memory: PassMemory } | { ok: false; memory: PassMemory; reason: string };

const mib = (n: number) => {
  const x = n / 2 ** 20;
  if (x >= 1024) return `${(x / 1024).toFixed(x >= 10240 ? 0 : 1)} GiB`;
  return `${x >= 10 ? Math.round(x) : Number(x.toPrecision(2))} MiB`;
};


/** Does a pass on h x w fit the limits? If not, the first reason. */
export function checkFit(spec: NetSpec, h: number, w: number, limits: MemoryLimits, o: PassOptions = {}): FitCheck {
  const memory = passMemory(spec, h, w, limits.backend, o);
  if (limits.tensorBytes !== null || limits.tensorFits) {
    for (const t of passTensors(spec, h, w, limits.backend, o)) {
      if (limits.tensorBytes !== null && t.bytes > limits.tensorBytes) {
        return { ok: false, memory, reason: `${t.what} [${t.shape.join(", ")}] would take ${mib(t.bytes)}, above ${limits.tensorWhat ?? "the backend's limit for one tensor"} (${mib(limits.tensorBytes)})` };
      }
      const why = limits.tensorFits?.(t);
      if (why) return { ok: false, memory, reason: why };
    }
  }
  if (limits.totalBytes !== null && memory.peak > limits.totalBytes * MEMORY_HEADROOM) {
    return {
      ok: false,
      memory,
      reason:
        `the pass needs about ${mib(memory.peak)} at its peak (while ${memory.peakLayer} runs), ` +
        `more than ${Math.round(MEMORY_HEADROOM * 100)}% of ${limits.totalWhat ?? `the ${mib(limits.totalBytes)} available`}`,
    };
  }
  return { ok: true, memory };
}

/** Scale h x w so that the longer side is `side`, keeping the aspect ratio (each side at least 1). */
export function scaledSize(h: number, w: number, side: number): [number, number] {
  const k = side / Math.max(h, w);
  return [Math.max(1, Math.round(h * k)), Math.max(1, Math.round(w * k))];
}

/**
 * The largest size with h x w's aspect ratio (longer side at most max(h, w)) whose pass
 * fits, by bisection on the longer side (needs grow with the input); null when not even
 * the smallest input the net accepts fits. Pure arithmetic: milliseconds.
 */
export function largestFit(spec: NetSpec, h: number, w: number, limits: MemoryLimits, o: PassOptions = {}): [number, number] | null {
  if (spec.fixedInput !== null) return checkFit(spec, h, w, limits, o).ok ? [h, w] : null;
  const minSide = minInputSize(spec);
  const fits = (side: number) => {
    const [th, tw] = scaledSize(h, w, side);
    return Math.min(th, tw) >= minSide && checkFit(spec, th, tw, limits, o).ok;
  };
  let lo = Math.max(1, Math.ceil((minSide * Math.max(h, w)) / Math.min(h, w)));
  let hi = Math.max(h, w);
  if (fits(hi)) return [h, w];
  if (!fits(lo)) return null;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return scaledSize(h, w, lo);
}

/**
 * An input too large for the backend; `fits` is the largest same-shaped size that fits
 * (null: none). An InputSizeError, as the buffer-limit refusal it replaces was.
 */
export class InputTooLargeError extends InputSizeError {
  override name = "InputTooLargeError";
  constructor(
    message: string,
    readonly input: readonly [number, number],
    readonly fits: readonly [number, number] | null,
    readonly memory: PassMemory,
  ) {
    super(message);
  }
}

/**
 * Throws an InputTooLargeError when a pass on h x w does not fit, naming why, the
 * largest size of the same shape that fits and the alternatives; returns the plan
 * otherwise. `resizeHint(side)` words the resize advice for the caller's interface
 * (the CLI: "--max-side N"); default "resize the image to N px on its longer side".
 */
export function assertFits(
  spec: NetSpec,
  h: number,
  w: number,
  limits: MemoryLimits,
  o: PassOptions & { resizeHint?: (side: number) => string } = {},
): PassMemory {
  const r = checkFit(spec, h, w, limits, o);
  if (r.ok) return r.memory;
  const fits = largestFit(spec, h, w, limits, o);
  const hint = o.resizeHint ?? ((side: number) => `resize the image to at most ${side} px on its longer side`);
  const options = [
    ...(fits ? [`${hint(Math.max(...fits))} (${fits[1]}x${fits[0]} fits)`] : []),
    ...(limits.alternatives ? [limits.alternatives] : []),
  ];
  const net = `${spec.model}${spec.width !== 1 ? ` (width ${widthText(spec.width)})` : ""}`;
  throw new InputTooLargeError(
    `input ${w}x${h} (width x height) is too large for ${net} on ${limits.backend}: ${r.reason}.` +
      (options.length ? ` Options: ${options.join("; or ")}.` : ""),
    [h, w],
    fits,
    r.memory,
  );
}

export interface InputPlan {
  /** The size the network will run on. */
  readonly height: number;
  readonly width: number;
  /** True when it differs from the image's size. */
  readonly resized: boolean;
  /** Why, for the user (empty when not resized). */
  readonly reasons: readonly string[];
}

export interface PlanInputOptions extends PassOptions {
  /** The user's cap on the longer side (`--max-side`, the explorer's "max side"); Infinity or undefined: none. */
  readonly maxSide?: number;
  /**
   * Scale an image smaller than the net's minimum up to it (the explorer, for
   * thumbnails). Default false: blobShapes then refuses it with the minimum (the CLI).
   */
  readonly upscale?: boolean;
  /** The backend's limits: the input shrinks (same aspect ratio) until the pass fits them. */
  readonly limits?: MemoryLimits;
}

/**
 * The input size to run: the image's, shrunk to the user's max side, scaled up if below
 * the net's minimum (o.upscale), then shrunk until the pass fits the backend. Throws an
 * InputTooLargeError when even the smallest accepted input does not fit.
 */
export function planInput(spec: NetSpec, h: number, w: number, o: PlanInputOptions = {}): InputPlan {
  const reasons: string[] = [];
  let [ph, pw] = [h, w];
  if (o.maxSide !== undefined && Math.max(h, w) > o.maxSide) {
    [ph, pw] = scaledSize(h, w, o.maxSide);
    reasons.push(`the longer side is capped at ${o.maxSide} px`);
  }
  const minSide = spec.fixedInput ?? minInputSize(spec);
  if (o.upscale && spec.fixedInput === null && Math.min(ph, pw) < minSide) {
    const k = minSide / Math.min(ph, pw);
    [ph, pw] = [Math.max(minSide, Math.round(ph * k)), Math.max(minSide, Math.round(pw * k))];
    reasons.push(`${spec.model} needs at least ${minSide} px on each side`);
  }
  if (o.limits) {
    const first = checkFit(spec, ph, pw, o.limits, o);
    if (!first.ok) {
      const fits = largestFit(spec, ph, pw, o.limits, o);
      if (!fits) assertFits(spec, ph, pw, o.limits, o); // throws, with the reason
      [ph, pw] = fits!;
      reasons.push(`at the larger size ${first.reason}`);
    }
  }
  return { height: ph, width: pw, resized: ph !== h || pw !== w, reasons };
}
