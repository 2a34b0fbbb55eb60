/**
 * Caffe .caffemodel files, read directly: the authors' FCN releases and the VGG authors'
 * VGG16. A .caffemodel is one binary protobuf NetParameter (BVLC/caffe
 * src/caffe/proto/caffe.proto); only the fields that locate weights are decoded:
 *
 *   NetParameter      name 1, layers 2 (V1LayerParameter, deprecated), layer 100 (LayerParameter)
 *   LayerParameter    name 1, type 2 (string), blobs 7
 *   V1LayerParameter  name 4, type 5 (enum), blobs 6     (the 2014 VGG16 release)
 *   BlobProto         num/channels/height/width 1-4 (legacy dims), data 5 (packed float),
 *                     shape 7 (BlobShape: dim 1, packed int64), double_data 8
 *
 * Everything else (bottoms, tops, layer parameters, a training snapshot's weightless
 * layers, diffs) is skipped by wire type without being read.
 *
 * Why a small reader of our own and not a protobuf library: measured on a full-width
 * 538 MB FCN-8s (bench/caffemodel-read.ts), a generated decoder needs the whole file in
 * one buffer and decodes packed floats one by one into JS number arrays (8 bytes per
 * float): several times the file's size in memory and seconds of decoding. Here the
 * structure is walked first with small positional reads (a few hundred fields), then
 * each blob's floats go from the file straight into their final tfjs-layout
 * Float32Array, a block of rows at a time: memory stays near the weights' own size.
 */
import { AT_ONCE_SCALES } from "../models/fcn8s.js";
import { CAFFE_FCN_PREPROCESS, VGG16_CAFFE_PREPROCESS } from "../preprocess.js";
import { inferWeightsConfig } from "./check.js";
import { WeightsFileError } from "./errors.js";
import { assertLittleEndianHost, bytesOf, denseWindow, numel, shapeText, torchRowBlock, torchRowsToTfjs } from "./layout.js";
import { FC_INPUT_LAYER } from "./names.js";
import type { HostParams, HostTensor, WeightsFile, WeightsMeta } from "./types.js";

/**
 * Reads a .caffemodel through positional reads (a file on disk: readCaffemodel in
 * files.ts opens it), no whole-file buffer. `where` names it in errors.
 */
export async function readCaffemodelFrom(file: PositionalReader, size: number, where: string): Promise<WeightsFile> {
  assertLittleEndianHost();
  return caffemodelWeights(new ReaderSource(file, size, where), where);
}

/** The same for a whole file held in memory (a browser's File). `where` names it in errors. */
export async function readCaffemodelBytes(bytes: Uint8Array, where: string): Promise<WeightsFile> {
  assertLittleEndianHost();
  return caffemodelWeights(new MemorySource(bytes), where);
}

/**
 * Whether a file starts like a serialized NetParameter: its first fields are fields
 * NetParameter has, with the right wire types and lengths that fit in the file, a
 * printable net name if any, and a layer among them. PNG, JPEG, JSON, text (a
 * .prototxt), HDF5, safetensors and other protobufs (ONNX, TensorFlow, a Caffe
 * .solverstate or mean .binaryproto) all fail on their first bytes.
 */
export function looksLikeCaffemodel(head: Uint8Array, size: number): boolean {
  let pos = 0;
  for (let fields = 0; fields < 16; fields++) {
    const t = varintIn(head, pos);
    if (!t) return false;
    const field = Math.floor(t.value / 8);
    const wire = t.value % 8;
    const want = NET_FIELDS[field];
    // input_dim (4) is a repeated varint: packed (wire 2) is legal too.
    if (want === undefined || (wire !== want && !(field === 4 && wire === 2))) return false;
    pos = t.next;
    if (wire === 0) {
      const v = varintIn(head, pos);
      if (!v) return false;
      pos = v.next;
      continue;
    }
    const len = varintIn(head, pos);
    if (!len) return false;
    const start = len.next;
    // A layer may run past the end of a truncated file: the reader then says so, precisely.
    if (field !== LAYER && field !== V1_LAYERS && start + len.value > size) return false;
    if (field === LAYER || field === V1_LAYERS) {
      // A layer message: empty, or starting with a valid tag (the part in `head`).
      if (len.value === 0) return true;
      const inner = varintIn(head, start);
      return !!inner && inner.value >= 8 && [0, 1, 2, 5].includes(inner.value % 8);
    }
    if (field === 1 || field === 3) {
      if (len.value === 0 || len.value > 4096) return false;
      for (let i = start; i < Math.min(start + len.value, head.length); i++) if (head[i]! < 0x20 || head[i] === 0x7f) return false;
    }
    pos = start + len.value;
    if (pos >= head.length) return false;
  }
  return false;
}

