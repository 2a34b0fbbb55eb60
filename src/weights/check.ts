import type { ModelName } from "../net/spec.js";
import type { ParamSpec } from "../net/params.js";
import { widthFromConv1, widthText } from "../vgg16.js";
import { WeightsFileError, WeightsMismatchError, type MisshapedTensor } from "./errors.js";
import { sameShape, shapeText } from "./layout.js";
import { splitParamName } from "./names.js";
import type { WeightsFormat, WeightsMeta } from "./types.js";

/** Anything with named shapes: HostParams, Params (tf.Tensor has .shape), or specs. */
export type ShapeMap = ReadonlyMap<string, { readonly shape: readonly number[] }>;

export interface CheckOptions {
  /**
   * Extra tensors that are fine to ignore: exact names (`fc8.weight`) or layer names
   * (`fc8`, covering its weight and bias).
   */
  readonly allowUnexpected?: readonly string[];
  /**
   * Tensors that may be absent, same matching (e.g. `fc8` when a VGG16 file without
   * its classifier, like Keras' _notop, only seeds an FCN).
   */
  readonly allowMissing?: readonly string[];
  /** The file's format: mis-shaped tensors are then also shown in the file's own layout. */
  readonly format?: WeightsFormat;
  /** Where the parameters come from, for the message. */
  readonly source?: string;
}

/**
 * Throws one WeightsMismatchError listing every missing, unexpected and mis-shaped
 * tensor (shapes in tfjs layout), with a hint about what the file looks like.
 */
export function checkWeights(specs: readonly ParamSpec[], params: ShapeMap, opts: CheckOptions = {}): void {
  const matches = (list: readonly string[] | undefined) => {
    const set = new Set(list ?? []);
    return (n: string) => set.has(n) || set.has(splitParamName(n)?.layer ?? n);
  };
  const mayLack = matches(opts.allowMissing);
  const mayHave = matches(opts.allowUnexpected);
  const expected = new Map(specs.map((s) => [s.name, s]));
  const missing: string[] = [];
  const misshaped: MisshapedTensor[] = [];
  for (const s of specs) {
    const t = params.get(s.name);
    if (!t) {
      if (!mayLack(s.name)) missing.push(s.name);
    } else if (!sameShape(s.shape, t.shape)) {
      misshaped.push({ name: s.name, expected: s.shape, found: t.shape });
    }
  }
  const unexpected = [...params.keys()].filter((n) => !expected.has(n) && !mayHave(n));
  if (missing.length + unexpected.length + misshaped.length === 0) return;

  const total = (xs: readonly unknown[], what: string) => (xs.length ? [`${xs.length} ${what}`] : []);
  const lines = [
    `weights${opts.source ? ` in ${opts.source}` : ""} do not fit the model: ` +
      [...total(missing, "missing"), ...total(unexpected, "unexpected"), ...total(misshaped, "mis-shaped")].join(", "),
  ];
  if (missing.length) {
    lines.push(`  missing (${missing.length}):`);
    for (const n of missing) lines.push(`    ${n} ${shapeText(expected.get(n)!.shape)}`);
  }
  if (unexpected.length) {
    lines.push(`  unexpected (${unexpected.length}):`);
    for (const n of unexpected) lines.push(`    ${n} ${shapeText(params.get(n)!.shape)}`);
  }
  if (misshaped.length) {
    lines.push(`  mis-shaped (${misshaped.length}), tfjs layout:`);
    for (const m of misshaped) {
      const own = fileLayout(m.name, m.expected, m.found, opts.format);
      lines.push(`    ${m.name}: expected ${shapeText(m.expected)}, found ${shapeText(m.found)}${own}`);
    }
  }
  lines.push(hint(specs, params));
  throw new WeightsMismatchError(lines.join("\n"), missing, unexpected, misshaped);
}

