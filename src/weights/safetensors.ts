import { WeightsFileError } from "./errors.js";
import { assertLittleEndianHost, bf16ToF32, f16ToF32, numel, shapeText, torchLinearToTfjs, torchToTfjs } from "./layout.js";
import { metaFromStrings } from "./meta.js";
import { checkClassNames } from "./check.js";
import { FC_INPUT_LAYER, splitParamName, torchvisionToCaffeLayer } from "./names.js";
import type { HostParams, HostTensor, WeightsFile, WeightsToWrite } from "./types.js";
import type { Preprocess } from "../preprocess.js";

/**
 * safetensors: 8-byte little-endian header length N, N bytes of JSON
 *   {"<name>": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
 *    "__metadata__": {"<key>": "<string>"}}
 * then the raw little-endian tensor bytes (offsets relative to the end of the header).
 *
 * Tensors are named after the Caffe layers (`conv1_1.weight`) and stored in PyTorch
 * layout: conv (out, in, kH, kW), ConvTranspose (in, out, kH, kW), Linear (out, in).
 * Files on disk (read a tensor at a time, written atomically): files.ts.
 */

export type SafetensorsDtype = "F32" | "F16" | "BF16" | "F64";

const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

/** The safetensors format caps headers at 100 MB; anything larger is not a safetensors file. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface RawSafetensors {
  /** In the file's own layout, converted to float32. */
  readonly tensors: Map<string, HostTensor & { readonly dtype: SafetensorsDtype }>;
  readonly metadata: Record<string, string>;
}

export interface Entry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/**
 * A safetensors file whose header length is wrong: it starts like one (a little-endian
 * length, then a JSON object "{"...") but the length does not fit. Says what is wrong
 * instead of "not a weights file"; null when it does not start like safetensors.
 */
export function safetensorsHeaderProblem(head: Uint8Array, size: number, p: string): string | null {
  if (head.length < 10 || head[8] !== 0x7b || !(head[9] === 0x22 || head[9] === 0x20 || head[9] === 0x0a || head[9] === 0x7d)) return null;
  const n = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  const exp = n > 0n ? ` (2^${(n.toString(2).length - 1)}${n & (n - 1n) ? "+" : ""})` : "";
  if (n > BigInt(MAX_HEADER_BYTES)) {
    return `${p} is a corrupt safetensors file: its header length field says ${n} bytes${exp}, more than any safetensors header may be (100 MB) and than the file (${size} bytes). Download or export it again.`;
  }
  if (8n + n > BigInt(size)) {
    return `${p} is a truncated safetensors file: its header is ${n} bytes long but the file ends after ${Math.max(0, size - 8)} of them (${size} bytes in all; an interrupted download or copy?). Download or export it again.`;
  }
  return null;
}

/**
 * Every tensor of a safetensors file held in memory (a browser's File, a fetch
 * response) as float32, layouts untouched; readSafetensorsRaw (files.ts) reads one from
 * disk a tensor at a time. `where` names it in errors.
 */
export function parseSafetensorsBytes(bytes: Uint8Array, where: string): RawSafetensors {
  assertLittleEndianHost();
  const size = bytes.byteLength;
  if (size < 8) throw new WeightsFileError(where, `${where}: too short to be a safetensors file (${size} bytes)`);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n > MAX_HEADER_BYTES || 8 + n > size) {
    throw new WeightsFileError(where, safetensorsHeaderProblem(bytes.subarray(0, 16), size, where) ?? `${where}: not a safetensors file (header length ${n} does not fit in ${size} bytes)`);
  }
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  const { entries, metadata } = parseHeader(header, size - 8 - n, where);
  const tensors: RawSafetensors["tensors"] = new Map();
  for (const e of entries) {
    // slice() copies into a fresh buffer at offset 0: typed views over it are aligned.
    const data = bytes.slice(8 + n + e.begin, 8 + n + e.end);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: toFloat32(data, e.dtype) });
  }
  return { tensors, metadata };
}