// ---------------------------------------------------------------------------------
// Field numbers (caffe.proto) and layer types.

const LAYER = 100;
const V1_LAYERS = 2;
/** NetParameter's fields and their wire types: name, layers, input, input_dim, force_backward, state, debug_info, input_shape, layer. */
const NET_FIELDS: Readonly<Record<number, number>> = { 1: 2, 2: 2, 3: 2, 4: 0, 5: 0, 6: 2, 7: 0, 8: 2, 100: 2 };

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

/** V1LayerParameter.LayerType, for messages; the three that carry FCN/VGG weights map to today's names. */
const V1_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: "NONE", 1: "ACCURACY", 2: "BNLL", 3: "CONCAT", 4: "Convolution", 5: "DATA", 6: "DROPOUT", 7: "EUCLIDEAN_LOSS",
  8: "FLATTEN", 9: "HDF5_DATA", 10: "HDF5_OUTPUT", 11: "IM2COL", 12: "IMAGE_DATA", 13: "INFOGAIN_LOSS",
  14: "InnerProduct", 15: "LRN", 16: "MULTINOMIAL_LOGISTIC_LOSS", 17: "POOLING", 18: "RELU", 19: "SIGMOID",
  20: "SOFTMAX", 21: "SOFTMAX_LOSS", 22: "SPLIT", 23: "TANH", 24: "WINDOW_DATA", 25: "ELTWISE", 26: "POWER",
  27: "SIGMOID_CROSS_ENTROPY_LOSS", 28: "HINGE_LOSS", 29: "MEMORY_DATA", 30: "ARGMAX", 31: "THRESHOLD",
  32: "DUMMY_DATA", 33: "SLICE", 34: "MVN", 35: "ABSVAL", 36: "SILENCE", 37: "CONTRASTIVE_LOSS", 38: "EXP",
  39: "Deconvolution", 40: "RESHAPE",
};

// ---------------------------------------------------------------------------------
// Byte sources: a file read at positions, or bytes in memory.

/** Reads at a position, as Node's FileHandle does (the only thing asked of a file here). */
export interface PositionalReader {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ readonly bytesRead: number }>;
}

interface Source {
  readonly size: number;
  /** min(n, size - pos) bytes at `pos`; a view valid until the next call. */
  bytes(pos: number, n: number): Promise<Uint8Array> | Uint8Array;
  /** Exactly dst.length bytes at `pos`. */
  readInto(dst: Uint8Array, pos: number): Promise<void> | void;
  /** `count` floats at `pos` without copying, when the bytes allow an aligned view. */
  view?(pos: number, count: number): Float32Array | undefined;
}

class MemorySource implements Source {
  readonly size: number;
  constructor(private readonly b: Uint8Array) {
    this.size = b.length;
  }
  bytes(pos: number, n: number): Uint8Array {
    return this.b.subarray(pos, Math.min(this.size, pos + n));
  }
  readInto(dst: Uint8Array, pos: number): void {
    dst.set(this.b.subarray(pos, pos + dst.length));
  }
  view(pos: number, count: number): Float32Array | undefined {
    // Packed floats sit at any byte offset; a Float32Array view needs 4-byte alignment.
    const at = this.b.byteOffset + pos;
    return at % 4 === 0 ? new Float32Array(this.b.buffer, at, count) : undefined;
  }
}

class ReaderSource implements Source {
  private cache = new Uint8Array(0);
  private cacheAt = 0;
  constructor(
    private readonly fh: PositionalReader,
    readonly size: number,
    private readonly where: string,
  ) {}

