/**
 * Weights files on disk (Node): each format read from and written to a path. The
 * formats themselves (parsing, layouts, names, metadata) live in the modules beside this
 * one and work on bytes in memory, so they run in browsers too (readWeightsBytes);
 * this module and index.ts are the only ones in src/weights/ that touch the file system.
 */
import { promises as fsp, type Stats } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import * as path from "node:path";
import type { Group } from "h5wasm";
import { checkWritable, ensureDir, writeFileAtomic } from "../io/files.js";
import { looksLikeCaffemodel, readCaffemodelFrom } from "./caffemodel.js";
import { describeNonWeights, HDF5_SIGNATURE, HEAD_BYTES, looksLikeSafetensors } from "./detect.js";
import { WeightsFileError } from "./errors.js";
import { isGroup, kerasWeightsFromH5, type ReadKerasOptions } from "./keras-h5.js";
import { assertLittleEndianHost, bytesOf, f32ToF16, numel, shapeText, tfjsToKerasDense, tfjsToTorch } from "./layout.js";
import { metaToStrings } from "./meta.js";
import { caffeToKerasLayer, kerasToCaffeLayer, kerasVgg16Layers, splitParamName } from "./names.js";
import { MAX_HEADER_BYTES, parseHeader, safetensorsHeaderProblem, safetensorsToWeights, toFloat32, type RawSafetensors } from "./safetensors.js";
import { DEFAULT_SHARD_BYTES, MODEL_JSON, TFJS_FORMAT_TAG, tfjsWeightsFromJson } from "./tfjs-format.js";
import { ACCEPTED_FORMATS_TEXT, type HostTensor, type KerasNaming, type WeightsFile, type WeightsFormat, type WeightsToWrite } from "./types.js";

// ---------------------------------------------------------------------------------
// Paths: stat with a sentence, positional reads, atomic writes.

/** stat() that turns "no such file" into a sentence instead of an ENOENT stack. */
export async function statWeightsPath(p: string): Promise<Stats> {
  try {
    return await fsp.stat(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new WeightsFileError(p, `weights file not found: ${p}`, { cause: e });
    if (code === "EACCES" || code === "EPERM") throw new WeightsFileError(p, `cannot read weights file ${p}: permission denied`, { cause: e });
    throw e;
  }
}

/** Reads exactly `length` bytes at `offset` into a fresh, 8-byte-aligned buffer. */
export async function readRange(fh: FileHandle, offset: number, length: number, where: string): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, offset + done);
    if (bytesRead === 0) throw new WeightsFileError(where, `${where}: file ends early (wanted ${length} bytes at offset ${offset})`);
    done += bytesRead;
  }
  return buf;
}

/**
 * Writes through a temporary file in the same directory, then renames: a failed or
 * interrupted write never leaves a half-written weights file under the real name.
 * Failures name `target` and the cause (see writeFileAtomic).
 */
export async function writeAtomically(target: string, write: (tmp: string) => Promise<void>): Promise<void> {
  await writeFileAtomic(target, write);
}

// ---------------------------------------------------------------------------------
// Any format: which one a file holds.

/**
 * The format of a weights file, from its content (extensions lie: a Keras file may be
 * called .weights, a safetensors file .bin). A directory is a tfjs weights directory.
 */
export async function detectWeightsFormat(p: string): Promise<WeightsFormat> {
  const st = await statWeightsPath(p);
  if (st.isDirectory()) {
    await modelJsonPath(p);
    return "tfjs";
  }
  const fh = await fsp.open(p, "r");
  try {
    const head = new Uint8Array(Math.min(st.size, HEAD_BYTES));
    await fh.read(head, 0, head.length, 0);
    if (await hasHdf5Signature(fh, st.size, head)) return "keras-h5";
    if (looksLikeSafetensors(head, st.size)) return "safetensors";
    const broken = safetensorsHeaderProblem(head, st.size, p);
    if (broken) throw new WeightsFileError(p, broken);
    const firstChar = new TextDecoder().decode(head.subarray(0, 64)).trimStart()[0];
    if (firstChar === "{") return "tfjs";
    if (looksLikeCaffemodel(head, st.size)) return "caffemodel";
    throw new WeightsFileError(p, `${p} is not a weights file this tool reads${describeNonWeights(head, p)}. Accepted: ${ACCEPTED_FORMATS_TEXT}.`);
  } finally {
    await fh.close();
  }
}

