import type { HostTensor } from "./types.js";

/**
 * Layout conversions between weight files and tfjs. They run once, at load (or save)
 * time, on plain typed arrays: a forward pass never re-packs weights.
 *
 *   tfjs conv / fc     [kH, kW, in, out]   = Keras conv kernel (HWIO)
 *   tfjs deconv        [kH, kW, out, in]   = Keras Conv2DTranspose kernel
 *   PyTorch conv       (out, in, kH, kW)   -> tfjs by transpose(2, 3, 1, 0)
 *   PyTorch deconv     (in, out, kH, kW)   -> tfjs by the same transpose
 *   Keras Dense        (in, out), in = NHWC-flattened (h, w, c): a plain reshape
 *   PyTorch Linear     (out, in), in = CHW-flattened (c, h, w): reshape, then transpose
 */

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * PyTorch conv (O, I, kH, kW) or ConvTranspose (I, O, kH, kW) -> tfjs, i.e.
 * transpose(2, 3, 1, 0). Seen as a matrix (O, I*kH*kW), this is a 2-D transpose whose
 * rows then move (i, h, w) -> (h, w, i); doing both in one cache-blocked pass takes
 * ~1 s on fc6's 103M values, where a plain strided 4-D loop took ~4.5 s (and ~6.5 s
 * for the way back).
 */
export function torchToTfjs(t: HostTensor): HostTensor {
  if (t.shape.length !== 4) throw new Error(`internal: torchToTfjs needs a 4-D tensor, got ${shapeText(t.shape)}`);
  const [o, i, kh, kw] = t.shape as [number, number, number, number];
  const out = new Float32Array(t.data.length);
  torchRowsToTfjs(t.shape, out)(t.data, 0, o);
  return { shape: [kh, kw, i, o], data: out };
}

/**
 * torchToTfjs a block of rows at a time, for readers that hold one block of a large
 * tensor at once (a .caffemodel's fc6 is read 4 MB at a time instead of as a second
 * 411 MB copy). The returned function puts rows [r0, r1) of the PyTorch-layout tensor,
 * given as `rows` (row r0 first), into `out` (tfjs layout, shape [kH, kW, I, O]).
 */
export function torchRowsToTfjs(shape: readonly number[], out: Float32Array): (rows: Float32Array, r0: number, r1: number) => void {
  const [o, i, kh, kw] = shape as [number, number, number, number];
  const cols = i * kh * kw;
  const dst = rowStarts(i, kh, kw, o);
  return (a, first, last) => {
    for (let r0 = first; r0 < last; r0 += TILE) {
      const r1 = Math.min(last, r0 + TILE);
      for (let c0 = 0; c0 < cols; c0 += TILE) {
        const c1 = Math.min(cols, c0 + TILE);
        for (let c = c0; c < c1; c++) {
          const d = dst[c]!;
          let s = (r0 - first) * cols + c;
          for (let r = r0; r < r1; r++, s += cols) out[d + r] = a[s]!;
        }
      }
    }
  };
}

/** Rows per block for torchRowsToTfjs: about `floats` values, whole cache tiles when rows are short. */
export function torchRowBlock(cols: number, floats = 1 << 20): number {
  const rows = Math.max(1, Math.floor(floats / cols));
  return rows >= TILE ? rows - (rows % TILE) : rows;
}

/** Inverse of torchToTfjs: transpose(3, 2, 0, 1). */
export function tfjsToTorch(t: HostTensor): HostTensor {
  if (t.shape.length !== 4) throw new Error(`internal: tfjsToTorch needs a 4-D tensor, got ${shapeText(t.shape)}`);
  const [kh, kw, i, o] = t.shape as [number, number, number, number];
  const cols = i * kh * kw;
  const a = t.data;
  const out = new Float32Array(a.length);
  const src = rowStarts(i, kh, kw, o);
  for (let r0 = 0; r0 < o; r0 += TILE) {
    const r1 = Math.min(o, r0 + TILE);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(cols, c0 + TILE);
      // Rows outer here: contiguous writes measured faster than contiguous reads.
      for (let r = r0; r < r1; r++) {
        const base = r * cols;
        for (let c = c0; c < c1; c++) out[base + c] = a[src[c]! + r]!;
      }
    }
  }
  return { shape: [o, i, kh, kw], data: out };
}

