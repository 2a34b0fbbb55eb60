import { readFile, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { BACKEND_NAMES, describeBackend, maxBufferBytes, memoryLimits, useBackend } from "./backends/index.js";
import { UsageError, parseCommand, parseSize, parseWholeNumber, parseWidth } from "./cli-args.js";
import { assertFiniteInput, assertFiniteParams, NonFiniteError } from "./finite.js";
import { LOCK_FILE, checkWritable, checkWritableDir, claimDir, fsCause, writeFileAtomic } from "./io/files.js";
import { encodePng } from "../core/png.js";
import type { RgbImage } from "../core/image.js";
import { decodeImage, imageSize, type DecodedImage } from "./io/image.js";
import { readNpy, writeNpy } from "./io/npy.js";
import { resizeRgb } from "./io/resize.js";
import { modelFromWeights, planFromWeights } from "./load.js";
import { randomModel, type Model } from "./model.js";
import { isModelName, modelSpec } from "./models/index.js";
import { firstNonFinite, type Taps } from "./net/execute.js";
import { formatSummary, summarize } from "./net/geometry.js";
import { assertFits, planInput, type MemoryLimits } from "./net/memory.js";
import { MODEL_NAMES, findNode, tapNames, type NetSpec } from "./net/spec.js";
import { overlayPixels } from "./overlay.js";
import { IMAGENET_CLASSES, widthText } from "./vgg16.js";
import { formatFromPath, writeWeights } from "./weights/index.js";
import { loadWeights } from "./published/load.js";
import { FETCH_USAGE, fetchCommand } from "./published/cli.js";
import { classNamesFor, type ClassNames } from "./classes.js";
import type { KerasNaming, WeightsFile } from "./weights/types.js";
import { TRAIN_USAGE, trainCommand } from "./train/cli.js";

const KERAS_NAMINGS: readonly KerasNaming[] = ["keras1", "tf-keras2", "keras3"];

const SEGMENT_USAGE = `fcn-viz segment INPUT --weights FILE|NAME|random [options]
      INPUT: a PNG/JPEG image, or a .npy float32 array H x W x 3 or 1 x H x W x 3,
      already preprocessed (fed straight to conv1_1).
    --weights W     a weights file (safetensors, Keras .h5, tfjs model.json or folder, Caffe
                    .caffemodel), a published NAME (fcn-viz fetch --list), or random (the
                    stages are real, the predictions mean nothing)
    --model M       ${MODEL_NAMES.join(", ")} (default: what the weights are; fcn8s for random)
    --backend B     auto (default), webgpu, wasm, cpu
    --max-side N    shrink the image (same aspect ratio) to at most N px on its longer side;
                    an image too large for the backend is refused with the N that fits
    --out FILE.png  the prediction drawn over the image (images only)
    --taps-dir DIR  every tap as DIR/NAME.npy (NHWC float32) plus DIR/manifest.json; a DIR is
                    written by one run at a time (DIR/${LOCK_FILE})
    --taps a,b,c    which taps --taps-dir writes (default: all)
    --width F       random weights: a fraction of VGG16's channels, e.g. 1/8 (default 1)
    --classes N     random weights, or an FCN made from VGG16 weights: the class count
                    (default 21; 1000 for vgg16)`;

const SUMMARY_USAGE = `fcn-viz summary [--model fcn8s] [--size 500x500] [--width 1] [--classes 21] [--json]
      every layer's output shape, parameters, stride, receptive field and crop offset;
      --size is height x width (or one number for a square)`;

const CONVERT_USAGE = `fcn-viz convert IN OUT [--naming keras1|tf-keras2|keras3] [--dtype F32|F16]
      formats: .safetensors (PyTorch layout; --dtype F16 halves it), .h5 (Keras), a directory
      or model.json (tfjs); IN may also be a Caffe .caffemodel (read only) or a published NAME`;

const USAGE = `fcn-viz: see how a fully convolutional network works (FCN, Long et al. 2015)

  ${SEGMENT_USAGE.replace(/\n/g, "\n  ")}
  ${SUMMARY_USAGE.replace(/\n/g, "\n  ")}
  ${CONVERT_USAGE.replace(/\n/g, "\n  ")}
  ${FETCH_USAGE}
  ${TRAIN_USAGE.replace(/\n/g, "\n  ")}

Every command answers --help. Models: ${MODEL_NAMES.join(", ")}. Backends: auto, webgpu, webgl (browser only), wasm, cpu`;

const log = (line: string) => process.stderr.write(`${line}\n`);

/** An image is decoded only once the memory plan accepts its size (read from the header). */
type Input = { kind: "array"; shape: [number, number]; data: Float32Array } | { kind: "image"; bytes: Uint8Array; height: number; width: number };

/** Reads INPUT before anything slow starts, so a wrong path or a bad array fails at once. */
async function readInput(path: string): Promise<Input> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read input "${path}": ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : fsCause(e)}`);
  }
  if (bytes[0] === 0x93 && bytes[1] === 0x4e) {
    const { shape, data } = readNpy(bytes, path);
    const s = shape.length === 4 && shape[0] === 1 ? shape.slice(1) : shape;
    if (s.length !== 3 || s[2] !== 3) {
      throw new UsageError(`${path}: expected an array of shape H x W x 3 or 1 x H x W x 3 (preprocessed image), got ${shape.join(" x ")}`);
    }
    assertFiniteInput(data, [s[0]!, s[1]!, 3], path);
    return { kind: "array", shape: [s[0]!, s[1]!], data };
  }
  const { width, height } = imageSize(bytes, path);
  return { kind: "image", bytes, height, width };
}

/** The spec the run will build, and a check that flags sized for random weights agree with a file. */
function specFor(named: string | undefined, file: WeightsFile | null, width: number | undefined, classes: number | undefined): NetSpec {
  if (!file) return modelSpec(named!, { width: width ?? 1, classes: classes ?? (named!.startsWith("vgg") ? IMAGENET_CLASSES : 21) });
  const plan = planFromWeights(named, file, classes === undefined ? {} : { classes });
  const what = `the weights${file.source ? ` in ${file.source}` : ""}`;
  if (classes !== undefined && !plan.fromVgg && classes !== plan.spec.classes) {
    throw new UsageError(
      `--classes ${classes} does not fit ${what}: they have ${plan.spec.classes} classes. --classes sizes --weights random ` +
        `and FCNs made from VGG16 weights only; drop it`,
    );
  }
  if (width !== undefined && width !== plan.spec.width) {
    throw new UsageError(`--width ${widthText(width)} does not fit ${what}: they are width ${widthText(plan.spec.width)}. --width sizes --weights random only; drop it`);
  }
  return plan.spec;
}

async function segment(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand("segment", args, {
    model: { type: "string" },
    weights: { type: "string" },
    backend: { type: "string", default: "auto" },
    out: { type: "string" },
    "taps-dir": { type: "string" },
    taps: { type: "string" },
    width: { type: "string" },
    classes: { type: "string" },
    "max-side": { type: "string" },
  });
  if (values.help) {
    process.stdout.write(SEGMENT_USAGE + "\n");
    return;
  }
  const [inputPath, extra] = positionals;
  if (!inputPath) throw new UsageError(`segment needs an INPUT image or .npy file\n\n${SEGMENT_USAGE}`);
  if (extra !== undefined) throw new UsageError(`segment takes one INPUT, got "${inputPath}" and "${extra}" (see fcn-viz segment --help)`);
  if (!values.weights) {
    throw new UsageError(
      "segment needs --weights FILE (safetensors, Keras .h5, a tfjs model.json / directory, or a Caffe .caffemodel), " +
        "a published NAME (fcn-viz fetch --list), or --weights random to see the mechanics with random weights (predictions then mean nothing)",
    );
  }
  // Every option is checked before anything slow or large happens.
  const width = values.width === undefined ? undefined : parseWidth(values.width);
  const classes = values.classes === undefined ? undefined : parseWholeNumber("classes", values.classes, 2);
  const maxSide = values["max-side"] === undefined ? undefined : parseWholeNumber("max-side", values["max-side"]);
  if (!(BACKEND_NAMES as readonly string[]).includes(values.backend!.toLowerCase())) {
    throw new UsageError(`unknown --backend "${values.backend}": choose ${BACKEND_NAMES.join(", ")}`);
  }
  if (values.model !== undefined && !isModelName(values.model)) throw new UsageError(`unknown model "${values.model}": choose one of ${MODEL_NAMES.join(", ")}`);
  // Without --model the weights say which model they are (random weights: fcn8s).
  const named = values.model ?? (values.weights === "random" ? "fcn8s" : undefined);
  const tapsDir = values["taps-dir"];
  const asked = values.taps ? values.taps.split(",").map((t) => t.trim()).filter(Boolean) : null;
  const checkTaps = (spec: NetSpec) => asked?.forEach((t) => findNode(spec, t));
  if (named) checkTaps(modelSpec(named));
  let taps: string[] | "all" = asked ?? (tapsDir ? "all" : []);
  if (asked && !tapsDir) {
    log(`note: --taps ${values.taps} without --taps-dir writes nothing (add --taps-dir DIR to save them as .npy); running without keeping them`);
    taps = [];
  }

  const source = await readInput(inputPath);
  if (values.out !== undefined && source.kind !== "image") {
    throw new UsageError("--out draws the prediction over the image: give an image (PNG/JPEG), not a .npy array");
  }
  if (maxSide !== undefined && source.kind !== "image") {
    throw new UsageError("--max-side resizes images; a .npy array is fed to the net as it is: resize it before saving it");
  }
  // Outputs are checked (and the taps folder claimed) before the forward pass, not after it.
  if (values.out !== undefined) await checkWritable(values.out);
  const claim = tapsDir ? await claimDir(tapsDir, "--taps-dir") : null;
  try {
    // A weights file takes a while to read: find out first whether the image decodes.
    let image: DecodedImage | undefined = source.kind === "image" && values.weights !== "random" ? decodeImage(source.bytes, inputPath) : undefined;
    const file = values.weights === "random" ? null : await loadWeights(values.weights);
    const spec = specFor(named, file, width, classes);
    if (!named) checkTaps(spec);
    const backend = await useBackend(values.backend!);
    log(`backend: ${describeBackend()}: ${backend.reason}`);

    // The size to run, and the memory plan for it: refused now, from shapes alone, if it cannot fit.
    const wanted = taps === "all" ? ("all" as const) : [...new Set([...taps, spec.output])];
    const splitAbove = maxBufferBytes();
    const limits: MemoryLimits = { ...memoryLimits(), ...cliAlternatives(backend.name) };
    const plan = (h: number, w: number) => {
      const size = planInput(spec, h, w, maxSide === undefined ? {} : { maxSide });
      assertFits(spec, size.height, size.width, limits, {
        taps: wanted,
        splitAbove,
        checkFinite: true,
        firstPass: true,
        resizeHint: (side) => (source.kind === "image" ? `add --max-side ${side}` : `resize the array to at most ${side} px on its longer side`),
      });
      return size;
    };
    let [h0, w0] = image ? [image.height, image.width] : source.kind === "image" ? [source.height, source.width] : source.shape;
    let size = plan(h0, w0);
    if (source.kind === "image" && !image) {
      image = decodeImage(source.bytes, inputPath);
      // The header said the size; should the pixels disagree, the plan follows the pixels.
      if (image.height !== h0 || image.width !== w0) size = plan((h0 = image.height), (w0 = image.width));
    }
    let model: Model;
    if (!file) {
      model = randomModel(spec.model, { width: spec.width, classes: spec.classes, maxBufferBytes: splitAbove });
      log(`${named} with RANDOM weights: the stages are real, the predictions mean nothing`);
    } else {
      model = modelFromWeights(named, file, { log, maxBufferBytes: splitAbove, ...(classes !== undefined && { classes }) });
      log(`weights: ${values.weights} (${file.format})`);
    }
    let rgb: RgbImage | undefined;
    if (image) {
      rgb = size.resized ? resizeRgb(image, size.height, size.width) : image;
    }
    const input = rgb ? toTensorImage(rgb, model, inputPath, w0, h0) : toTensorArray(source as Extract<Input, { kind: "array" }>, inputPath);
    if (size.resized) log(`resized to ${size.width}x${size.height}: ${size.reasons.join("; ")}`);
    try {
      await runAndWrite(model, input, { rgb, taps, wanted, tapsDir, out: values.out, file, backend: backend.name, inputPath });
    } finally {
      input.dispose();
      model.dispose();
    }
  } finally {
    await claim?.release();
  }
}

/** The CLI's wording of the other ways to run an input too large for this backend. */
function cliAlternatives(backend: string): Partial<MemoryLimits> {
  if (backend === "wasm") return { alternatives: "--backend cpu (no 4 GiB ceiling, but ~35x slower)" };
  if (backend === "webgpu") return { alternatives: "--backend wasm (no per-buffer limit)" };
  return {};
}

function toTensorArray(input: Extract<Input, { kind: "array" }>, path: string): tf.Tensor4D {
  log(`${basename(path)}: ${input.shape[0]}x${input.shape[1]} preprocessed array, fed to conv1_1 as is`);
  return tf.tensor4d(input.data, [1, ...input.shape, 3]);
}

function toTensorImage(image: RgbImage, model: Model, path: string, w0: number, h0: number): tf.Tensor4D {
  log(`${basename(path)}: ${w0}x${h0} image, preprocessed for the weights: ${model.preprocess.source}`);
  return model.inputFromImage(image);
}

interface RunOptions {
  readonly rgb: RgbImage | undefined;
  readonly taps: string[] | "all";
  readonly wanted: string[] | "all";
  readonly tapsDir: string | undefined;
  readonly out: string | undefined;
  readonly file: WeightsFile | null;
  readonly backend: string;
  readonly inputPath: string;
}

async function runAndWrite(model: Model, input: tf.Tensor4D, o: RunOptions): Promise<void> {
  const [, h, w] = input.shape;
  const output = model.spec.output;
  const flags = new Map<string, tf.Scalar>();
  const t0 = performance.now();
  const result = model.forward(input, {
    taps: o.wanted,
    finiteFlags: flags,
    memory: false, // planned above, with the CLI's wording
    onLayer: (name, i, n) => process.stderr.isTTY && process.stderr.write(`\rforward ${model.name} ${h}x${w}: ${i}/${n} ${name.padEnd(14)}`),
  });
  try {
    await result[output]!.data(); // wait for the backend to finish (WebGPU runs asynchronously)
    if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
    log(`forward ${model.name} ${h}x${w} on ${o.backend}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    const bad = await firstNonFinite(flags);
    if (bad) {
      throw new NonFiniteError(
        `the forward pass produced non-finite values (NaN or Inf, or magnitudes near float32's limit of 3.4e38), first in ` +
          `${bad}. The input and the weights are finite, so values outgrew float32's range there: are the weights' ` +
          `magnitudes sane? No prediction is reported`,
        bad,
      );
    }
    if (o.tapsDir) await writeTaps(model, result, o, h, w);
    const scores = result[output]!;
    if (model.spec.fixedInput !== null || model.name === "vgg16-fcn") {
      // Names for real weights only, as for segmentation below.
      await reportLogits(scores, o.file ? classNamesFor(model.spec.classes, o.file.meta) : null);
      return;
    }
    const labels = (await tf.tidy(() => scores.argMax(3)).data()) as Int32Array;
    const counts = new Map<number, number>();
    labels.forEach((l) => counts.set(l, (counts.get(l) ?? 0) + 1));
    // Names only for real weights: with random ones a class name would suggest a meaning.
    const names = o.file ? classNamesFor(model.spec.classes, o.file.meta).names : null;
    const share = [...counts].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${names ? names[c] : `class ${c}`}: ${((100 * n) / labels.length).toFixed(1)}%`);
    log(`prediction: ${share.slice(0, 6).join(", ")}`);
    if (o.out && o.rgb) {
      await writeFileAtomic(o.out, encodePng(w, h, overlayPixels(o.rgb.rgb, labels, 0.5)));
      log(`wrote ${o.out}`);
    }
  } finally {
    Object.values(result).forEach((t) => t.dispose());
    flags.forEach((t) => t.dispose());
  }
}

/**
 * Each tap as NAME.npy and manifest.json, every file written whole (temporary file, then
 * rename) and the manifest last; files the previous manifest listed that this run did
 * not write are removed, so the folder never mixes two runs. The folder is this run's
 * (claimDir) until it finishes.
 */
async function writeTaps(model: Model, result: Taps, o: RunOptions, h: number, w: number): Promise<void> {
  const dir = o.tapsDir!;
  const manifestPath = join(dir, "manifest.json");
  const previous = await readFile(manifestPath, "utf8").then((t) => JSON.parse(t) as { taps?: { file?: unknown }[] }, () => null);
  const manifest = {
    model: model.name,
    width: model.spec.width,
    classes: model.spec.classes,
    backend: o.backend,
    input: { path: o.inputPath, height: h, width: w },
    layout: "NHWC float32",
    taps: [] as { name: string; shape: number[]; file: string }[],
  };
  for (const name of tapNames(model.spec)) {
    const t = result[name];
    if (!t || (o.taps !== "all" && !o.taps.includes(name))) continue;
    await writeFileAtomic(join(dir, `${name}.npy`), writeNpy(t.shape, (await t.data()) as Float32Array));
    manifest.taps.push({ name, shape: t.shape, file: `${name}.npy` });
  }
  await writeFileAtomic(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
  const written = new Set(manifest.taps.map((t) => t.file));
  for (const t of previous?.taps ?? []) {
    // Only plain file names the earlier manifest listed: never a path out of the folder.
    if (typeof t.file === "string" && /^[\w.-]+\.npy$/.test(t.file) && !written.has(t.file)) await rm(join(dir, t.file), { force: true });
  }
  log(`wrote ${manifest.taps.length} taps and manifest.json to ${dir}`);
}

/** The top 5 classes of the first grid cells: "281 tabby, tabby cat (12.30)", or "281 (12.30)" without names. */
async function reportLogits(scores: tf.Tensor4D, names: ClassNames | null): Promise<void> {
  const [, gh, gw, c] = scores.shape;
  const d = await scores.data();
  log(`logits: ${gh}x${gw} grid of ${c} classes${names ? ` (names: ${names.source})` : ""}`);
  for (let cell = 0; cell < Math.min(gh * gw, 4); cell++) {
    const row = Array.from(d.slice(cell * c, (cell + 1) * c));
    const top = row.map((v, i) => [i, v] as const).sort((a, b) => b[1] - a[1]).slice(0, 5);
    const label = (i: number) => (names ? `${i} ${names.names[i]}` : `${i}`);
    log(`  cell (${Math.floor(cell / gw)}, ${cell % gw}) top 5: ${top.map(([i, v]) => `${label(i)} (${v.toFixed(2)})`).join(", ")}`);
  }
}

async function summary(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand("summary", args, {
    model: { type: "string", default: "fcn8s" },
    size: { type: "string" },
    width: { type: "string" },
    classes: { type: "string" },
    json: { type: "boolean", default: false },
  });
  if (values.help) {
    process.stdout.write(SUMMARY_USAGE + "\n");
    return;
  }
  if (positionals.length) throw new UsageError(`summary takes no INPUT (got "${positionals[0]}"); give the size with --size (see fcn-viz summary --help)`);
  const spec = modelSpec(values.model!, {
    ...(values.width !== undefined && { width: parseWidth(values.width) }),
    ...(values.classes !== undefined && { classes: parseWholeNumber("classes", values.classes, 2) }),
  });
  const [h, w] = values.size ? parseSize(values.size) : [spec.fixedInput ?? 500, spec.fixedInput ?? 500];
  const s = summarize(spec, h, w);
  process.stdout.write(values.json ? JSON.stringify(s, null, 2) + "\n" : formatSummary(s) + "\n");
}

async function convert(args: string[]): Promise<void> {
  const { positionals, values } = parseCommand("convert", args, { naming: { type: "string" }, dtype: { type: "string" } });
  if (values.help) {
    process.stdout.write(CONVERT_USAGE + "\n");
    return;
  }
  const [from, to, extra] = positionals;
  if (!from || !to) throw new UsageError(`convert needs IN and OUT\n\n${CONVERT_USAGE}`);
  if (extra !== undefined) throw new UsageError(`convert takes IN and OUT, got a third argument "${extra}"`);
  const naming = values.naming;
  if (naming !== undefined && !KERAS_NAMINGS.includes(naming as KerasNaming)) {
    throw new UsageError(`--naming must be one of ${KERAS_NAMINGS.join(", ")} (Keras .h5 output only), got "${naming}"`);
  }
  const format = await formatFromPath(to);
  const dtype = values.dtype?.toUpperCase();
  if (dtype !== undefined && ((dtype !== "F16" && dtype !== "F32") || format !== "safetensors")) {
    throw new UsageError(`--dtype F16 or F32 applies to safetensors output (OUT ending in .safetensors), got --dtype ${values.dtype} for ${to}`);
  }
  // The output is checked before a 500 MB input is read, not after.
  if (format === "tfjs") await checkWritableDir(to.toLowerCase().endsWith(".json") ? dirname(to) : to);
  else if (format !== "caffemodel") await checkWritable(to);
  const file = await loadWeights(from);
  assertFiniteParams(file.params, file.source ?? from);
  await writeWeights(to, file, format, { ...(naming && { kerasNaming: naming as KerasNaming }), ...(dtype && { dtype: dtype as "F16" | "F32" }) });
  log(`converted ${from} (${file.format}, ${file.params.size} tensors) -> ${to}`);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // tfjs's "install tfjs-node" banner only misleads (tfjs-node cannot install offline).
  tf.env().set("PROD", true);
  try {
    switch (command) {
      case "segment":
        await segment(rest);
        return 0;
      case "summary":
        await summary(rest);
        return 0;
      case "convert":
        await convert(rest);
        return 0;
      case "train":
        await trainCommand(rest, log);
        return 0;
      case "fetch":
        await fetchCommand(rest, log);
        return 0;
      case undefined:
      case "-h":
      case "--help":
      case "help":
        process.stdout.write(USAGE + "\n");
        return command === undefined ? 1 : 0;
      default:
        throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (e) {
    // Errors are for people: one clear message, no stack from inside tfjs.
    process.stderr.write(`fcn-viz: ${(e as Error).message}\n`);
    if (process.env.FCN_VIZ_DEBUG) console.error(e);
    return 2;
  }
}
