import * as tf from "@tensorflow/tfjs";
import { modelSpec } from "./models/index.js";
import type { Fcn8sOptions } from "./models/fcn8s.js";
import { disposePrepared, forward, prepareParams, type ForwardOptions, type PreparedParams, type Taps } from "./net/execute.js";
import { blobShapes, summarize, type Summary } from "./net/geometry.js";
import { assertFits, checkFit, weightBytes, type FitCheck, type MemoryLimits, type PassMemory, type PassOptions } from "./net/memory.js";
import { memoryLimits } from "./backends/index.js";
import { randomParams } from "./net/init.js";
import { paramSpecs } from "./net/params.js";
import type { NetSpec } from "./net/spec.js";
import { CAFFE_FCN_PREPROCESS, preprocessPixels, type Preprocess } from "./preprocess.js";
import type { Params } from "./weights/types.js";
import type { RgbImage } from "../core/image.js";

export interface ModelOptions {
  /** How images are turned into the network's input; carried by the weights. */
  readonly preprocess?: Preprocess;
  /**
   * Largest buffer the backend can bind, in bytes (WebGPU's maxStorageBufferBindingSize;
   * `maxBufferBytes()` from the backend module). Bigger weights are split along output
   * channels; inputs whose blobs would exceed it are refused. null: no limit.
   */
  readonly maxBufferBytes?: number | null;
}

/**
 * A network with its parameters on the current tfjs backend: the spec (layers,
 * geometry), prepared weights, and the preprocessing its weights expect.
 */
export class Model {
  readonly preprocess: Preprocess;
  private prepared: PreparedParams | null;
  private readonly maxBufferBytes: number | null;
  private readonly weightBytes: number;
  /** Passes run so far: the first one on wasm runs before XNNPACK's packed weights exist. */
  private passes = 0;

  constructor(
    readonly spec: NetSpec,
    params: Params,
    opts: ModelOptions = {},
  ) {
    checkParamShapes(spec, params);
    this.preprocess = opts.preprocess ?? CAFFE_FCN_PREPROCESS;
    this.maxBufferBytes = opts.maxBufferBytes ?? null;
    this.prepared = prepareParams(spec, params, this.maxBufferBytes);
    this.weightBytes = weightBytes(spec);
  }

  get name(): string {
    return this.spec.model;
  }

  /**
   * Runs the net on a preprocessed [1, H, W, 3] tensor; returns the requested taps.
   * First the memory planner (src/net/memory.ts) checks, from shapes alone, that the pass
   * fits the backend (wasm's 4 GiB, WebGPU's buffer limit, ...); an input that does not
   * is refused at once with an InputTooLargeError naming the size that fits, instead of
   * hanging or crashing inside the backend, or (WebGPU) computing garbage.
   */
  forward(input: tf.Tensor4D, opts: ModelForwardOptions = {}): Taps {
    if (!this.prepared) throw new Error(`this ${this.spec.model} model was disposed`);
    if (opts.memory !== false) {
      this.assertFits(input.shape[1], input.shape[2], { ...opts, otherBytes: Math.max(0, tf.memory().numBytes - this.weightBytes - input.size * 4) });
    }
    const taps = forward(this.spec, this.prepared, input, opts);
    this.passes++;
    return taps;
  }

  /**
   * The memory a pass on height x width needs on the current backend, and whether it
   * fits (see checkFit); nothing is allocated.
   */
  checkFit(height: number, width: number, opts: ModelForwardOptions = {}): FitCheck {
    return checkFit(this.spec, height, width, this.limits(opts), this.passOptions(opts));
  }

  /** Throws an InputTooLargeError when a pass on height x width would not fit. */
  assertFits(height: number, width: number, opts: ModelForwardOptions & { otherBytes?: number; resizeHint?: (side: number) => string } = {}): PassMemory {
    return assertFits(this.spec, height, width, this.limits(opts), { ...this.passOptions(opts), ...(opts.resizeHint && { resizeHint: opts.resizeHint }) });
  }

  private limits(opts: ModelForwardOptions): MemoryLimits {
    const limits = opts.memory || memoryLimits();
    // A buffer limit given to the model (ModelOptions.maxBufferBytes) applies too.
    if (this.maxBufferBytes === null || (limits.tensorBytes !== null && limits.tensorBytes <= this.maxBufferBytes)) return limits;
    return {
      ...limits,
      tensorBytes: this.maxBufferBytes,
      tensorWhat: "the buffer limit this model was built for (maxBufferBytes)",
      alternatives: limits.alternatives ?? "the wasm backend, which has no per-buffer limit",
    };
  }

  private passOptions(opts: ModelForwardOptions & { otherBytes?: number }): PassOptions {
    return {
      ...(opts.taps !== undefined && { taps: opts.taps }),
      splitAbove: this.maxBufferBytes,
      checkFinite: opts.finiteFlags !== undefined,
      firstPass: this.passes === 0,
      ...(opts.otherBytes !== undefined && { otherBytes: opts.otherBytes }),
    };
  }

  /** The network's input for an RGB image, preprocessed as the weights expect. */
  inputFromImage(image: RgbImage): tf.Tensor4D {
    return tf.tensor4d(preprocessPixels(image.rgb, this.preprocess), [1, image.height, image.width, 3]);
  }

  /** Shapes of every tap for an input size (throws a clear error if it does not fit). */
  shapes(height: number, width: number) {
    return blobShapes(this.spec, height, width);
  }

  summary(height: number, width: number): Summary {
    return summarize(this.spec, height, width);
  }

  dispose(): void {
    if (this.prepared) disposePrepared(this.prepared);
    this.prepared = null;
  }
}

/** Every tensor the spec needs, with the right shape; extra tensors are an error too. */
function checkParamShapes(spec: NetSpec, params: Params): void {
  const problems: string[] = [];
  const specs = paramSpecs(spec);
  for (const p of specs) {
    const t = params.get(p.name);
    if (!t) problems.push(`missing ${p.name} (expected ${p.shape.join("x")})`);
    else if (t.shape.join("x") !== p.shape.join("x")) problems.push(`${p.name}: expected ${p.shape.join("x")}, found ${t.shape.join("x")}`);
  }
  const known = new Set(specs.map((p) => p.name));
  for (const name of params.keys()) if (!known.has(name)) problems.push(`unexpected ${name}`);
  if (problems.length) {
    throw new Error(`parameters do not fit ${spec.model} (width ${spec.width}, ${spec.classes} classes):\n  ${problems.join("\n  ")}`);
  }
}

export interface ModelForwardOptions extends ForwardOptions {
  /**
   * The limits the pass is planned against: default memoryLimits() of the active backend;
   * your own (e.g. with a WebGL texture test, see MemoryLimits.tensorFits); false to skip
   * the check (then an input too large may crash or hang the backend).
   */
  readonly memory?: MemoryLimits | false;
}

export interface CreateOptions extends Fcn8sOptions, ModelOptions {
  /** Seed of the random initialization. */
  readonly seed?: number;
}

/**
 * A model with random weights (He-normal convolutions, bilinear upsampling): shows the
 * mechanics; its predictions mean nothing.
 */
export function randomModel(name: string, o: CreateOptions = {}): Model {
  const spec = modelSpec(name, o);
  const params = randomParams(spec, o.seed ?? 0);
  try {
    return new Model(spec, params, o);
  } finally {
    params.forEach((t) => t.dispose());
  }
}
