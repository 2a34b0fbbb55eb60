/**
 * A deliberately plain reference implementation of the layers (NHWC, batch 1, loops
 * over typed arrays), written from the Caffe definitions and sharing no code with
 * src/net/execute.ts. Slow; only for tiny nets.
 */
export interface Arr {
  h: number;
  w: number;
  c: number;
  data: Float64Array;
}

export function arr(h: number, w: number, c: number, data?: ArrayLike<number>): Arr {
  return { h, w, c, data: data ? Float64Array.from(data) : new Float64Array(h * w * c) };
}

const at = (a: Arr, y: number, x: number, ch: number) => a.data[(y * a.w + x) * a.c + ch]!;

/** Convolution, weights [k][k][in][out], symmetric zero padding, optional ReLU. */
export function conv(a: Arr, w: ArrayLike<number>, b: ArrayLike<number> | null, k: number, out: number, pad: number, relu: boolean): Arr {
  const h = a.h + 2 * pad - k + 1;
  const wd = a.w + 2 * pad - k + 1;
  const r = arr(h, wd, out);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < wd; x++) {
      for (let o = 0; o < out; o++) {
        let s = b ? b[o]! : 0;
        for (let i = 0; i < k; i++) {
          const yy = y + i - pad;
          if (yy < 0 || yy >= a.h) continue;
          for (let j = 0; j < k; j++) {
            const xx = x + j - pad;
            if (xx < 0 || xx >= a.w) continue;
            for (let c = 0; c < a.c; c++) s += at(a, yy, xx, c) * w[((i * k + j) * a.c + c) * out + o]!;
          }
        }
        r.data[(y * wd + x) * out + o] = relu ? Math.max(0, s) : s;
      }
    }
  }
  return r;
}

/** 2x2 stride-2 max pool rounding up (Caffe): a last odd row/column pools alone. */
export function maxPoolCeil(a: Arr): Arr {
  const h = Math.ceil(a.h / 2);
  const w = Math.ceil(a.w / 2);
  const r = arr(h, w, a.c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < a.c; c++) {
        let m = -Infinity;
        for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
          const yy = 2 * y + i;
          const xx = 2 * x + j;
          if (yy < a.h && xx < a.w) m = Math.max(m, at(a, yy, xx, c));
        }
        r.data[(y * w + x) * a.c + c] = m;
      }
    }
  }
  return r;
}

/**
 * Transposed convolution as Caffe's Deconvolution computes it: every input pixel
 * scatters its kernel-weighted value onto the output at stride s. Weights
 * [k][k][out][in] (tfjs layout).
 */
export function deconv(a: Arr, w: ArrayLike<number>, k: number, s: number, out: number): Arr {
  const h = (a.h - 1) * s + k;
  const wd = (a.w - 1) * s + k;
  const r = arr(h, wd, out);
  for (let y = 0; y < a.h; y++) {
    for (let x = 0; x < a.w; x++) {
      for (let c = 0; c < a.c; c++) {
        const v = at(a, y, x, c);
        for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let o = 0; o < out; o++) {
          r.data[((y * s + i) * wd + x * s + j) * out + o] += v * w[((i * k + j) * out + o) * a.c + c]!;
        }
      }
    }
  }
  return r;
}

export function crop(a: Arr, offset: number, h: number, w: number): Arr {
  const r = arr(h, w, a.c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < a.c; c++) {
    r.data[(y * w + x) * a.c + c] = at(a, y + offset, x + offset, c);
  }
  return r;
}

export function add(a: Arr, b: Arr): Arr {
  return { ...a, data: a.data.map((v, i) => v + b.data[i]!) };
}

/** Fully connected layer over the whole NHWC-flattened input; weights [in][out]. */
export function dense(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>, out: number, relu: boolean): Float64Array {
  const r = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = b[o]!;
    for (let i = 0; i < x.length; i++) s += x[i]! * w[i * out + o]!;
    r[o] = relu ? Math.max(0, s) : s;
  }
  return r;
}

/** Largest |a - b| relative to the largest |b|. */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / (m || 1);
}