/** Measured on fc6-sized matrices: 16..64 are close, 32 the best overall. */
const TILE = 32;

/** For PyTorch column (c, h, w): where its tfjs row [h][w][c][:] starts. */
function rowStarts(i: number, kh: number, kw: number, o: number): Int32Array | Float64Array {
  const n = i * kh * kw;
  // Offsets pass 2^31 only for tensors over 8 GB; Float64Array keeps them exact regardless.
  const starts = n * o < 2 ** 31 ? new Int32Array(n) : new Float64Array(n);
  for (let c = 0; c < i; c++)
    for (let h = 0; h < kh; h++)
      for (let w = 0; w < kw; w++) starts[(c * kh + h) * kw + w] = ((h * kw + w) * i + c) * o;
  return starts;
}

/**
 * The spatial window k of a flattened fully connected input: in = C * k * k. C is
 * the output channel count of the layer feeding it (conv5_3 for fc6: 512 -> k = 7).
 */
export function denseWindow(inDim: number, channels: number, what: string): number {
  const k = Math.round(Math.sqrt(inDim / channels));
  if (!(channels > 0) || k * k * channels !== inDim) {
    throw new Error(
      `${what}: a fully connected weight with ${inDim} inputs does not read a k x k x ${channels} block ` +
        `(${channels} = output channels of the layer before it)`,
    );
  }
  return k;
}

/** Keras Dense kernel (k*k*C, out), NHWC flatten order -> tfjs [k, k, C, out]: same bytes. */
export function kerasDenseToTfjs(t: HostTensor, channels: number, what: string): HostTensor {
  const [inDim, outDim] = t.shape as [number, number];
  const k = denseWindow(inDim, channels, what);
  return { shape: [k, k, channels, outDim], data: t.data };
}

/** tfjs [k, k, C, out] -> Keras Dense kernel (k*k*C, out). */
export function tfjsToKerasDense(t: HostTensor): HostTensor {
  const [kh, kw, c, o] = t.shape as [number, number, number, number];
  return { shape: [kh * kw * c, o], data: t.data };
}

/** PyTorch Linear (out, C*k*k), CHW flatten order -> tfjs [k, k, C, out]. */
export function torchLinearToTfjs(t: HostTensor, channels: number, what: string): HostTensor {
  const [outDim, inDim] = t.shape as [number, number];
  const k = denseWindow(inDim, channels, what);
  return torchToTfjs({ shape: [outDim, channels, k, k], data: t.data });
}

// --- half-precision decoding (safetensors F16 / BF16 files) ---

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function bf16ToF32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) outBits[i] = bits[i]! << 16;
  return out;
}

export function f16ToF32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfToFloat(bits[i]!);
  return out;
}

function halfToFloat(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) {
    // Subnormal (or zero): value = frac * 2^-24, exact in float32.
    const v = frac * 2 ** -24;
    return sign ? -v : v;
  }
  if (exp === 31) {
    u32[0] = sign | 0x7f800000 | (frac << 13);
    return f32[0]!;
  }
  u32[0] = sign | ((exp + 112) << 23) | (frac << 13);
  return f32[0]!;
}

/**
 * float32 -> IEEE half bits, rounding to nearest even (what numpy's astype(float16) and
 * PyTorch's .half() do). Overflow gives infinity, tiny values subnormals or zero.
 */
export function f32ToF16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = floatToHalf(values[i]!);
  return out;
}

function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const frac = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (frac ? 0x200 : 0); // inf / NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // too large: infinity
  if (e <= 0) {
    // Subnormal half (or zero): the value in units of 2^-24, rounded to nearest even.
    if (e < -10) return sign;
    const m = frac | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    if (rest > half || (rest === half && (r & 1))) r++;
    return sign | r;
  }
  let h = sign | (e << 10) | (frac >>> 13);
  const rest = frac & 0x1fff;
  // Round to nearest even; a carry into the exponent is the correct result too.
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++;
  return h;
}

/** Typed arrays are read and written as raw bytes, which is little-endian only on LE hosts. */
export function assertLittleEndianHost(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error("weights I/O assumes a little-endian host (every x86 and ARM machine in practice)");
  }
}

/** A float32 array's own bytes (a view, not a copy). */
export function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