  async bytes(pos: number, n: number): Promise<Uint8Array> {
    const end = Math.min(this.size, pos + n);
    if (pos >= this.cacheAt && end <= this.cacheAt + this.cache.length) return this.cache.subarray(pos - this.cacheAt, end - this.cacheAt);
    // Structure is read through a 64 KiB window: a layer's small fields take one read.
    const len = Math.min(this.size - pos, Math.max(end - pos, 1 << 16));
    this.cache = new Uint8Array(len);
    this.cacheAt = pos;
    await this.readInto(this.cache, pos);
    return this.cache.subarray(0, end - pos);
  }

  async readInto(dst: Uint8Array, pos: number): Promise<void> {
    let done = 0;
    while (done < dst.length) {
      const { bytesRead } = await this.fh.read(dst, done, dst.length - done, pos + done);
      if (bytesRead === 0) throw new WeightsFileError(this.where, `${this.where}: the file ended while reading byte ${pos + done}: it changed while being read?`);
      done += bytesRead;
    }
  }
}

// ---------------------------------------------------------------------------------
// Pass 1: where each layer's blobs are, without reading their floats.

/** A run of values in the file: `count` floats or doubles, `stride` bytes apart. */
interface Run {
  readonly offset: number;
  readonly count: number;
  /** 4 packed float, 8 packed double, 5 / 9 unpacked (a one-byte tag before each value). */
  readonly stride: 4 | 5 | 8 | 9;
}

interface BlobIndex {
  readonly dims: readonly number[];
  readonly runs: readonly Run[];
  readonly count: number;
}

interface LayerIndex {
  readonly name: string;
  readonly type: string;
  readonly blobs: readonly BlobIndex[];
  /** Where the layer's message starts, for messages. */
  readonly at: number;
}

/** Errors carry the file, the byte offset and, inside a layer, which layer. */
class Context {
  layer: { index: number; name?: string; type?: string } | undefined;
  constructor(readonly where: string) {}
  fail(what: string, at: number): never {
    const l = this.layer;
    const layer = l ? `layer ${l.index}${l.name !== undefined ? ` "${l.name}"` : ""}${l.type ? ` (${l.type})` : ""}, ` : "";
    throw new WeightsFileError(this.where, `${this.where}: ${layer}byte offset ${at}: ${what}`);
  }
}