/** HDF5 puts its superblock at 0, or after a user block of 512, 1024, 2048, ... bytes. */
async function hasHdf5Signature(fh: fsp.FileHandle, size: number, head: Uint8Array): Promise<boolean> {
  const at = (b: Uint8Array) => HDF5_SIGNATURE.every((x, i) => b[i] === x);
  if (at(head)) return true;
  const buf = new Uint8Array(8);
  for (let off = 512; off + 8 <= size && off <= 1 << 20; off *= 2) {
    await fh.read(buf, 0, 8, off);
    if (at(buf)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------
// safetensors

/** Reads every tensor of a safetensors file as float32, layouts untouched. */
export async function readSafetensorsRaw(file: string): Promise<RawSafetensors> {
  assertLittleEndianHost();
  const fh = await fsp.open(file, "r");
  try {
    const size = (await fh.stat()).size;
    if (size < 8) throw new WeightsFileError(file, `${file}: too short to be a safetensors file (${size} bytes)`);
    const head = await readRange(fh, 0, Math.min(size, 16), file);
    const n = Number(new DataView(head.buffer).getBigUint64(0, true));
    if (n > MAX_HEADER_BYTES || 8 + n > size) {
      throw new WeightsFileError(file, safetensorsHeaderProblem(head, size, file) ?? `${file}: not a safetensors file (header length ${n} does not fit in ${size} bytes)`);
    }
    const header = new TextDecoder().decode(await readRange(fh, 8, n, file));
    const { entries, metadata } = parseHeader(header, size - 8 - n, file);
    const tensors: RawSafetensors["tensors"] = new Map();
    // One tensor at a time, straight from the file: peak memory stays near the output's.
    for (const e of entries) {
      const bytes = await readRange(fh, 8 + n + e.begin, e.end - e.begin, file);
      tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: toFloat32(bytes, e.dtype) });
    }
    return { tensors, metadata };
  } finally {
    await fh.close();
  }
}

/**
 * Writes float32 tensors as given (no layout change), with string metadata, stored as
 * F32 or (halving the file) F16; readers convert F16 back to float32.
 */
export async function writeSafetensorsRaw(
  file: string,
  tensors: ReadonlyMap<string, HostTensor>,
  metadata: Record<string, string> = {},
  dtype: "F32" | "F16" = "F32",
): Promise<void> {
  assertLittleEndianHost();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const payload: Uint8Array[] = [];
  for (const [name, t] of tensors) {
    if (name === "__metadata__") throw new Error(`"__metadata__" cannot be a tensor name`);
    if (numel(t.shape) !== t.data.length) {
      throw new Error(`tensor ${name}: shape ${shapeText(t.shape)} holds ${numel(t.shape)} values, data has ${t.data.length}`);
    }
    const bytes = dtype === "F16" ? new Uint8Array(f32ToF16(t.data).buffer) : bytesOf(t.data);
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.byteLength] };
    payload.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  json += " ".repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(headerBytes.length), true);

  await writeAtomically(file, async (tmp) => {
    const fh = await fsp.open(tmp, "w");
    try {
      await fh.write(prefix);
      await fh.write(headerBytes);
      for (const bytes of payload) await fh.write(bytes);
    } finally {
      await fh.close();
    }
  });
}

/**
 * A safetensors file as model parameters in tfjs layout. 4-D weights are PyTorch conv
 * / ConvTranspose tensors; 2-D weights are Linear layers over a CHW-flattened input
 * (torchvision's fc6 is (4096, 25088) over pool5's 512 x 7 x 7). torchvision names
 * (features.0.weight, classifier.0.weight) are renamed to the Caffe ones.
 */
export async function readSafetensorsWeights(file: string): Promise<WeightsFile> {
  return { ...safetensorsToWeights(await readSafetensorsRaw(file), file), source: file };
}

