/**
 * A .caffemodel WRITER for tests and fixtures, written from Caffe's caffe.proto and
 * sharing no code with the reader (src/weights/caffemodel.ts): files as the authors
 * published them.
 *
 *   form "layer": the current NetParameter.layer (field 100) form of the FCN releases:
 *     BlobShape dims, fc6/fc7 as Convolution (4096, 512, 7, 7), Deconvolution weights
 *     (in, out, k, k) without a bias blob; with `snapshot`, the weightless layers a
 *     training snapshot holds (Python data layer, ReLU, Pooling, Dropout, Crop, Eltwise,
 *     SoftmaxWithLoss).
 *   form "v1": the deprecated NetParameter.layers (field 2) form of the VGG authors' 2014
 *     release: legacy 4-D dims (num, channels, height, width), layer types as enums, fc6
 *     as an InnerProduct (1, 1, 4096, 25088) over pool5 flattened in (c, h, w) order,
 *     biases (1, 1, 1, out).
 *
 * Layout conversion (tfjs -> Caffe) is the plain 4-D index loop of the definitions, on
 * purpose: the reader's cache-blocked conversion is checked against it.
 */
import { promises as fsp } from "node:fs";
import { modelSpec } from "../../src/models/index.js";
import { paramSpecs } from "../../src/net/params.js";
import type { ModelName, NetSpec } from "../../src/net/spec.js";
import { widthFromConv1 } from "../../src/vgg16.js";
import type { HostParams, HostTensor } from "../../src/weights/types.js";

export type CaffeModelKind = "vgg16" | "fcn32s" | "fcn16s" | "fcn8s";

export interface CaffemodelOptions {
  readonly form: "layer" | "v1";
  readonly model: CaffeModelKind;
  /** The at-once FCN-8s: Scale layers scale_pool4 (x0.01) and scale_pool3 (x0.0001), "layer" form only. */
  readonly atOnce?: boolean;
  /** Add the weightless layers a training snapshot holds. */
  readonly snapshot?: boolean;
  /** NetParameter.name (default: none for the FCNs, as their snapshots; "VGG_ILSVRC_16_layers" for VGG16). */
  readonly name?: string;
  /** Test knobs: floats as unpacked repeated fixed32 fields, or as double_data. */
  readonly encoding?: "packed" | "unpacked" | "double";
  /** Test knob: layers appended as given (Caffe layout dims), e.g. an unknown type with blobs. */
  readonly extraLayers?: readonly ExtraLayer[];
  /** Test knob: the at-once Scale layers' factors (default 0.01 and 0.0001). */
  readonly scaleFactors?: { readonly pool4: number; readonly pool3: number };
}

export interface ExtraLayer {
  readonly name: string;
  /** A string (form "layer") or a V1 enum number (form "v1"). */
  readonly type: string | number;
  readonly blobs: readonly { readonly dims: readonly number[]; readonly data: Float32Array }[];
}

