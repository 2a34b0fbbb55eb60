import * as path from "node:path";
import type { Attribute, Dataset, Group } from "h5wasm/node";
import { KERAS_VGG16_PREPROCESS } from "../preprocess.js";
import { WeightsFileError } from "./errors.js";
import { writeAtomically } from "./fsutil.js";
import { checkWritable } from "../io/files.js";
import { kerasDenseToTfjs, numel, shapeText, tfjsToKerasDense } from "./layout.js";
import { META_PREFIX, metaFromStrings, metaToStrings } from "./meta.js";
import { checkClassNames } from "./check.js";
import { caffeToKerasLayer, FC_INPUT_LAYER, kerasToCaffeLayer, kerasVgg16Layers, splitParamName } from "./names.js";
import type { HostParams, HostTensor, KerasNaming, WeightsFile, WeightsToWrite } from "./types.js";

/**
 * Keras' legacy HDF5 weights files (save_weights to .h5), e.g. the official
 * vgg16_weights_tf_dim_ordering_tf_kernels.h5 and its _notop variant:
 *
 *   /                      attr layer_names = [input_1, block1_conv1, ..., fc1, fc2, predictions]
 *   /block1_conv1          attr weight_names = [block1_conv1_W_1:0, block1_conv1_b_1:0]
 *   /block1_conv1/block1_conv1_W_1:0     (3, 3, 3, 64)   HWIO = tfjs conv layout
 *   /fc1/fc1_W_1:0                       (25088, 4096)   over NHWC-flattened 7x7x512
 *
 * weight_names entries are paths relative to the layer group, which covers every
 * writer's naming (see KerasNaming). Whole-model files (model.save) keep the same tree
 * under /model_weights.
 */

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

const H5T_FLOAT = 1;

export interface ReadKerasOptions {
  /** Large datasets are read in slices of about this many bytes (keeps the wasm heap small). */
  readonly chunkBytes?: number;
}

