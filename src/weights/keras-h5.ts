import type { Attribute, Dataset, Group } from "h5wasm";
import { KERAS_VGG16_PREPROCESS } from "../preprocess.js";
import { WeightsFileError } from "./errors.js";
import { kerasDenseToTfjs, numel, shapeText } from "./layout.js";
import { META_PREFIX, metaFromStrings } from "./meta.js";
import { checkClassNames } from "./check.js";
import { caffeToKerasLayer, FC_INPUT_LAYER, kerasToCaffeLayer } from "./names.js";
import type { HostParams, HostTensor, WeightsFile } from "./types.js";

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
 *
 * This module reads an open HDF5 file (h5wasm's File, Node or browser build); opening
 * one on disk and writing one: readKerasH5 / writeKerasH5 in files.ts.
 */

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

/**
 * The weights of an open Keras HDF5 file (h5wasm's File, Node or browser build).
 * Shared by readKerasH5 (files.ts: a path) and readWeightsBytes (bytes in memory).
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

export function isGroup(x: unknown): x is Group {
  return !!x && (x as Group).type === "Group";
}

function isDataset(x: unknown): x is Dataset {
  return !!x && (x as Dataset).type === "Dataset";
}