/** A whole .caffemodel in memory (small nets). `params`: tfjs layout, the project's names. */
export function caffemodelBytes(params: HostParams, o: CaffemodelOptions): Uint8Array {
  const pieces = netPieces(layersFromParams(params, o), o);
  const out = new Uint8Array(totalSize(pieces));
  let at = 0;
  for (const bytes of emit(pieces)) {
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

/** The same file written to disk piece by piece: one converted tensor in memory at a time. */
export async function writeCaffemodelFile(path: string, params: HostParams, o: CaffemodelOptions): Promise<void> {
  await writePieces(path, netPieces(layersFromParams(params, o), o));
}

export interface RandomCaffemodelOptions {
  readonly width?: number;
  /** Default 21 for the FCNs, 1000 for VGG16. */
  readonly classes?: number;
  /** Default as published: "layer" for the FCNs, "v1" for VGG16. */
  readonly form?: "layer" | "v1";
  readonly atOnce?: boolean;
  readonly seed?: number;
  /** Default true: the published files are snapshots with their weightless layers. */
  readonly snapshot?: boolean;
}

/**
 * Random weights of the right shapes straight to disk (full width: ~540 MB in a few
 * seconds, never more than a few MB in memory). Uniform He-scaled weights (variance
 * 2 / fan-in), so activations of 0..255 images stay finite through the net; small
 * uniform biases. Seeded: the same file for the same arguments.
 */
export async function randomCaffemodelFile(path: string, model: CaffeModelKind, r: RandomCaffemodelOptions = {}): Promise<void> {
  const o: CaffemodelOptions = {
    model,
    form: r.form ?? (model === "vgg16" ? "v1" : "layer"),
    snapshot: r.snapshot ?? true,
    ...(r.atOnce ? { atOnce: true } : {}),
  };
  const spec = specOf(o, r.width ?? 1, r.classes);
  const seed = r.seed ?? 1;
  let index = 0;
  const layers = layersOf(spec, o, (p, stride) => {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const s = hash(seed, index++);
    if (p.role === "bias") return randomFloats(n, s, 0.1);
    // tfjs shapes: conv/fc [k, k, in, out] reads k*k*in; deconv [k, k, out, in] adds in*(k/stride)^2 terms per output.
    const [kh, kw, a, b] = p.shape as [number, number, number, number];
    const fanIn = p.kind === "deconv" ? (b * kh * kw) / (stride * stride) : kh * kw * a;
    return randomFloats(n, s, Math.sqrt(6 / fanIn));
  });
  await writePieces(path, netPieces(layers, o));
}

// ---------------------------------------------------------------------------------
// Layers of a net, from its spec.

interface Blob {
  readonly dims: readonly number[];
  readonly data: Floats;
}

interface Layer {
  readonly name: string;
  /** Current-form type string; a number is a raw V1 enum (test layers of unknown types). */
  readonly type: string | number;
  readonly bottoms: readonly string[];
  readonly tops: readonly string[];
  readonly blobs: readonly Blob[];
  /** ParamSpec messages (lr_mult 3, decay_mult 4), current form only. */
  readonly param?: readonly Uint8Array[];
  /** Type-specific parameter fields, already encoded: current form (fields 100+) ... */
  readonly extra?: readonly Uint8Array[];
  /** ... and V1 form (blobs_lr 7, weight_decay 8, convolution_param 10, ...). */
  readonly extraV1?: readonly Uint8Array[];
}

const V1_TYPES: Readonly<Record<string, number>> = {
  Convolution: 4,
  Data: 5,
  Dropout: 6,
  InnerProduct: 14,
  Pooling: 17,
  ReLU: 18,
  Softmax: 20,
  SoftmaxWithLoss: 21,
  Eltwise: 25,
  Deconvolution: 39,
};

function specOf(o: CaffemodelOptions, width: number, classes?: number): NetSpec {
  if (o.atOnce && o.model !== "fcn8s") throw new Error("atOnce is an FCN-8s variant");
  return modelSpec(o.model satisfies ModelName, { width, ...(classes !== undefined ? { classes } : {}), ...(o.atOnce ? { atOnce: true } : {}) });
}

function layersFromParams(params: HostParams, o: CaffemodelOptions): Layer[] {
  // The spec only decides the layer list and order; blob shapes come from the tensors given.
  const c1 = params.get("conv1_1.weight") ?? params.get("conv1_1.bias");
  const width = c1 ? widthFromConv1(c1.shape[c1.shape.length - 1]!) : 1;
  const last = params.get(o.model === "vgg16" ? "fc8.bias" : "score_fr.bias");
  const spec = specOf(o, width, last?.shape[0]);
  const layers = layersOf(spec, o, (p) => {
    const t = params.get(p.name);
    if (!t) return undefined;
    return t.shape.length === 4 ? tfjsToCaffe(t) : floatsOf(t.data);
  }, (p) => params.get(p.name)?.shape);
  return layers;
}

type ParamInfo = ReturnType<typeof paramSpecs>[number];

/**
 * The layers of `spec` in Caffe's order. `blobData` gives a param's floats in Caffe
 * layout (undefined: leave the blob out); `shapeOf` its tfjs shape when it differs
 * from the spec's (mis-shaped test files).
 */
function layersOf(
  spec: NetSpec,
  o: CaffemodelOptions,
  blobData: (p: ParamInfo, stride: number) => Floats | undefined,
  shapeOf: (p: ParamInfo) => readonly number[] | undefined = () => undefined,
): Layer[] {
  const v1 = o.form === "v1";
  if (v1 && o.atOnce) throw new Error("the at-once net's Scale layers do not exist in the V1 format");
  const snapshot = o.snapshot ?? false;
  const byLayer = new Map<string, ParamInfo[]>();
  for (const p of paramSpecs(spec)) byLayer.set(p.layer, [...(byLayer.get(p.layer) ?? []), p]);
  const out: Layer[] = [];
  const fcn = spec.model !== "vgg16";

  const blobsOf = (name: string, stride: number): Blob[] => {
    const blobs: Blob[] = [];
    for (const p of byLayer.get(name) ?? []) {
      const data = blobData(p, stride);
      if (!data) continue;
      blobs.push({ dims: caffeDims(p, shapeOf(p) ?? p.shape, v1), data });
    }
    return blobs;
  };

  for (const node of spec.nodes) {
    const { name, op, inputs } = node;
    const suffix = name.replace(/^(conv|fc)/, "");
    switch (op.type) {
      case "input":
        if (snapshot && !v1) {
          out.push({
            name,
            type: "Python",
            bottoms: [],
            tops: ["data", "label"],
            blobs: [],
            extra: [lenField(130, [strField(1, "voc_layers"), strField(2, "SBDDSegDataLayer"), strField(3, "{'split': 'train', 'seed': 1337}")])],
          });
        }
        break;
      case "conv":
      case "fc": {
        const type = op.type === "fc" ? "InnerProduct" : "Convolution";
        const k = op.type === "conv" ? op.kernel : op.window;
        const convParam =
          op.type === "conv"
            ? [varintField(1, op.outChannels), varintField(3, op.pad), varintField(4, k), varintField(6, op.stride)]
            : [varintField(1, op.outChannels)];
        out.push({
          name,
          type,
          bottoms: inputs,
          tops: [name],
          blobs: blobsOf(name, 1),
          param: [lenField(6, [floatField(3, 1), floatField(4, 1)]), lenField(6, [floatField(3, 2), floatField(4, 0)])],
          extra: [lenField(op.type === "fc" ? 117 : 106, convParam)],
          extraV1: [floatField(7, 1), floatField(7, 2), floatField(8, 1), floatField(8, 0), lenField(op.type === "fc" ? 17 : 10, convParam)],
        });
        if (snapshot && op.relu) out.push(weightless(`relu${suffix}`, "ReLU", [name], [name]));
        if (snapshot && (name === "fc6" || name === "fc7")) {
          out.push({ ...weightless(`drop${suffix}`, "Dropout", [name], [name]), extra: [lenField(108, [floatField(1, 0.5)])] });
        }
        break;
      }
      case "pool":
        if (snapshot) {
          const pp = [varintField(1, 0), varintField(2, op.kernel), varintField(3, op.stride)];
          out.push({ ...weightless(name, "Pooling", inputs, [name]), extra: [lenField(121, pp)], extraV1: [lenField(19, pp)] });
        }
        break;
      case "deconv": {
        const cp = [varintField(1, op.channels), varintField(2, 0), varintField(4, op.kernel), varintField(6, op.stride)];
        out.push({
          name,
          type: "Deconvolution",
          bottoms: inputs,
          tops: [name],
          blobs: blobsOf(name, op.stride),
          param: [lenField(6, [floatField(3, 0)])],
          extra: [lenField(106, cp)],
          extraV1: [floatField(7, 0), lenField(10, cp)],
        });
        break;
      }
      case "crop":
        // Crop has no V1 enum: a V1 file cannot hold it.
        if (snapshot && !v1) out.push({ ...weightless(name, "Crop", inputs, [name]), extra: [lenField(144, [varintField(1, 2), varintField(2, op.offset)])] });
        break;
      case "sum":
        if (snapshot) {
          const ep = [varintField(1, 1)]; // SUM
          out.push({ ...weightless(name, "Eltwise", inputs, [name]), extra: [lenField(110, ep)], extraV1: [lenField(24, ep)] });
        }
        break;
      case "scale": {
        // The at-once net: Scale with a constant filler, lr_mult 0, one blob of the input's channels.
        const channels = channelsOf(spec, inputs[0]!, shapeOf);
        const f = o.scaleFactors ? (name === "scale_pool4" ? o.scaleFactors.pool4 : o.scaleFactors.pool3) : op.factor;
        out.push({
          name,
          type: "Scale",
          bottoms: inputs,
          tops: [name],
          blobs: [{ dims: [channels], data: floatsOf(new Float32Array(channels).fill(f)) }],
          param: [lenField(6, [floatField(3, 0)])],
          extra: [lenField(142, [lenField(3, [strField(1, "constant"), floatField(2, f)])])],
        });
        break;
      }
    }
  }
  if (snapshot) {
    if (fcn) {
      out.push({
        ...weightless("loss", "SoftmaxWithLoss", [spec.output, "label"], ["loss"]),
        extra: [lenField(101, [varintField(1, 255), varintField(2, 0)])],
      });
    } else {
      out.push(weightless("prob", "Softmax", [spec.output], ["prob"]));
    }
  }
  for (const x of o.extraLayers ?? []) {
    out.push({ name: x.name, type: x.type, bottoms: [], tops: [x.name], blobs: x.blobs.map((b) => ({ dims: b.dims, data: floatsOf(b.data) })) });
  }
  return out;
}

function weightless(name: string, type: string, bottoms: readonly string[], tops: readonly string[]): Layer {
  return { name, type, bottoms, tops, blobs: [] };
}

/** Output channels of the layer producing `blob` (pools pass their input's through). */
function channelsOf(spec: NetSpec, blob: string, shapeOf: (p: ParamInfo) => readonly number[] | undefined): number {
  const node = spec.nodes.find((n) => n.name === blob)!;
  if (node.op.type === "conv") {
    const w = paramSpecs(spec).find((p) => p.name === `${blob}.weight`)!;
    return (shapeOf(w) ?? w.shape)[3]!;
  }
  return channelsOf(spec, node.inputs[0]!, shapeOf);
}

/**
 * Caffe dims of a parameter with tfjs shape `s`: conv (O, I, kH, kW); fc (O, I*kH*kW)
 * as a 2-D (current form) or legacy (1, 1, O, I*kH*kW) blob; deconv (in, out, kH, kW);
 * bias (O) or legacy (1, 1, 1, O).
 */
function caffeDims(p: ParamInfo, s: readonly number[], v1: boolean): number[] {
  if (s.length !== 4) return v1 ? [1, 1, 1, s.reduce((a, b) => a * b, 1)] : [...s];
  const [kh, kw, a, b] = s as [number, number, number, number];
  if (p.kind === "fc") return v1 ? [1, 1, b, a * kh * kw] : [b, a * kh * kw];
  return [b, a, kh, kw];
}

/** tfjs [kH, kW, A, B] -> Caffe (B, A, kH, kW): element [b][a][h][w] = [h][w][a][b]. Streamed by rows of b. */
function tfjsToCaffe(t: HostTensor): Floats {
  const [kh, kw, a, b] = t.shape as [number, number, number, number];
  const row = a * kh * kw;
  const rowsPerChunk = Math.max(1, Math.floor((1 << 20) / row));
  return {
    byteLength: 4 * t.data.length,
    *chunks() {
      const buf = new Float32Array(rowsPerChunk * row);
      for (let b0 = 0; b0 < b; b0 += rowsPerChunk) {
        const b1 = Math.min(b, b0 + rowsPerChunk);
        let i = 0;
        for (let bb = b0; bb < b1; bb++)
          for (let aa = 0; aa < a; aa++)
            for (let h = 0; h < kh; h++)
              for (let w = 0; w < kw; w++) buf[i++] = t.data[((h * kw + w) * a + aa) * b + bb]!;
        yield new Uint8Array(buf.buffer, 0, i * 4);
      }
    },
  };
}

// ---------------------------------------------------------------------------------
// Protobuf encoding: a message is a list of pieces (bytes, or floats produced in chunks).

interface Floats {
  readonly byteLength: number;
  chunks(): Iterable<Uint8Array>;
}
type Piece = Uint8Array | Floats;

const isBytes = (p: Piece): p is Uint8Array => p instanceof Uint8Array;
const pieceSize = (p: Piece) => (isBytes(p) ? p.length : p.byteLength);
const totalSize = (ps: readonly Piece[]) => ps.reduce((n, p) => n + pieceSize(p), 0);

function floatsOf(a: Float32Array): Floats {
  return { byteLength: a.byteLength, chunks: () => [new Uint8Array(a.buffer, a.byteOffset, a.byteLength)] };
}

/** mulberry32 values in [-scale, scale), produced 1 Mi at a time into one reused buffer. */
function randomFloats(n: number, seed: number, scale: number): Floats {
  return {
    byteLength: 4 * n,
    *chunks() {
      const buf = new Float32Array(Math.min(n, 1 << 20));
      let s = seed >>> 0;
      for (let done = 0; done < n; done += buf.length) {
        const m = Math.min(buf.length, n - done);
        for (let i = 0; i < m; i++) {
          s = (s + 0x6d2b79f5) >>> 0;
          let t = Math.imul(s ^ (s >>> 15), s | 1);
          t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
          buf[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
        }
        yield new Uint8Array(buf.buffer, 0, m * 4);
      }
    },
  };
}

function hash(seed: number, i: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function varint(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`varint: ${n}`);
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Uint8Array.from(out);
}

const tag = (field: number, wire: number) => varint(field * 8 + wire);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function varintField(field: number, n: number): Uint8Array {
  return concat([tag(field, 0), varint(n)]);
}

function floatField(field: number, x: number): Uint8Array {
  const b = new Uint8Array(5);
  b.set(tag(field, 5));
  new DataView(b.buffer).setFloat32(1, x, true);
  return b;
}

function strField(field: number, s: string): Uint8Array {
  const bytes = new TextEncoder().encode(s);
  return concat([tag(field, 2), varint(bytes.length), bytes]);
}

/** A length-delimited field holding `parts`: only its header is built here, the parts follow as they are. */
function lenField(field: number, parts: readonly Uint8Array[]): Uint8Array {
  return concat([tag(field, 2), varint(parts.reduce((n, p) => n + p.length, 0)), ...parts]);
}

function lenPieces(field: number, parts: readonly Piece[]): Piece[] {
  return [concat([tag(field, 2), varint(totalSize(parts))]), ...parts];
}

/** Packed floats re-encoded as one fixed32 field (tag 0x2d) per value. */
function unpacked(f: Floats): Floats {
  return {
    byteLength: (f.byteLength / 4) * 5,
    *chunks() {
      for (const c of f.chunks()) {
        const out = new Uint8Array((c.length / 4) * 5);
        for (let i = 0, j = 0; i < c.length; i += 4, j += 5) {
          out[j] = 0x2d;
          out.set(c.subarray(i, i + 4), j + 1);
        }
        yield out;
      }
    },
  };
}

/** Floats as little-endian doubles. */
function doubles(f: Floats): Floats {
  return {
    byteLength: f.byteLength * 2,
    *chunks() {
      for (const c of f.chunks()) {
        const src = new Float32Array(c.buffer.slice(c.byteOffset, c.byteOffset + c.length));
        yield new Uint8Array(Float64Array.from(src).buffer);
      }
    },
  };
}

function blobPieces(b: Blob, v1: boolean, encoding: CaffemodelOptions["encoding"]): Piece[] {
  // Field order as Caffe serializes: num 1 .. width 4, data 5, shape 7, double_data 8.
  const parts: Piece[] = [];
  if (v1) {
    const d = b.dims.length === 4 ? b.dims : [...new Array<number>(4 - b.dims.length).fill(1), ...b.dims];
    d.forEach((x, i) => parts.push(varintField(i + 1, x)));
  }
  if (encoding === "unpacked") parts.push(unpacked(b.data));
  else if (encoding !== "double") parts.push(...lenPieces(5, [b.data]));
  if (!v1) parts.push(lenField(7, [concat([tag(1, 2), varint(concat(b.dims.map(varint)).length), ...b.dims.map(varint)])]));
  if (encoding === "double") parts.push(...lenPieces(8, [doubles(b.data)]));
  return parts;
}

function layerPieces(l: Layer, o: CaffemodelOptions): Piece[] {
  if (o.form === "v1") {
    const type = typeof l.type === "number" ? l.type : V1_TYPES[l.type];
    if (type === undefined) throw new Error(`layer type ${l.type} has no V1 enum`);
    return [
      ...l.bottoms.map((b) => strField(2, b)),
      ...l.tops.map((t) => strField(3, t)),
      strField(4, l.name),
      varintField(5, type),
      ...l.blobs.flatMap((b) => lenPieces(6, blobPieces(b, true, o.encoding))),
      ...(l.extraV1 ?? []),
    ];
  }
  if (typeof l.type === "number") throw new Error(`layer ${l.name}: a V1 enum type in a current-form file`);
  // Current form, in field-number order: name 1, type 2, bottom 3, top 4, param 6, blobs 7, then the parameters (100+).
  return [
    strField(1, l.name),
    strField(2, l.type),
    ...l.bottoms.map((b) => strField(3, b)),
    ...l.tops.map((t) => strField(4, t)),
    ...(l.param ?? []),
    ...l.blobs.flatMap((b) => lenPieces(7, blobPieces(b, false, o.encoding))),
    ...(l.extra ?? []),
  ];
}

function netPieces(layers: readonly Layer[], o: CaffemodelOptions): Piece[] {
  const name = o.name ?? (o.model === "vgg16" ? "VGG_ILSVRC_16_layers" : undefined);
  const out: Piece[] = name ? [strField(1, name)] : [];
  for (const l of layers) out.push(...lenPieces(o.form === "v1" ? 2 : 100, layerPieces(l, o)));
  if (o.form === "v1") {
    // The 2014 deploy nets declare their input at the net level: input "data", input_dim 10 3 224 224.
    out.push(strField(3, "data"), ...[10, 3, 224, 224].map((d) => varintField(4, d)));
  }
  return out;
}

function* emit(pieces: readonly Piece[]): Generator<Uint8Array> {
  for (const p of pieces) {
    if (isBytes(p)) yield p;
    else for (const c of p.chunks()) yield c;
  }
}

async function writePieces(path: string, pieces: readonly Piece[]): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const fh = await fsp.open(tmp, "w");
  try {
    // Small pieces are gathered so the file is written in ~4 MB writes.
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes) await fh.write(concat(pending));
      pending = [];
      pendingBytes = 0;
    };
    for (const bytes of emit(pieces)) {
      if (bytes.length >= 1 << 20) {
        await flush();
        await fh.write(bytes);
      } else {
        pending.push(bytes.slice());
        pendingBytes += bytes.length;
        if (pendingBytes >= 4 << 20) await flush();
      }
    }
    await flush();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, path);
}
