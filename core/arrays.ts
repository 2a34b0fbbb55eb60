/**
 * Plain arrays: a tap's data as a flat array plus its shape, in the model's NHWC layout:
 * [1, H, W, C], [H, W, C] or [H, W] (one channel). What the figures and the metrics take.
 * Nothing here knows about tfjs: pass `await tensor.data()` and `tensor.shape`.
 */

/** A tap or any dense array: flat data in row-major (NHWC) order plus its shape. */
export interface ArrayND {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

/** An [H, W, C] view of an ArrayND. */
export interface HWC {
  readonly data: ArrayLike<number>;
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Reads [1,H,W,C], [H,W,C] or [H,W] as H x W x C; checks the data length. */
export function asHWC(t: ArrayND, what = "array"): HWC {
  const s = t.shape;
  let hwc: [number, number, number];
  if (s.length === 4) {
    if (s[0] !== 1) throw new Error(`${what}: expected a batch of one ([1, H, W, C]), got shape [${s.join(", ")}]; slice one image first`);
    hwc = [s[1]!, s[2]!, s[3]!];
  } else if (s.length === 3) hwc = [s[0]!, s[1]!, s[2]!];
  else if (s.length === 2) hwc = [s[0]!, s[1]!, 1];
  else throw new Error(`${what}: expected shape [1, H, W, C], [H, W, C] or [H, W], got [${s.join(", ")}]`);
  if (t.data.length !== product(s)) {
    throw new Error(`${what}: shape [${s.join(", ")}] needs ${product(s)} values, got ${t.data.length}`);
  }
  if (hwc.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`${what}: bad shape [${s.join(", ")}]`);
  return { data: t.data, h: hwc[0], w: hwc[1], c: hwc[2] };
}

/** One channel of an HWC map as a dense H x W Float32Array. */
export function channel(m: HWC, c: number): Float32Array {
  if (!Number.isInteger(c) || c < 0 || c >= m.c) throw new Error(`channel ${c} out of range: the map has ${m.c} channels (0..${m.c - 1})`);
  const n = m.h * m.w;
  const out = new Float32Array(n);
  const { data, c: C } = m;
  if (C === 1 && data instanceof Float32Array) out.set(data);
  else if (data instanceof Float32Array) for (let i = 0, j = c; i < n; i++, j += C) out[i] = data[j]!;
  else for (let i = 0, j = c; i < n; i++, j += C) out[i] = data[j]!;
  return out;
}

/** Per-pixel argmax over channels (class scores -> label map), as an [H, W] array. */
export function argmax(t: ArrayND): { data: Uint8Array; shape: [number, number] } {
  const m = asHWC(t, "scores");
  if (m.c > 255) throw new Error(`argmax: ${m.c} classes do not fit a label map (at most 255)`);
  const n = m.h * m.w;
  const out = new Uint8Array(n);
  const { data, c: C } = m;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bv = data[i * C]!;
    for (let k = 1; k < C; k++) {
      const v = data[i * C + k]!;
      if (v > bv) {
        bv = v;
        best = k;
      }
    }
    out[i] = best;
  }
  return { data: out, shape: [m.h, m.w] };
}

/** A label map: one integer per pixel ([H, W], [1, H, W], [H, W, 1] or [1, H, W, 1]). */
export interface Labels {
  readonly data: ArrayLike<number>;
  readonly h: number;
  readonly w: number;
}

export function asLabels(t: ArrayND, what = "labels"): Labels {
  const s = t.shape;
  let shape: readonly number[] = s;
  if (s.length === 3 && s[0] === 1) shape = [s[1]!, s[2]!];
  if (s.length === 4 && s[0] === 1 && s[3] === 1) shape = [s[1]!, s[2]!];
  if (s.length === 3 && s[2] === 1) shape = [s[0]!, s[1]!];
  if (shape.length !== 2) throw new Error(`${what}: expected a label map [H, W], got shape [${s.join(", ")}] (scores? use argmax() first)`);
  if (t.data.length !== shape[0]! * shape[1]!) throw new Error(`${what}: shape [${s.join(", ")}] needs ${shape[0]! * shape[1]!} values, got ${t.data.length}`);
  return { data: t.data, h: shape[0]!, w: shape[1]! };
}