/** A protobuf message being read: fields from `pos` up to `end`. */
class Reader {
  constructor(
    private readonly src: Source,
    readonly ctx: Context,
    public pos: number,
    readonly end: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  async varint(): Promise<number> {
    const at = this.pos;
    const b = await this.src.bytes(at, Math.min(10, this.end - at));
    const v = varintIn(b, 0);
    if (!v) this.ctx.fail(this.end === this.src.size && b.length < 10 ? "the file ends inside a number: it is truncated" : "a malformed number (varint)", at);
    this.pos = at + v.next;
    return v.value;
  }

  async tag(): Promise<{ field: number; wire: number; at: number }> {
    const at = this.pos;
    const t = await this.varint();
    const field = Math.floor(t / 8);
    const wire = t % 8;
    if (field === 0 || ![WIRE_VARINT, WIRE_FIXED64, WIRE_LEN, WIRE_FIXED32].includes(wire)) {
      this.ctx.fail(`not a Caffe .caffemodel, or corrupt: field ${field} with wire type ${wire}`, at);
    }
    return { field, wire, at };
  }

  /** A length-delimited field's extent [start, end), checked against the message and the file. */
  async extent(what: string): Promise<{ start: number; end: number }> {
    const at = this.pos;
    const len = await this.varint();
    const start = this.pos;
    const end = start + len;
    if (end > this.src.size) this.ctx.fail(truncated(what, len, start, this.src.size), at);
    if (end > this.end) this.ctx.fail(`${what} of ${len} bytes runs past the end of the message holding it (byte ${this.end}): the file is corrupt`, at);
    this.pos = end;
    return { start, end };
  }

  async sub(what: string): Promise<Reader> {
    const { start, end } = await this.extent(what);
    return new Reader(this.src, this.ctx, start, end);
  }

  async string(what: string): Promise<string> {
    const { start, end } = await this.extent(what);
    return new TextDecoder().decode(await this.src.bytes(start, end - start));
  }

  async skip(wire: number, what = "a field"): Promise<void> {
    const at = this.pos;
    if (wire === WIRE_VARINT) await this.varint();
    else if (wire === WIRE_LEN) await this.extent(what);
    else this.pos += wire === WIRE_FIXED64 ? 8 : 4;
    if (this.pos > this.end) this.ctx.fail(this.pos > this.src.size ? "the file is truncated inside a field" : "a field runs past the end of its message", at);
  }

  expect(wire: number, want: number, what: string, at: number): void {
    if (wire !== want) this.ctx.fail(`${what} has wire type ${wire}, caffe.proto says ${want}: not a Caffe .caffemodel, or corrupt`, at);
  }

  /**
   * A run of unpacked repeated fixed-size values: this value, then as long as the same
   * one-byte tag follows. Scanned a window at a time (a whole blob may be stored so).
   */
  async run(tagByte: number, size: 4 | 8): Promise<Run> {
    const offset = this.pos;
    const stride = (size + 1) as 5 | 9;
    let count = 1;
    let pos = offset + size;
    if (pos > this.end) this.ctx.fail("the file is truncated inside a value", offset);
    for (;;) {
      const window = await this.src.bytes(pos, Math.min(this.end - pos, stride * 65536));
      let i = 0;
      while (i + stride <= window.length && window[i] === tagByte) {
        i += stride;
        count++;
      }
      pos += i;
      if (i + stride <= window.length || pos + stride > this.end || i === 0) break;
    }
    this.pos = pos;
    return { offset, count, stride };
  }
}

async function indexNet(src: Source, ctx: Context): Promise<LayerIndex[]> {
  const r = new Reader(src, ctx, 0, src.size);
  const layers: LayerIndex[] = [];
  while (!r.done) {
    const { field, wire, at } = await r.tag();
    if (field === LAYER || field === V1_LAYERS) {
      r.expect(wire, WIRE_LEN, field === LAYER ? "a layer" : "a layer (V1)", at);
      const form = field === LAYER ? "layer" : "v1";
      ctx.layer = { index: layers.length };
      const lenAt = r.pos;
      const len = await r.varint();
      if (r.pos + len > src.size) {
        // Cut short: its name and type come first and are in the file, so the message can name it.
        await indexLayer(new Reader(src, ctx, r.pos, src.size), form, at).catch(() => undefined);
        ctx.fail(truncated("the layer", len, r.pos, src.size), lenAt);
      }
      r.pos = lenAt;
      layers.push(await indexLayer(await r.sub("the layer"), form, at));
      ctx.layer = undefined;
    } else {
      await r.skip(wire);
    }
  }
  return layers;
}

function truncated(what: string, len: number, start: number, size: number): string {
  return `${what} needs ${len} bytes from byte ${start}, but the file ends at byte ${size}: the file is truncated (an interrupted download? fetch or copy it again)`;
}

async function indexLayer(r: Reader, form: "layer" | "v1", at: number): Promise<LayerIndex> {
  // Field numbers of name, type and blobs in LayerParameter and V1LayerParameter.
  const f = form === "layer" ? { name: 1, type: 2, blobs: 7 } : { name: 4, type: 5, blobs: 6 };
  const ctx = r.ctx.layer!;
  let name: string | undefined;
  let type: string | undefined;
  const blobs: BlobIndex[] = [];
  while (!r.done) {
    const t = await r.tag();
    if (t.field === f.name) {
      r.expect(t.wire, WIRE_LEN, "the layer name", t.at);
      ctx.name = name = await r.string("the layer name");
    } else if (t.field === f.type) {
      if (form === "layer") {
        r.expect(t.wire, WIRE_LEN, "the layer type", t.at);
        type = await r.string("the layer type");
      } else {
        r.expect(t.wire, WIRE_VARINT, "the layer type (V1 enum)", t.at);
        const n = await r.varint();
        type = V1_TYPE_NAMES[n] ?? `V1 type ${n}`;
      }
      ctx.type = type;
    } else if (t.field === f.blobs) {
      r.expect(t.wire, WIRE_LEN, "a blob", t.at);
      blobs.push(await indexBlob(await r.sub(`blob ${blobs.length}`), blobs.length));
    } else if (form === "v1" && t.field === 1) {
      r.ctx.fail("this layer is in Caffe's V0 format (before 2014), which fcn-viz does not read: upgrade the file with Caffe's upgrade_net_proto_binary", t.at);
    } else {
      await r.skip(t.wire);
    }
  }
  return { name: name ?? "", type: type ?? "", blobs, at };
}

async function indexBlob(r: Reader, index: number): Promise<BlobIndex> {
  const legacy: (number | undefined)[] = [undefined, undefined, undefined, undefined];
  let shape: number[] | undefined;
  const floats: Run[] = [];
  const doubles: Run[] = [];
  const fail: (what: string, at: number) => never = (what, at) => r.ctx.fail(`blob ${index}: ${what}`, at);
  while (!r.done) {
    const t = await r.tag();
    if (t.field >= 1 && t.field <= 4) {
      r.expect(t.wire, WIRE_VARINT, "a legacy blob dimension", t.at);
      legacy[t.field - 1] = await r.varint();
    } else if (t.field === 5 || t.field === 8) {
      const size = t.field === 5 ? 4 : 8;
      const runs = t.field === 5 ? floats : doubles;
      if (t.wire === WIRE_LEN) {
        const { start, end } = await r.extent(`blob ${index}'s ${t.field === 5 ? "floats" : "doubles"}`);
        if ((end - start) % size) fail(`${end - start} bytes of packed ${size === 4 ? "floats" : "doubles"} is not a whole number of values`, t.at);
        runs.push({ offset: start, count: (end - start) / size, stride: size });
      } else {
        r.expect(t.wire, size === 4 ? WIRE_FIXED32 : WIRE_FIXED64, "a blob value", t.at);
        runs.push(await r.run(t.field * 8 + t.wire, size));
      }
    } else if (t.field === 7) {
      r.expect(t.wire, WIRE_LEN, "the blob shape", t.at);
      shape = await readDims(await r.sub("the blob shape"));
    } else {
      await r.skip(t.wire); // diff 6, double_diff 9
    }
  }
  // Caffe takes the shape if present, else the legacy 4-D dims (absent ones are 0).
  const dims = shape ?? (legacy.some((d) => d !== undefined) ? legacy.map((d) => d ?? 0) : undefined);
  const runs = floats.length ? floats : doubles;
  const count = runs.reduce((n, x) => n + x.count, 0);
  if (!dims) fail("no shape (neither BlobShape nor num/channels/height/width)", r.end);
  if (numel(dims) !== count) fail(`its shape ${shapeText(dims)} holds ${numel(dims)} values, but it stores ${count}`, r.end);
  return { dims, runs, count };
}

async function readDims(r: Reader): Promise<number[]> {
  const dims: number[] = [];
  while (!r.done) {
    const t = await r.tag();
    if (t.field !== 1) await r.skip(t.wire);
    else if (t.wire === WIRE_VARINT) dims.push(await r.varint());
    else {
      r.expect(t.wire, WIRE_LEN, "the blob dims", t.at);
      const packed = await r.sub("the blob dims");
      while (!packed.done) dims.push(await packed.varint());
    }
  }
  return dims;
}

// ---------------------------------------------------------------------------------
// Pass 2: the floats, in tfjs layout.

/** `count` values of a blob from value `first` on: an aligned view of the bytes when possible, else decoded into `scratch`. */
async function values(src: Source, blob: BlobIndex, first: number, count: number, scratch: Float32Array): Promise<Float32Array> {
  const only = blob.runs.length === 1 ? blob.runs[0]! : undefined;
  if (only?.stride === 4) {
    const viewed = src.view?.(only.offset + 4 * first, count);
    if (viewed) return viewed;
  }
  const out = scratch.subarray(0, count);
  let skip = first;
  let filled = 0;
  for (const run of blob.runs) {
    if (filled === count) break;
    if (skip >= run.count) {
      skip -= run.count;
      continue;
    }
    const n = Math.min(run.count - skip, count - filled);
    const at = run.offset + skip * run.stride;
    if (run.stride === 4) {
      await src.readInto(bytesOf(out.subarray(filled, filled + n)), at);
    } else {
      // Unpacked values or doubles: decoded a window at a time.
      const step = Math.max(1, Math.floor((1 << 20) / run.stride));
      for (let done = 0; done < n; done += step) {
        const m = Math.min(step, n - done);
        const b = await src.bytes(at + done * run.stride, m * run.stride);
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        // A run's offset is its first value's; unpacked ones have their tag byte between values.
        for (let i = 0; i < m; i++) {
          const o = i * run.stride;
          out[filled + done + i] = run.stride >= 8 ? dv.getFloat64(o, true) : dv.getFloat32(o, true);
        }
      }
    }
    filled += n;
    skip = 0;
  }
  return out;
}

/** A blob as it is (biases, Scale factors): one copy into a fresh array. */
async function plainArray(src: Source, blob: BlobIndex): Promise<Float32Array> {
  const out = new Float32Array(blob.count);
  const got = await values(src, blob, 0, blob.count, out);
  if (got !== out) out.set(got);
  return out;
}

/**
 * A Caffe (O, I, kH, kW) weight (a Convolution; a Deconvolution's (in, out, kH, kW);
 * an InnerProduct unflattened to (out, C, k, k)) straight into tfjs [kH, kW, I, O],
 * a block of rows at a time: no second full-size copy of a 411 MB fc6.
 */
async function oihwToTfjs(src: Source, blob: BlobIndex, dims: readonly number[]): Promise<HostTensor> {
  const [o, i, kh, kw] = dims as [number, number, number, number];
  const cols = i * kh * kw;
  const out = new Float32Array(blob.count);
  const put = torchRowsToTfjs(dims, out);
  const block = torchRowBlock(cols);
  const scratch = new Float32Array(Math.min(o, block) * cols);
  for (let r0 = 0; r0 < o; r0 += block) {
    const r1 = Math.min(o, r0 + block);
    put(await values(src, blob, r0 * cols, (r1 - r0) * cols, scratch), r0, r1);
  }
  return { shape: [kh, kw, i, o], data: out };
}

async function caffemodelWeights(src: Source, where: string): Promise<WeightsFile> {
  const ctx = new Context(where);
  const layers = await indexNet(src, ctx);
  if (layers.length === 0) {
    throw new WeightsFileError(where, `${where}: no layers: not a Caffe .caffemodel (a .caffemodel is a NetParameter whose layers hold the weights)`);
  }
  const weighted = layers.filter((l) => l.blobs.length > 0);
  if (weighted.length === 0) {
    throw new WeightsFileError(where, `${where}: its ${layers.length} layers hold no weights (a net definition saved without its trained blobs?)`);
  }
  const byName = new Map<string, LayerIndex>();
  for (const l of weighted) {
    const fail: (what: string) => never = (what) => {
      throw new WeightsFileError(where, `${where}: layer "${l.name}" (${l.type || "no type"}) ${what}, at byte offset ${l.at}`);
    };
    if (!l.name) fail("has weights but no name");
    if (byName.has(l.name)) fail("appears twice with weights");
    if (!["Convolution", "Deconvolution", "InnerProduct", "Scale"].includes(l.type)) {
      fail(
        "carries weights, but fcn-viz reads only the layers of VGG16 and the FCNs (Convolution, Deconvolution, " +
          "InnerProduct, and the at-once FCN-8s' Scale layers): this file is another network",
      );
    }
    if (l.blobs.length > 2) fail(`has ${l.blobs.length} blobs; a weight and a bias are at most 2`);
    byName.set(l.name, l);
  }

  // Output channels of the layer an InnerProduct reads (conv5_3 for fc6): what unflattens its input.
  const outChannels = (name: string): number | undefined => {
    const l = byName.get(name);
    const w = l?.blobs[0];
    if (!l || !w) return undefined;
    if (l.type === "InnerProduct") return innerProductDims(w.dims)?.[0];
    return l.type === "Deconvolution" ? w.dims[1] : w.dims[0];
  };

  const params: HostParams = new Map();
  const scales = new Map<string, number>();
  for (const l of weighted) {
    const what = `layer "${l.name}" (${l.type})`;
    const fail: (why: string) => never = (why) => {
      throw new WeightsFileError(where, `${where}: ${what} ${why}, at byte offset ${l.at}`);
    };
    if (l.type === "Scale") {
      scales.set(l.name, await scaleFactor(src, l, fail));
      continue;
    }
    const [weight, bias] = l.blobs as [BlobIndex, BlobIndex | undefined];
    let dims = weight.dims;
    if (l.type === "InnerProduct") {
      // `in` is the input flattened in (c, h, w) order.
      const d = innerProductDims(dims);
      if (!d) fail(`has a weight of shape ${shapeText(dims)}; an InnerProduct weight is (out, in)`);
      const from = FC_INPUT_LAYER[l.name];
      const c = from === undefined ? undefined : outChannels(from);
      if (c === undefined) {
        fail(`cannot be unflattened: its input's channel count comes from ${from ? `layer ${from}, which the file lacks` : "a layer fcn-viz does not know for it"}`);
      }
      let k = 0;
      try {
        k = denseWindow(d[1], c, `its (${d[0]}, ${d[1]}) weight`);
      } catch (e) {
        fail(`cannot be unflattened: ${(e as Error).message}`);
      }
      dims = [d[0], c, k, k];
    } else if (dims.length !== 4) {
      fail(`has a weight of shape ${shapeText(dims)}; ${l.type} weights are 4-D`);
    }
    params.set(`${l.name}.weight`, await oihwToTfjs(src, weight, dims));
    if (bias) {
      // (out) or legacy (1, 1, 1, out): every dimension but one is 1.
      if (bias.dims.filter((d) => d !== 1).length > 1) fail(`has a bias of shape ${shapeText(bias.dims)}; a bias is a vector`);
      params.set(`${l.name}.bias`, { shape: [bias.count], data: await plainArray(src, bias) });
    }
  }

  const found = inferWeightsConfig(params);
  const atOnce = atOnceOf(scales, found.model, where);
  const meta: WeightsMeta = {
    ...(found.model && { model: found.model }),
    ...(found.classes !== undefined && { classes: found.classes }),
    ...(found.width !== undefined && { width: found.width }),
    preprocess: found.model === "vgg16" ? VGG16_CAFFE_PREPROCESS : CAFFE_FCN_PREPROCESS,
    ...(atOnce && { atOnce: true }),
  };
  return { params, meta, format: "caffemodel" };
}

/** An InnerProduct weight's (out, in): stored so, or as legacy 4-D dims (1, 1, out, in). */
function innerProductDims(dims: readonly number[]): readonly [number, number] | undefined {
  const d = dims.length === 4 && dims[0] === 1 && dims[1] === 1 ? dims.slice(2) : dims;
  return d.length === 2 ? [d[0]!, d[1]!] : undefined;
}

/** A Scale layer of the at-once FCN-8s: one blob, every value its constant factor. */
async function scaleFactor(src: Source, l: LayerIndex, fail: (why: string) => never): Promise<number> {
  // Scale layers with a constant filler and lr_mult 0: the factors fcn8sSpec({atOnce}) applies.
  const want = (AT_ONCE_SCALES as Readonly<Record<string, number>>)[l.name];
  if (want === undefined) {
    fail(`is not one of the at-once FCN-8s' Scale layers (${Object.keys(AT_ONCE_SCALES).join(", ")}): this file is another network`);
  }
  if (l.blobs.length !== 1) fail(`has ${l.blobs.length} blobs; the at-once FCN-8s' Scale layers have one (a constant, no bias)`);
  const v = await plainArray(src, l.blobs[0]!);
  const bad = v.findIndex((x) => x !== Math.fround(want));
  if (bad >= 0) {
    fail(`multiplies by ${v[bad]} (value ${bad}), but the at-once FCN-8s scales by ${want} there: fcn-viz builds only that net`);
  }
  return want;
}

function atOnceOf(scales: ReadonlyMap<string, number>, model: string | undefined, where: string): boolean {
  if (scales.size === 0) return false;
  const missing = Object.keys(AT_ONCE_SCALES).filter((n) => !scales.has(n));
  if (model !== "fcn8s" || missing.length) {
    throw new WeightsFileError(
      where,
      `${where}: has the Scale layer(s) ${[...scales.keys()].join(", ")} of the at-once FCN-8s, but ` +
        (missing.length ? `not ${missing.join(", ")}` : `its other layers are those of ${model ?? "no known model"}`) +
        ": this file is another network",
    );
  }
  return true;
}

/** A varint in `b` at `pos`, or undefined if it does not end within `b` (or within 10 bytes). */
function varintIn(b: Uint8Array, pos: number): { value: number; next: number } | undefined {
  let value = 0;
  let mul = 1;
  for (let i = pos; i < Math.min(b.length, pos + 10); i++) {
    const x = b[i]!;
    value += (x & 0x7f) * mul;
    if (x < 0x80) return { value, next: i + 1 };
    mul *= 128;
  }
  return undefined;
}