/** The Keras layer -> its datasets, as stored (kernel in Keras layout). */
interface RawLayer {
  readonly kerasName: string;
  kernel?: HostTensor;
  bias?: HostTensor;
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

/**
 * The weights of an open Keras HDF5 file (h5wasm's File, Node or browser build).
 * Shared by readKerasH5 (a path) and readWeightsBytes (bytes in memory).
 */
export function kerasWeightsFromH5(f: Group, file: string, opts: ReadKerasOptions = {}): WeightsFile {
  const root = weightsRoot(f, file);
  const layers = new Map<string, RawLayer>();
  for (const kerasName of readStringList(root, "layer_names", file)) {
    const g = root.get(kerasName);
    if (!isGroup(g)) throw new WeightsFileError(file, `${file}: layer_names lists "${kerasName}" but there is no group /${kerasName}`);
    const layer: RawLayer = { kerasName };
    for (const wn of readStringList(g, "weight_names", file)) {
      const ds = g.get(wn);
      const where = `${file}: /${kerasName}/${wn}`;
      if (!isDataset(ds)) throw new WeightsFileError(file, `${where}: listed in weight_names but not a dataset in the file`);
      const t = readFloatDataset(ds, where, opts.chunkBytes ?? 64 * 2 ** 20);
      // Keras orders [kernel, bias], but roles by rank survive any naming scheme.
      const role = t.shape.length === 1 ? "bias" : "kernel";
      if (t.shape.length !== 1 && t.shape.length !== 2 && t.shape.length !== 4) {
        throw new WeightsFileError(file, `${where}: ${shapeText(t.shape)} is neither a conv / Dense kernel nor a bias`);
      }
      if (layer[role]) {
        throw new WeightsFileError(file, `${where}: layer ${kerasName} has more than one ${role} (only Conv2D, Conv2DTranspose and Dense layers are supported)`);
      }
      layer[role] = t;
    }
    if (layer.kernel || layer.bias) layers.set(kerasToCaffeLayer(kerasName), layer);
  }
  const meta = metaFromStrings(readMetaAttrs(f), file);
  const params = toTfjsParams(layers, file);
  checkClassNames(params, meta, file);
  return {
    params,
    meta: meta.preprocess ? meta : { ...meta, preprocess: KERAS_VGG16_PREPROCESS },
    format: "keras-h5",
  };
}

function weightsRoot(f: Group, file: string): Group {
  if (hasAttrList(f, "layer_names")) return f;
  const mw = f.get("model_weights");
  if (isGroup(mw) && hasAttrList(mw, "layer_names")) return mw;
  const keys = f.keys();
  const hint = keys.includes("layers") || keys.includes("_layer_checkpoint_dependencies")
    ? " It looks like a Keras 3 `.weights.h5` file; save with the legacy format instead (model.save_weights('x.h5') in tf.keras 2, or keras.src.legacy.saving.legacy_h5_format in Keras 3)."
    : "";
  throw new WeightsFileError(
    file,
    `${file}: an HDF5 file, but not a Keras weights file (no layer_names attribute on / or /model_weights; top-level entries: ${keys.slice(0, 10).join(", ") || "none"}).${hint}`,
  );
}

function toTfjsParams(layers: Map<string, RawLayer>, file: string): HostParams {
  // A layer's output channels as stored: its bias length, else the kernel's last axis.
  const outChannels = (layer: string): number | undefined => {
    const l = layers.get(layer);
    return l?.bias?.shape[0] ?? l?.kernel?.shape[l.kernel.shape.length - 1];
  };
  const params: HostParams = new Map();
  for (const [layer, raw] of layers) {
    if (raw.kernel) {
      let k = raw.kernel;
      if (k.shape.length === 2) {
        const where = `${file}: Dense kernel of ${raw.kerasName} ${shapeText(k.shape)}`;
        const from = FC_INPUT_LAYER[layer];
        const c = from === undefined ? undefined : outChannels(from);
        if (c === undefined) {
          throw new WeightsFileError(
            file,
            `${where}: cannot unflatten it without the layer before it (${from ? caffeToKerasLayer(from) : "unknown for this layer"}) in the file`,
          );
        }
        try {
          k = kerasDenseToTfjs(k, c, where);
        } catch (e) {
          throw new WeightsFileError(file, (e as Error).message);
        }
      }
      params.set(`${layer}.weight`, k);
    }
    if (raw.bias) params.set(`${layer}.bias`, raw.bias);
  }
  return params;
}

function readFloatDataset(ds: Dataset, where: string, chunkBytes: number): HostTensor {
  const m = ds.metadata;
  const shape = ds.shape ?? [];
  if (m.type !== H5T_FLOAT || (m.size !== 4 && m.size !== 8)) {
    throw new Error(`${where}: expected float32 or float64 data, found HDF5 type class ${m.type} of ${m.size} bytes`);
  }
  const n = numel(shape);
  const row = shape.length > 1 ? numel(shape.slice(1)) : 1;
  if (n * m.size <= chunkBytes || shape.length === 0) return { shape, data: asFloat32(ds.value, where) };
  // fc1 alone is 411 MB: slicing along axis 0 avoids a second full copy inside the wasm heap.
  const out = new Float32Array(n);
  const rows = Math.max(1, Math.floor(chunkBytes / (row * m.size)));
  const rest = shape.slice(1).map((): [] => []);
  for (let r0 = 0; r0 < shape[0]!; r0 += rows) {
    const r1 = Math.min(shape[0]!, r0 + rows);
    out.set(asFloat32(ds.slice([[r0, r1], ...rest]), where), r0 * row);
  }
  return { shape, data: out };
}

function asFloat32(v: unknown, where: string): Float32Array {
  if (v instanceof Float32Array) return v;
  if (v instanceof Float64Array) return Float32Array.from(v);
  throw new Error(`${where}: could not read the data as floats`);
}

function hasAttrList(g: Group, name: string): boolean {
  const attrs = g.attrs;
  return name in attrs || `${name}0` in attrs;
}

/**
 * A Keras string-list attribute: fixed-length byte strings in files written by h5py
 * (numpy 'S' arrays), variable-length in some other writers. Keras splits lists over
 * 64 KB into `<name>0`, `<name>1`, ...; an empty list is stored as an empty float array.
 */
function readStringList(g: Group, name: string, file: string): string[] {
  const attrs = g.attrs;
  const parts: Attribute[] = [];
  if (name in attrs) parts.push(attrs[name]!);
  else for (let i = 0; `${name}${i}` in attrs; i++) parts.push(attrs[`${name}${i}`]!);
  const out: string[] = [];
  for (const a of parts) {
    const v = a.value;
    if (v === null || (ArrayBuffer.isView(v) && (v as Float64Array).length === 0)) continue;
    const items = Array.isArray(v) ? v : [v];
    for (const s of items) {
      if (typeof s === "string") out.push(s.replace(/[\0 ]+$/, ""));
      else if (s instanceof Uint8Array) out.push(new TextDecoder().decode(s).replace(/[\0 ]+$/, ""));
      else throw new WeightsFileError(file, `${file}: attribute ${name} of ${g.path} is not a list of strings`);
    }
  }
  return out;
}

function readMetaAttrs(f: Group): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, a] of Object.entries(f.attrs)) {
    if (!k.startsWith(META_PREFIX)) continue;
    const v = a.value;
    if (typeof v === "string") out[k] = v;
  }
  return out;
}

function isGroup(x: unknown): x is Group {
  return !!x && (x as Group).type === "Group";
}

function isDataset(x: unknown): x is Dataset {
  return !!x && (x as Dataset).type === "Dataset";
}

// --- writing ---

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