/** Writes parameters (tfjs layout) as PyTorch-layout safetensors with the metadata. */
export async function writeSafetensorsWeights(file: string, w: WeightsToWrite, o: { dtype?: "F32" | "F16" } = {}): Promise<void> {
  const tensors = new Map<string, HostTensor>();
  for (const [name, t] of w.params) {
    if (t.shape.length === 4) tensors.set(name, tfjsToTorch(t));
    else if (t.shape.length === 1) tensors.set(name, t);
    else throw new Error(`cannot write ${name} ${shapeText(t.shape)}: parameters are 4-D weights or 1-D biases`);
  }
  // "format": "pt" is what PyTorch's safetensors helpers write and look for.
  await writeSafetensorsRaw(file, tensors, { format: "pt", ...metaToStrings(w.meta) }, o.dtype ?? "F32");
}

// ---------------------------------------------------------------------------------
// tfjs: model.json and its shards

/** `model.json` for a directory, the path itself otherwise. */
export async function modelJsonPath(p: string): Promise<string> {
  const st = await statWeightsPath(p);
  if (!st.isDirectory()) return p;
  const json = path.join(p, MODEL_JSON);
  try {
    await fsp.access(json);
  } catch {
    throw new WeightsFileError(p, `${p} is a directory without a ${MODEL_JSON}: a tfjs weights directory holds model.json and its .bin shards`);
  }
  return json;
}