/** The header's tensors (checked against the data's size) and string metadata. */
export function parseHeader(text: string, dataBytes: number, file: string): { entries: Entry[]; metadata: Record<string, string> } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new WeightsFileError(file, `${file}: not a safetensors file (its header is not JSON)`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new WeightsFileError(file, `${file}: not a safetensors file (its header is not a JSON object)`);
  }
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, v] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") {
      for (const [k, s] of Object.entries((v ?? {}) as Record<string, unknown>)) {
        if (typeof s !== "string") throw new WeightsFileError(file, `${file}: __metadata__.${k} must be a string`);
        metadata[k] = s;
      }
      continue;
    }
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const bad = (why: string) => new WeightsFileError(file, `${file}: tensor "${name}": ${why}`);
    if (typeof e.dtype !== "string") throw bad("no dtype");
    if (!(e.dtype in DTYPE_BYTES)) throw bad(`dtype ${e.dtype} is not a float type (F32, F16, BF16, F64 can be read)`);
    const dtype = e.dtype as SafetensorsDtype;
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(`bad shape ${JSON.stringify(e.shape)}`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isInteger(x) && x >= 0)) {
      throw bad(`bad data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    const shape = e.shape as number[];
    if (end - begin !== numel(shape) * DTYPE_BYTES[dtype]) {
      throw bad(`data_offsets [${begin}, ${end}] hold ${end - begin} bytes, ${dtype} ${shapeText(shape)} needs ${numel(shape) * DTYPE_BYTES[dtype]}`);
    }
    if (end > dataBytes) throw bad(`data_offsets end ${end} is past the end of the file's data (${dataBytes} bytes)`);
    entries.push({ name, dtype, shape, begin, end });
  }
  return { entries, metadata };
}

/** One tensor's bytes as float32. */
export function toFloat32(bytes: Uint8Array, dtype: SafetensorsDtype): Float32Array {
  // `bytes` owns a fresh ArrayBuffer at offset 0, so typed views are aligned.
  switch (dtype) {
    case "F32":
      return new Float32Array(bytes.buffer, 0, bytes.byteLength / 4);
    case "F64":
      return Float32Array.from(new Float64Array(bytes.buffer, 0, bytes.byteLength / 8));
    case "F16":
      return f16ToF32(new Uint16Array(bytes.buffer, 0, bytes.byteLength / 2));
    case "BF16":
      return bf16ToF32(new Uint16Array(bytes.buffer, 0, bytes.byteLength / 2));
  }
}

/** torchvision's ImageNet normalization (RGB, 0..1, mean/std), for torchvision-named files. */
export const TORCHVISION_PREPROCESS: Preprocess = {
  channelOrder: "RGB",
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  source: "torchvision ImageNet models: RGB, 0..1, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225)",
};

/** Raw safetensors tensors (PyTorch layout, any naming) as model parameters in tfjs layout. */
export function safetensorsToWeights(raw: RawSafetensors, file: string): WeightsFile {
  let torchvision = false;
  const byName = new Map<string, HostTensor>();
  for (const [name, t] of raw.tensors) {
    let key = name;
    const parts = splitParamName(name);
    const renamed = parts && torchvisionToCaffeLayer(parts.layer);
    if (parts && renamed) {
      key = `${renamed}.${parts.role}`;
      torchvision = true;
    }
    if (byName.has(key)) throw new WeightsFileError(file, `${file}: two tensors map to ${key} (one is "${name}")`);
    byName.set(key, { shape: t.shape, data: t.data });
  }

  // Output channels of a layer as stored: dim 0 of a conv or Linear weight, or the bias length.
  const outChannels = (layer: string): number | undefined =>
    byName.get(`${layer}.bias`)?.shape[0] ?? byName.get(`${layer}.weight`)?.shape[0];

  const params: HostParams = new Map();
  for (const [name, t] of byName) {
    const where = `${file}: tensor ${name} ${shapeText(t.shape)}`;
    const parts = splitParamName(name);
    if (t.shape.length === 4) {
      params.set(name, torchToTfjs(t));
    } else if (t.shape.length === 2 && parts?.role === "weight") {
      const from = FC_INPUT_LAYER[parts.layer];
      const c = from === undefined ? undefined : outChannels(from);
      if (c === undefined) {
        throw new WeightsFileError(
          file,
          `${where}: a 2-D (Linear) weight can only be read when the file also holds the layer before it ` +
            `(${from ?? "unknown for this layer"}), whose channel count unflattens its input`,
        );
      }
      try {
        params.set(name, torchLinearToTfjs(t, c, where));
      } catch (e) {
        throw new WeightsFileError(file, (e as Error).message);
      }
    } else if (t.shape.length === 1) {
      params.set(name, t);
    } else {
      throw new WeightsFileError(file, `${where}: expected a 4-D conv weight, a 2-D Linear weight or a 1-D bias`);
    }
  }

  let meta = metaFromStrings(raw.metadata, file, ["format"]);
  if (torchvision && meta.preprocess === undefined) meta = { ...meta, preprocess: TORCHVISION_PREPROCESS };
  checkClassNames(params, meta, file);
  return { params, meta, format: "safetensors" };
}
