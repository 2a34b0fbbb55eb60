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

/** out[i0][i1][i2][i3] = in[...] with out axis j = in axis perm[j]. */
export function transpose4(t: HostTensor, perm: readonly [number, number, number, number]): HostTensor {
  const { shape, data } = t;
  if (shape.length !== 4) throw new Error(`internal: transpose4 needs a 4-D tensor, got ${shapeText(shape)}`);
  const inStrides = [shape[1]! * shape[2]! * shape[3]!, shape[2]! * shape[3]!, shape[3]!, 1];
  const outShape = perm.map((p) => shape[p]!);
  const [n0, n1, n2, n3] = outShape as [number, number, number, number];
  const [s0, s1, s2, s3] = perm.map((p) => inStrides[p]!) as [number, number, number, number];
  const out = new Float32Array(data.length);
  let k = 0;
  for (let i0 = 0; i0 < n0; i0++) {
    const b0 = i0 * s0;
    for (let i1 = 0; i1 < n1; i1++) {
      const b1 = b0 + i1 * s1;
      for (let i2 = 0; i2 < n2; i2++) {
        const b2 = b1 + i2 * s2;
        for (let i3 = 0; i3 < n3; i3++) out[k++] = data[b2 + i3 * s3]!;
      }
    }
  }
  return { shape: outShape, data: out };
}

/** PyTorch conv (O, I, kH, kW) or ConvTranspose (I, O, kH, kW) -> tfjs. */
export function torchToTfjs(t: HostTensor): HostTensor {
  return transpose4(t, [2, 3, 1, 0]);
}

/** Inverse of torchToTfjs. */
export function tfjsToTorch(t: HostTensor): HostTensor {
  return transpose4(t, [3, 2, 0, 1]);
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