export async function readTfjsWeights(p: string): Promise<WeightsFile> {
  assertLittleEndianHost();
  const jsonPath = await modelJsonPath(p);
  const dir = path.dirname(jsonPath);
  let json: unknown;
  try {
    json = JSON.parse(await fsp.readFile(jsonPath, "utf8"));
  } catch (e) {
    throw new WeightsFileError(jsonPath, `${jsonPath}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const readShard = async (s: unknown): Promise<Uint8Array> => {
    const file = shardPath(dir, s, jsonPath);
    try {
      return new Uint8Array(await fsp.readFile(file));
    } catch (e) {
      throw new WeightsFileError(jsonPath, `${jsonPath}: cannot read weight shard ${file} (${(e as NodeJS.ErrnoException).code ?? e})`, { cause: e });
    }
  };
  return { ...(await tfjsWeightsFromJson(json, readShard, jsonPath)), source: p };
}

function shardPath(dir: string, s: unknown, jsonPath: string): string {
  if (typeof s !== "string" || /^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    throw new WeightsFileError(jsonPath, `${jsonPath}: shard path ${JSON.stringify(s)} is not a local file name`);
  }
  return path.resolve(dir, s);
}

export interface WriteTfjsOptions {
  readonly shardBytes?: number;
}

/**
 * Writes `dir/model.json` (or the given .json path) and its shards next to it. Shards
 * are written first and model.json last, so an interrupted write never leaves a
 * model.json pointing at missing shards.
 */
export async function writeTfjsWeights(
  p: string,
  w: WeightsToWrite,
  opts: WriteTfjsOptions = {},
): Promise<void> {
  assertLittleEndianHost();
  const shardBytes = opts.shardBytes ?? DEFAULT_SHARD_BYTES;
  if (!(shardBytes >= 4) || !Number.isInteger(shardBytes)) throw new Error(`shardBytes must be an integer >= 4, got ${shardBytes}`);
  const isJson = p.toLowerCase().endsWith(".json");
  const dir = isJson ? path.dirname(p) : p;
  const jsonPath = isJson ? p : path.join(p, MODEL_JSON);
  await ensureDir(dir);

  const tensors = [...w.params];
  for (const [name, t] of tensors) {
    if (numel(t.shape) !== t.data.length) throw new Error(`${name}: shape ${shapeText(t.shape)} does not match its ${t.data.length} values`);
  }
  const total = tensors.reduce((n, [, t]) => n + t.data.byteLength, 0);
  const nShards = Math.max(1, Math.ceil(total / shardBytes));
  const names = Array.from({ length: nShards }, (_, i) => `group1-shard${i + 1}of${nShards}.bin`);

  // Cut the concatenated bytes into shards without ever holding the concatenation.
  let ti = 0;
  let tpos = 0;
  for (let s = 0; s < nShards; s++) {
    const shard = new Uint8Array(Math.min(shardBytes, total - s * shardBytes));
    let filled = 0;
    while (filled < shard.length) {
      const src = bytesOf(tensors[ti]![1].data);
      const n = Math.min(shard.length - filled, src.length - tpos);
      shard.set(src.subarray(tpos, tpos + n), filled);
      filled += n;
      tpos += n;
      if (tpos === src.length) {
        ti++;
        tpos = 0;
      }
    }
    await writeFileAtomic(path.join(dir, names[s]!), shard);
  }
  await removeStaleShards(dir, names);

  const modelJson = {
    format: TFJS_FORMAT_TAG,
    generatedBy: "fcn-viz",
    modelTopology: null,
    fcnViz: w.meta,
    weightsManifest: [
      {
        paths: names,
        weights: tensors.map(([name, t]) => ({ name, shape: [...t.shape], dtype: "float32" })),
      },
    ],
  };
  await writeAtomically(jsonPath, (tmp) => fsp.writeFile(tmp, JSON.stringify(modelJson, null, 1)));
}

/** Shards of an earlier, larger save into the same directory would otherwise linger. */
async function removeStaleShards(dir: string, keep: readonly string[]): Promise<void> {
  for (const f of await fsp.readdir(dir)) {
    if (/^group1-shard\d+of\d+\.bin$/.test(f) && !keep.includes(f)) await fsp.rm(path.join(dir, f), { force: true });
  }
}

// ---------------------------------------------------------------------------------
// Keras HDF5 (h5wasm's Node build: real files)

type H5 = typeof import("h5wasm/node").default;
let h5Promise: Promise<H5> | undefined;

/** h5wasm's wasm module loads on first use only: other formats never pay for it. */
async function loadH5(): Promise<H5> {
  h5Promise ??= import("h5wasm/node").then(async (m) => {
    await m.default.ready;
    return m.default;
  });
  return h5Promise;
}

export async function readKerasH5(file: string, opts: ReadKerasOptions = {}): Promise<WeightsFile> {
  const h5 = await loadH5();
  const abs = path.resolve(file);
  let f: InstanceType<H5["File"]>;
  try {
    // HDF5's complaints as an exception, not pages of HDF5-DIAG on stderr.
    f = await withHdf5Errors(h5, () => new h5.File(abs, "r"));
    if (Number(f.file_id) < 0) throw new Error("the HDF5 library could not open it");
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new WeightsFileError(file, `${file}: cannot be opened as HDF5 (${why})${/truncat/.test(why) ? "" : ": a damaged file?"}`, { cause: e });
  }
  try {
    return { ...kerasWeightsFromH5(f, file, opts), source: file };
  } finally {
    f.close();
  }
}

const KERAS_VERSION: Record<KerasNaming, string> = { keras1: "1.2.2", "tf-keras2": "2.15.0", keras3: "3.6.0" };

function weightName(layer: string, role: "kernel" | "bias", naming: KerasNaming): string {
  switch (naming) {
    case "keras1":
      return `${layer}_${role === "kernel" ? "W" : "b"}_1:0`;
    case "tf-keras2":
      return `${layer}/${role}:0`;
    case "keras3":
      return `${layer}/${role}`;
  }
}

/**
 * Writes parameters as a Keras legacy HDF5 weights file. VGG16's layers get Keras'
 * names (block1_conv1 ..., fc1, fc2, predictions; fc kernels flattened to Dense
 * (k*k*C, out)) and the weightless layers appear in layer_names as Keras lists them;
 * other layers (score_fr, upscore2, ...) keep their names, with kernels in Keras'
 * Conv2D / Conv2DTranspose layouts (which are tfjs's). WeightsMeta goes into root
 * attributes `fcn_viz.*`, which Keras ignores.
 */
export async function writeKerasH5(
  file: string,
  w: WeightsToWrite,
  naming: KerasNaming = "tf-keras2",
): Promise<void> {
  const layers = new Map<string, { weight?: HostTensor; bias?: HostTensor }>();
  for (const [name, t] of w.params) {
    const parts = splitParamName(name);
    if (!parts) throw new Error(`cannot write "${name}" to a Keras file: parameter names are <layer>.weight / <layer>.bias`);
    if (numel(t.shape) !== t.data.length) throw new Error(`${name}: shape ${shapeText(t.shape)} does not match its ${t.data.length} values`);
    const l = layers.get(parts.layer) ?? {};
    l[parts.role] = t;
    layers.set(parts.layer, l);
  }

  const order: string[] = [];
  if (layers.has("conv1_1")) {
    for (const k of kerasVgg16Layers()) {
      const caffe = kerasToCaffeLayer(k);
      const weightless = k === "input_1" || k === "flatten" || k.endsWith("_pool");
      if (weightless ? k !== "flatten" || layers.has("fc6") : layers.has(caffe)) order.push(k);
    }
  }
  for (const layer of layers.keys()) {
    const k = caffeToKerasLayer(layer);
    if (!order.includes(k)) order.push(k);
  }

  const h5 = await loadH5();
  // HDF5 cannot say why a file cannot be created (and h5wasm does not throw then: it
  // prints pages of HDF5-DIAG and hands back file_id -1), so the OS is asked first.
  await checkWritable(file);
  await writeAtomically(path.resolve(file), async (tmp) => withHdf5Errors(h5, () => {
    const f = new h5.File(tmp, "w");
    if (Number(f.file_id) < 0) throw new Error("the HDF5 library could not create the file");
    try {
      writeFixedStrings(f, "layer_names", order);
      f.create_attribute("backend", "tensorflow", null, "A10");
      f.create_attribute("keras_version", KERAS_VERSION[naming], null, `A${KERAS_VERSION[naming].length}`);
      for (const [k, v] of Object.entries(metaToStrings(w.meta))) f.create_attribute(k, v);
      for (const k of order) {
        const g = f.create_group(k);
        const l = layers.get(kerasToCaffeLayer(k));
        const names: string[] = [];
        const put = (role: "kernel" | "bias", t: HostTensor) => {
          const wn = weightName(k, role, naming);
          // Nested names (tf.keras 2, Keras 3) live in a subgroup named after the layer.
          const dir = wn.includes("/") ? wn.slice(0, wn.lastIndexOf("/")) : "";
          if (dir && !isGroup(g.get(dir))) g.create_group(dir);
          g.create_dataset({ name: wn, data: t.data, shape: [...t.shape], dtype: "<f" });
          names.push(wn);
        };
        if (l?.weight) {
          const isDense = k === "fc1" || k === "fc2" || k === "predictions";
          put("kernel", isDense && l.weight.shape.length === 4 ? tfjsToKerasDense(l.weight) : l.weight);
        }
        if (l?.bias) put("bias", l.bias);
        writeFixedStrings(g, "weight_names", names);
      }
    } finally {
      f.close();
    }
  }));
}

type H5Module = { activate_throwing_error_handler(): number; deactivate_throwing_error_handler(): number };

/**
 * Runs HDF5 calls with its errors thrown as exceptions (first line kept by the caller's
 * OutputError) instead of printed to stderr as HDF5-DIAG pages, which bypass Node's
 * streams (h5wasm writes them straight to fd 2). Restores the printing handler after.
 */
async function withHdf5Errors<T>(h5: H5, run: () => T): Promise<T> {
  const module = (await h5.ready) as unknown as H5Module;
  module.activate_throwing_error_handler();
  try {
    return run();
  } catch (e) {
    // The thrown text is the whole HDF5 error stack: keep its last, most specific line.
    const lines = String(e instanceof Error ? e.message : e).split("\n").map((l) => l.trim()).filter(Boolean);
    const minor = lines.filter((l) => l.startsWith("minor:")).pop()?.replace(/^minor:\s*/, "");
    throw new Error(minor ? `HDF5: ${minor.toLowerCase()}` : lines[0] ?? "HDF5 error", { cause: e });
  } finally {
    module.deactivate_throwing_error_handler();
  }
}

/** As h5py stores numpy byte-string arrays: fixed length, ASCII; an empty list as an empty float array. */
function writeFixedStrings(g: Group, name: string, items: readonly string[]): void {
  if (items.length === 0) {
    g.create_attribute(name, new Float64Array(0), [0], "<d");
    return;
  }
  const len = Math.max(...items.map((s) => Buffer.byteLength(s)));
  g.create_attribute(name, [...items], [items.length], `A${len}`);
}

// ---------------------------------------------------------------------------------
// .caffemodel (read only)

/** Reads a .caffemodel from disk: positional reads, no whole-file buffer. */
export async function readCaffemodel(file: string): Promise<WeightsFile> {
  const fh = await fsp.open(file, "r");
  try {
    return { ...(await readCaffemodelFrom(fh, (await fh.stat()).size, file)), source: file };
  } finally {
    await fh.close();
  }
}
