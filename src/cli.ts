import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { describeBackend, maxBufferBytes, useBackend } from "./backend.js";
import { decodeImage, encodePng } from "./io/image.js";
import { readNpy, writeNpy } from "./io/npy.js";
import { modelFromWeights } from "./load.js";
import { randomModel, type Model, type RgbImage } from "./model.js";
import { modelSpec } from "./models/index.js";
import { formatSummary, summarize } from "./net/geometry.js";
import { findNode, tapNames, type NetSpec } from "./net/spec.js";
import { overlayPixels } from "./overlay.js";
import { formatFromPath, writeWeights } from "./weights/index.js";
import { loadWeights } from "./published/load.js";
import { FETCH_USAGE, fetchCommand } from "./published/cli.js";
import { classNamesFor, type ClassNames } from "./classes.js";
import type { KerasNaming } from "./weights/types.js";
import { TRAIN_USAGE, trainCommand } from "./train/cli.js";

const KERAS_NAMINGS: readonly KerasNaming[] = ["keras1", "tf-keras2", "keras3"];

const USAGE = `fcn-viz: see how a fully convolutional network works (FCN, Long et al. 2015)

  fcn-viz segment INPUT --weights FILE|NAME|random [--model MODEL] [--backend auto]
                  [--out overlay.png] [--taps-dir DIR] [--taps a,b,c]
                  [--width 1] [--classes 21]       (sizes for --weights random)
      --model: by default the one the weights are (fcn8s for --weights random).
      INPUT: a PNG/JPEG image, or a .npy float32 array H x W x 3 or 1 x H x W x 3,
      already preprocessed (fed straight to conv1_1).
  fcn-viz summary [--model fcn8s] [--size 500x500] [--width 1] [--classes 21]
  fcn-viz convert IN OUT [--naming keras1|tf-keras2|keras3] [--dtype F32|F16]
      formats: .safetensors (PyTorch layout; --dtype F16 halves it), .h5 (Keras), a directory
      or model.json (tfjs); IN may also be a Caffe .caffemodel (read only)
      IN (and --weights) may be a published NAME fetched into the cache:
  ${FETCH_USAGE}
  ${TRAIN_USAGE.replace(/\n/g, "\n  ")}

models: vgg16, vgg16-fcn, fcn32s, fcn16s, fcn8s
backends: auto, webgpu, webgl (browser only), wasm, cpu`;

/** An error meant for the user: printed as one line, no stack. */
class UsageError extends Error {}