/** The same mismatch in the terms a user sees when opening the file in its own framework. */
function fileLayout(name: string, expected: readonly number[], found: readonly number[], format?: WeightsFormat): string {
  if (found.length !== 4 || expected.length !== 4) return "";
  const parts = splitParamName(name);
  if (format === "safetensors" || format === "caffemodel") {
    // Caffe's blobs are PyTorch's layout: conv (out, in, kH, kW), deconv (in, out, kH, kW).
    const torch = (s: readonly number[]) => `(${[s[3], s[2], s[0], s[1]].join(", ")})`;
    return `  (${format === "caffemodel" ? "Caffe" : "PyTorch"} layout: expected ${torch(expected)}, found ${torch(found)})`;
  }
  if (format === "keras-h5" && parts && ["fc6", "fc7", "fc8"].includes(parts.layer)) {
    const dense = (s: readonly number[]) => `(${s[0]! * s[1]! * s[2]!}, ${s[3]})`;
    return `  (Keras Dense kernel: expected ${dense(expected)}, found ${dense(found)})`;
  }
  return "";
}

export interface InferredConfig {
  /** "vgg16" stands for vgg16 and vgg16-fcn, which share their parameters. */
  readonly model?: ModelName;
  readonly width?: number;
  readonly classes?: number;
}

/** Guesses the model, width multiplier and class count a set of parameters belongs to. */
export function inferWeightsConfig(params: ShapeMap): InferredConfig {
  const has = (layer: string) => params.has(`${layer}.weight`) || params.has(`${layer}.bias`);
  // Output channels: the kernel's last axis (tfjs conv layout), else the bias length.
  const outOf = (layer: string): number | undefined => {
    const w = params.get(`${layer}.weight`);
    return w ? w.shape[w.shape.length - 1] : params.get(`${layer}.bias`)?.shape[0];
  };
  let model: ModelName | undefined;
  if (has("score_pool3")) model = "fcn8s";
  else if (has("score_pool4")) model = "fcn16s";
  else if (has("score_fr")) model = "fcn32s";
  else if ([...params.keys()].some((n) => /^(conv\d_\d|fc[678])\./.test(n))) model = "vgg16";
  const c1 = outOf("conv1_1");
  const classes = outOf("score_fr") ?? outOf("fc8");
  return {
    ...(model && { model }),
    ...(c1 !== undefined && { width: widthFromConv1(c1) }),
    ...(classes !== undefined && { classes }),
  };
}

/**
 * The metadata's class names must fit the tensors: one name per output of the last
 * scoring layer (score_fr for an FCN, fc8 for VGG16). Without that layer (a VGG16
 * file without fc8) there is nothing to check. Throws a message naming both counts.
 */
export function checkClassNames(params: ShapeMap, meta: WeightsMeta, where: string): void {
  const names = meta.classNames;
  if (names === undefined) return;
  const { classes } = inferWeightsConfig(params);
  if (classes !== undefined && classes !== names.length) {
    throw new WeightsFileError(
      where,
      `${where}: the metadata names ${names.length} classes (classNames) but the weights score ${classes}: ` +
        `give one name per class, in label order, or drop the names`,
    );
  }
}

export function describeConfig(c: InferredConfig): string {
  const parts: string[] = [];
  if (c.width !== undefined) parts.push(`width ${widthText(c.width)}`);
  if (c.classes !== undefined) parts.push(`${c.classes} classes`);
  return `${c.model ?? "unknown model"}${parts.length ? ` (${parts.join(", ")})` : ""}`;
}

function hint(specs: readonly ParamSpec[], params: ShapeMap): string {
  const file = inferWeightsConfig(params);
  const want = inferWeightsConfig(new Map(specs.map((s) => [s.name, s])));
  let h = `Hint: the file looks like ${describeConfig(file)}; the model is ${describeConfig(want)}.`;
  if (file.model === "vgg16" && want.model && want.model.startsWith("fcn")) {
    h += " VGG16 weights have no score or upsampling layers: an FCN starts from them by initializing those (score layers at zero, upsampling bilinear) and dropping fc8.";
  }
  return h;
}
