/**
 * The explorer's model and pass, without any DOM: build a model (random or from a
 * weights file), run one image through it, and bring every stage after the score layers
 * back as plain arrays. The page calls this on WebGL/WebGPU/WASM; the test calls the
 * same code on Node's cpu backend for the reference it compares against.
 */
import * as tf from "@tensorflow/tfjs";
// Library modules by path, not src/index.ts: the index also re-exports Node-only parts
// (training, file paths) that have no business in a browser bundle.
import {
  classNamesFor,
  MODEL_NAMES,
  modelFromWeights,
  randomModel,
  streamsOf,
  upsamplingWeights,
  type ClassNames,
  type DeconvWeights,
  type HostMap,
  type Model,
  type ModelName,
  type NetSpec,
  type RgbImage,
  type Stream,
  type WeightsFile,
} from "fcn-viz";

/** The library's FCNs (its model list without the VGG16 classifier and its convolutionalized trunk). */
export type FcnModel = Extract<ModelName, `fcn${string}`>;
export const FCN_MODELS: readonly FcnModel[] = MODEL_NAMES.filter((m): m is FcnModel => m.startsWith("fcn"));
export const isFcn = (m: string): m is FcnModel => (FCN_MODELS as readonly string[]).includes(m);

export type WeightsChoice =
  | { readonly kind: "random"; readonly width: number; readonly classes: number; readonly seed: number }
  | { readonly kind: "file"; readonly file: WeightsFile; readonly label: string };

export interface LoadedModel {
  readonly name: FcnModel;
  readonly model: Model;
  readonly spec: NetSpec;
  /** Upsampling weights on the host, for the per-pixel stream decomposition. */
  readonly deconv: DeconvWeights;
  readonly classNames: ClassNames;
  readonly streams: readonly Stream[];
  readonly weights: WeightsChoice;
  /** Messages from loading (assumed preprocessing, surgery...). */
  readonly notes: readonly string[];
}

export interface LoadOptions {
  /** WebGPU's binding limit (backends/webgpu.ts maxBufferBytes()), null elsewhere. */
  readonly maxBufferBytes?: number | null;
}

/** Builds the model on the current tfjs backend. Throws the library's errors (weights that do not fit...). */
export function loadModel(name: FcnModel, weights: WeightsChoice, o: LoadOptions = {}): LoadedModel {
  const notes: string[] = [];
  const maxBufferBytes = o.maxBufferBytes ?? null;
  // A file's at-once flag (pool4 x0.01, pool3 x0.0001 before their score layers) is
  // honoured by modelFromWeights for FCN-8s; VGG16 weights go through the paper's surgery.
  const model =
    weights.kind === "random"
      ? randomModel(name, { width: weights.width, classes: weights.classes, seed: weights.seed, maxBufferBytes })
      : modelFromWeights(name, weights.file, { maxBufferBytes, log: (l) => notes.push(l) });
  const spec = model.spec;
  const file = weights.kind === "file" ? weights.file : undefined;
  return { name, model, spec, deconv: upsamplingWeights(spec, file), classNames: classNamesFor(spec.classes, file?.meta), streams: streamsOf(spec), weights, notes };
}

/** The blobs shown: score_fr and everything after it (score layers, upsampling, crops, fusions). */
export function headTaps(spec: NetSpec): string[] {
  const i = spec.nodes.findIndex((n) => n.name === "score_fr");
  if (i < 0) throw new Error(`${spec.model} has no score_fr: not an FCN`);
  return spec.nodes.slice(i).map((n) => n.name);
}

/**
 * WebGPU compiles a pipeline per op shape on first use, one after the other: on a software
 * adapter that is most of a first pass. This compiles them up front and in parallel
 * (tfjs's WEBGPU_ENGINE_COMPILE_ONLY: ops are recorded, not run, and the pipelines are
 * made with createComputePipelineAsync), so the pass that follows is timed on its own.
 * Returns the ms spent, or null on other backends. (WebGL's equivalent compiled little
 * ahead in Chromium and could leave tfjs's texture bookkeeping broken when an op failed
 * midway, so WebGL compiles as it goes.)
 */
export async function compileAhead(lm: LoadedModel, image: RgbImage): Promise<number | null> {
  if (tf.getBackend() !== "webgpu") return null;
  const t0 = performance.now();
  const input = lm.model.inputFromImage(image);
  try {
    tf.env().set("WEBGPU_ENGINE_COMPILE_ONLY", true);
    try {
      const taps = lm.model.forward(input, { taps: headTaps(lm.spec) });
      Object.values(taps).forEach((t) => t.dispose());
    } finally {
      tf.env().set("WEBGPU_ENGINE_COMPILE_ONLY", false);
    }
    await (tf.backend() as unknown as { checkCompileCompletionAsync(): Promise<unknown> }).checkCompileCompletionAsync();
    return performance.now() - t0;
  } finally {
    input.dispose();
  }
}

export interface PassResult {
  /** The input the net ran on (after any resize). */
  readonly image: RgbImage;
  /** Every head tap as [h, w, c]. */
  readonly taps: ReadonlyMap<string, HostMap>;
  /** Wall-clock ms: forward pass until the scores are on the CPU (what "time per pass" means). */
  readonly passMs: number;
  /** Reading the other taps back. */
  readonly readMs: number;
}

/**
 * One pass: preprocess, forward with the head taps, read them back. Checks the scores are
 * finite (a GPU that ran out of memory can hand back NaN or zeros rather than throw).
 */
export async function runPass(lm: LoadedModel, image: RgbImage): Promise<PassResult> {
  const names = headTaps(lm.spec);
  const t0 = performance.now();
  const input = lm.model.inputFromImage(image);
  let taps: Record<string, tf.Tensor4D>;
  try {
    taps = lm.model.forward(input, { taps: names });
  } finally {
    input.dispose();
  }
  try {
    const score = (await taps[lm.spec.output]!.data()) as Float32Array;
    const passMs = performance.now() - t0;
    const t1 = performance.now();
    const out = new Map<string, HostMap>();
    for (const n of names) {
      const t = taps[n]!;
      const data = n === lm.spec.output ? score : ((await t.data()) as Float32Array);
      out.set(n, { data, shape: [t.shape[1], t.shape[2], t.shape[3]] });
    }
    const readMs = performance.now() - t1;
    let bad = 0;
    for (let i = 0; i < score.length; i++) if (!Number.isFinite(score[i]!)) bad++;
    if (bad > 0) {
      throw new Error(`the ${tf.getBackend()} backend returned ${bad} non-finite scores (of ${score.length}): its output cannot be trusted; try a smaller "max side" or the WASM backend`);
    }
    return { image, taps: out, passMs, readMs };
  } finally {
    Object.values(taps).forEach((t) => t.dispose());
  }
}

export type { ModelName };