function parseSize(s: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/.exec(s);
  if (!m) throw new UsageError(`--size must look like 500x375 (height x width) or 500, got "${s}"`);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

function parseNumber(name: string, s: string | undefined, fallback: number): number {
  if (s === undefined) return fallback;
  const v = s.includes("/") ? Number(s.split("/")[0]) / Number(s.split("/")[1]) : Number(s);
  if (!Number.isFinite(v) || v <= 0) throw new UsageError(`--${name} must be a positive number (e.g. 1 or 1/8), got "${s}"`);
  return v;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

type Input = { kind: "array"; shape: [number, number]; data: Float32Array } | { kind: "image"; image: RgbImage };

/** Reads INPUT before anything slow starts, so a wrong path fails at once. */
async function readInput(path: string): Promise<Input> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new UsageError(`cannot read input "${path}": ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  if (bytes[0] === 0x93 && bytes[1] === 0x4e) {
    const { shape, data } = readNpy(bytes);
    const s = shape.length === 4 && shape[0] === 1 ? shape.slice(1) : shape;
    if (s.length !== 3 || s[2] !== 3) {
      throw new UsageError(`${path}: expected an array of shape H x W x 3 or 1 x H x W x 3 (preprocessed image), got ${shape.join(" x ")}`);
    }
    return { kind: "array", shape: [s[0]!, s[1]!], data };
  }
  return { kind: "image", image: decodeImage(bytes, path) };
}

function toTensor(input: Input, model: Model, path: string): tf.Tensor4D {
  if (input.kind === "array") {
    log(`${basename(path)}: ${input.shape[0]}x${input.shape[1]} preprocessed array, fed to conv1_1 as is`);
    return tf.tensor4d(input.data, [1, ...input.shape, 3]);
  }
  log(`${basename(path)}: ${input.image.width}x${input.image.height} image, preprocessed for the weights: ${model.preprocess.source}`);
  return model.inputFromImage(input.image);
}

async function segment(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      model: { type: "string" },
      weights: { type: "string" },
      backend: { type: "string", default: "auto" },
      out: { type: "string" },
      "taps-dir": { type: "string" },
      taps: { type: "string" },
      width: { type: "string" },
      classes: { type: "string" },
    },
  });
  const [inputPath] = positionals;
  if (!inputPath) throw new UsageError(`segment needs an INPUT image or .npy file\n\n${USAGE}`);
  if (!values.weights) {
    throw new UsageError(
      "segment needs --weights FILE (safetensors, Keras .h5, a tfjs model.json / directory, or a Caffe .caffemodel), " +
        "or --weights random to see the mechanics with random weights (predictions then mean nothing)",
    );
  }
  // Without --model the weights say which model they are (random weights: fcn8s).
  const named = values.model ?? (values.weights === "random" ? "fcn8s" : undefined);
  // Unknown names and unreadable files fail here, before any slow work (tap names too, if the model is named).
  const taps = values.taps ? values.taps.split(",").map((t) => t.trim()).filter(Boolean) : values["taps-dir"] ? "all" : [];
  const checkTaps = (spec: NetSpec) => taps !== "all" && taps.forEach((t) => findNode(spec, t));
  if (named) checkTaps(modelSpec(named));
  const source = await readInput(inputPath);
  const file = values.weights === "random" ? null : await loadWeights(values.weights);
  const backend = await useBackend(values.backend!);
  log(`backend: ${describeBackend()}: ${backend.reason}`);

  let model: Model;
  if (!file) {
    model = randomModel(named!, {
      width: parseNumber("width", values.width, 1),
      classes: Math.round(parseNumber("classes", values.classes, named!.startsWith("vgg") ? 1000 : 21)),
      maxBufferBytes: maxBufferBytes(),
    });
    log(`${named} with RANDOM weights: the stages are real, the predictions mean nothing`);
  } else {
    model = modelFromWeights(named, file, { log, maxBufferBytes: maxBufferBytes() });
    log(`weights: ${values.weights} (${file.format})`);
    if (!named) {
      try {
        checkTaps(model.spec);
      } catch (e) {
        model.dispose();
        throw e;
      }
    }
  }

  const input = toTensor(source, model, inputPath);
  const rgb = source.kind === "image" ? source.image : undefined;
  const [, h, w] = input.shape;
  const output = model.spec.output;
  const wanted = taps === "all" ? "all" : [...new Set([...taps, output])];
  const t0 = performance.now();
  const result = model.forward(input, {
    taps: wanted,
    onLayer: (name, i, n) => process.stderr.isTTY && process.stderr.write(`\rforward ${model.name} ${h}x${w}: ${i}/${n} ${name.padEnd(14)}`),
  });
  await result[output]!.data(); // wait for the backend to finish (WebGPU runs asynchronously)
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  log(`forward ${model.name} ${h}x${w} on ${backend.name}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);

  try {
    if (values["taps-dir"]) {
      const dir = values["taps-dir"];
      await mkdir(dir, { recursive: true });
      const manifest = {
        model: model.name,
        width: model.spec.width,
        classes: model.spec.classes,
        backend: backend.name,
        input: { path: inputPath, height: h, width: w },
        layout: "NHWC float32",
        taps: [] as { name: string; shape: number[]; file: string }[],
      };
      for (const name of tapNames(model.spec)) {
        const t = result[name];
        if (!t || (taps !== "all" && !taps.includes(name))) continue;
        await writeFile(join(dir, `${name}.npy`), writeNpy(t.shape, (await t.data()) as Float32Array));
        manifest.taps.push({ name, shape: t.shape, file: `${name}.npy` });
      }
      await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
      log(`wrote ${manifest.taps.length} taps and manifest.json to ${dir}`);
    }

    const scores = result[output]!;
    if (model.spec.fixedInput !== null || model.name === "vgg16-fcn") {
      // Names for real weights only, as for segmentation below.
      await reportLogits(scores, file ? classNamesFor(model.spec.classes, file.meta) : null);
    } else {
      const labels = (await tf.tidy(() => scores.argMax(3)).data()) as Int32Array;
      const counts = new Map<number, number>();
      labels.forEach((l) => counts.set(l, (counts.get(l) ?? 0) + 1));
      // Names only for real weights: with random ones a class name would suggest a meaning.
      const names = file ? classNamesFor(model.spec.classes, file.meta).names : null;
      const share = [...counts].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${names ? names[c] : `class ${c}`}: ${((100 * n) / labels.length).toFixed(1)}%`);
      log(`prediction: ${share.slice(0, 6).join(", ")}`);
      if (values.out) {
        if (!rgb) throw new UsageError("--out draws the prediction over the image: give an image (PNG/JPEG), not a .npy array");
        await writeFile(values.out, encodePng(w, h, overlayPixels(rgb.rgb, labels, 0.5)));
        log(`wrote ${values.out}`);
      }
    }
  } finally {
    Object.values(result).forEach((t) => t.dispose());
    input.dispose();
    model.dispose();
  }
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
  const { values } = parseArgs({
    args,
    options: {
      model: { type: "string", default: "fcn8s" },
      size: { type: "string" },
      width: { type: "string" },
      classes: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  const spec = modelSpec(values.model!, {
    width: parseNumber("width", values.width, 1),
    ...(values.classes ? { classes: Math.round(parseNumber("classes", values.classes, 21)) } : {}),
  });
  const [h, w] = values.size ? parseSize(values.size) : [spec.fixedInput ?? 500, spec.fixedInput ?? 500];
  const s = summarize(spec, h, w);
  process.stdout.write(values.json ? JSON.stringify(s, null, 2) + "\n" : formatSummary(s) + "\n");
}

async function convert(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { naming: { type: "string" }, dtype: { type: "string" } } });
  const [from, to] = positionals;
  if (!from || !to) throw new UsageError(`convert needs IN and OUT\n\n${USAGE}`);
  const naming = values.naming;
  if (naming !== undefined && !KERAS_NAMINGS.includes(naming as KerasNaming)) {
    throw new UsageError(`--naming must be one of ${KERAS_NAMINGS.join(", ")} (Keras .h5 output only), got "${naming}"`);
  }
  const dtype = values.dtype?.toUpperCase();
  if (dtype !== undefined && ((dtype !== "F16" && dtype !== "F32") || (await formatFromPath(to)) !== "safetensors")) {
    throw new UsageError(`--dtype F16 or F32 applies to safetensors output (OUT ending in .safetensors), got --dtype ${values.dtype} for ${to}`);
  }
  const file = await loadWeights(from);
  await writeWeights(to, file, undefined, { ...(naming && { kerasNaming: naming as KerasNaming }), ...(dtype && { dtype: dtype as "F16" | "F32" }) });
  log(`converted ${from} (${file.format}, ${file.params.size} tensors) -> ${to}`);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
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
