import * as tf from "@tensorflow/tfjs";
import { modelSpec } from "./models/index.js";
import type { Fcn8sOptions } from "./models/fcn8s.js";
import { disposePrepared, forward, prepareParams, type ForwardOptions, type PreparedParams, type Taps } from "./net/execute.js";
import { InputSizeError, blobShapes, minInputSize, summarize, type Summary } from "./net/geometry.js";
import { randomParams } from "./net/init.js";
import { paramSpecs } from "./net/params.js";
import type { NetSpec } from "./net/spec.js";
import { CAFFE_FCN_PREPROCESS, preprocessPixels, type Preprocess } from "./preprocess.js";
import type { Params } from "./weights/types.js";

/** An RGB image: width x height pixels, 3 bytes each, row-major. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

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

  constructor(
    readonly spec: NetSpec,
    params: Params,
    opts: ModelOptions = {},
  ) {
    checkParamShapes(spec, params);
    this.preprocess = opts.preprocess ?? CAFFE_FCN_PREPROCESS;
    this.maxBufferBytes = opts.maxBufferBytes ?? null;
    this.prepared = prepareParams(spec, params, this.maxBufferBytes);
  }

  get name(): string {
    return this.spec.model;
  }

  /** Runs the net on a preprocessed [1, H, W, 3] tensor; returns the requested taps. */
  forward(input: tf.Tensor4D, opts: ForwardOptions = {}): Taps {
    if (!this.prepared) throw new Error(`this ${this.spec.model} model was disposed`);
    if (this.maxBufferBytes !== null) this.checkBufferLimit(input.shape[1], input.shape[2]);
    return forward(this.spec, this.prepared, input, opts);
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

  /**
   * A blob larger than the backend's buffer limit (WebGPU: maxStorageBufferBindingSize)
   * would be computed as garbage without an exception: refuse, and say what fits.
   */
  private checkBufferLimit(h: number, w: number): void {
    const limit = this.maxBufferBytes!;
    const largest = (bh: number, bw: number) => {
      let worst = { name: "", size: 0 };
      for (const [name, [sh, sw, c]] of blobShapes(this.spec, bh, bw)) {
        if (sh * sw * c * 4 > worst.size) worst = { name, size: sh * sw * c * 4 };
      }
      return worst;
    };
    const worst = largest(h, w);
    if (worst.size <= limit) return;
    const mb = (n: number) => {
      const x = n / 2 ** 20;
      return `${x >= 10 ? Math.round(x) : Number(x.toPrecision(2))} MiB`;
    };
    const problem =
      `input ${h}x${w} is too large for this backend: ${worst.name} would take ${mb(worst.size)}, above its ` +
      `buffer limit of ${mb(limit)}.`;
    // A classifier takes one size only: nothing smaller to suggest.
    if (this.spec.fixedInput !== null) throw new InputSizeError(`${problem} Use the wasm backend.`);
    // The largest short side (same aspect ratio) whose blobs fit, down to the net's minimum.
    const short = Math.min(h, w);
    const scaled = (side: number) => largest(Math.round((side * h) / short), Math.round((side * w) / short)).size;
    const floor = minInputSize(this.spec);
    let side = short;
    while (side > floor && scaled(side) > limit) side--;
    const fix = scaled(side) <= limit ? `Use an image of about ${side} pixels on its short side, or the wasm backend.` : "Use the wasm backend.";
    throw new InputSizeError(`${problem} ${fix}`);
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
