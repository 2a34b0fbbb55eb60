/**
 * Seeded synthetic data shaped like the model's taps, for tests, the benchmark and
 * demos without weights. Deterministic: the same seed gives the same arrays everywhere.
 */
import type { ArrayND } from "../core/arrays.js";
import { prng } from "../core/prng.js";

interface Blob {
  x: number;
  y: number;
  s: number;
  amp: number;
}

function blobs(rand: () => number, n: number, h: number, w: number, signed: boolean): Blob[] {
  return Array.from({ length: n }, () => ({
    x: rand() * w,
    y: rand() * h,
    s: (0.06 + 0.22 * rand()) * Math.min(h, w),
    amp: signed ? rand() * 2 - 1 : rand(),
  }));
}

/**
 * A [1, h, w, c] activation-like map: per channel a sum of Gaussian blobs (ReLU'd
 * unless `signed`), with per-channel gains so channels differ in strength.
 */
export function syntheticTap(h: number, w: number, c: number, seed = 1, signed = false): ArrayND & { data: Float32Array } {
  const rand = prng(seed);
  const data = new Float32Array(h * w * c);
  for (let k = 0; k < c; k++) {
    const gain = 0.2 + 4 * rand() * rand();
    const bs = blobs(rand, 1 + Math.floor(rand() * 3), h, w, signed);
    const rows = new Float32Array(h);
    for (const b of bs) {
      const inv = 1 / (2 * b.s * b.s);
      for (let y = 0; y < h; y++) rows[y] = Math.exp(-((y - b.y) ** 2) * inv);
      for (let x = 0; x < w; x++) {
        const gx = b.amp * gain * Math.exp(-((x - b.x) ** 2) * inv);
        for (let y = 0; y < h; y++) data[(y * w + x) * c + k]! += gx * rows[y]!;
      }
    }
    if (!signed) for (let i = k; i < data.length; i += c) data[i] = Math.max(0, data[i]! - 0.1 * gain);
  }
  return { data, shape: [1, h, w, c] };
}

/**
 * Class scores [1, h, w, classes] with a few objects: background high everywhere,
 * each object a blob raising its class. `objects` are [class, cy, cx, radius] in
 * relative coordinates (0..1).
 */
export function syntheticScores(
  h: number,
  w: number,
  classes = 21,
  seed = 2,
  objects: ReadonlyArray<readonly [number, number, number, number]> = [
    [15, 0.45, 0.4, 0.25],
    [12, 0.7, 0.75, 0.18],
    [9, 0.25, 0.78, 0.12],
  ],
): ArrayND & { data: Float32Array } {
  const rand = prng(seed);
  const data = new Float32Array(h * w * classes);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * classes;
      for (let k = 0; k < classes; k++) data[i + k] = -2 + rand() * 1.5;
      data[i] = 2 + 0.5 * rand();
      for (const [cls, cy, cx, rad] of objects) {
        const d = Math.hypot((y + 0.5) / h - cy, (x + 0.5) / w - cx) / rad;
        data[i + cls] = Math.max(data[i + cls]!, 6 * (1 - d * d) + 0.8 * rand());
      }
    }
  }
  return { data, shape: [1, h, w, classes] };
}

/** A smooth RGB test image [h, w, 3] (0..255): sky, ground, a disc, a square. */
export function syntheticImage(h: number, w: number, seed = 3, noise = 16): ArrayND & { data: Uint8Array } {
  const rand = prng(seed);
  const data = new Uint8Array(h * w * 3);
  const cx = 0.4 * w;
  const cy = 0.45 * h;
  const rad = 0.25 * Math.min(h, w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 3 * (y * w + x);
      const t = y / h;
      let c = t < 0.6 ? [120 + 80 * t, 170 + 60 * t, 230] : [90 + 40 * t, 130 - 30 * t, 70];
      if (Math.hypot(x - cx, y - cy) < rad) c = [200 - 0.2 * (x - cx), 120 + 0.3 * (y - cy), 90];
      if (x > 0.62 * w && x < 0.88 * w && y > 0.55 * h && y < 0.85 * h) c = [140, 100, 60];
      const n = (rand() - 0.5) * noise;
      data[i] = Math.max(0, Math.min(255, c[0]! + n));
      data[i + 1] = Math.max(0, Math.min(255, c[1]! + n));
      data[i + 2] = Math.max(0, Math.min(255, c[2]! + n));
    }
  }
  return { data, shape: [h, w, 3] };
}

/** A label map [h, w] matching syntheticImage: person disc, dog square, ignore borders. */
export function syntheticLabels(h: number, w: number, border = 2): ArrayND & { data: Uint8Array } {
  const data = new Uint8Array(h * w);
  const cx = 0.4 * w;
  const cy = 0.45 * h;
  const rad = 0.25 * Math.min(h, w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const d = Math.hypot(x - cx, y - cy);
      let l = 0;
      if (d < rad) l = 15;
      const inSq = x > 0.62 * w && x < 0.88 * w && y > 0.55 * h && y < 0.85 * h;
      if (inSq) l = 12;
      const nearSq =
        x > 0.62 * w - border && x < 0.88 * w + border && y > 0.55 * h - border && y < 0.85 * h + border && !(x > 0.62 * w + border && x < 0.88 * w - border && y > 0.55 * h + border && y < 0.85 * h - border);
      if (Math.abs(d - rad) < border || nearSq) l = 255;
      data[y * w + x] = l;
    }
  }
  return { data, shape: [h, w] };
}

/**
 * A plausible prediction from a label map: each class's indicator blurred over
 * `coarse` px (and shifted a little), then argmax, mimicking the smooth, blobby FCN-32s
 * (large `coarse`) versus the sharper FCN-8s (small `coarse`). Ignore pixels do not vote.
 */
export function syntheticPrediction(truth: ArrayND, coarse: number, seed = 4): ArrayND & { data: Uint8Array } {
  const [h, w] = [truth.shape[0]!, truth.shape[1]!];
  const rand = prng(seed);
  const ox = Math.round((rand() - 0.5) * coarse * 0.5);
  const oy = Math.round((rand() - 0.5) * coarse * 0.5);
  const present = [...new Set(Array.from(truth.data as ArrayLike<number>))].filter((l) => l !== 255).sort((a, b) => a - b);
  const rad = Math.max(1, Math.round(coarse / 2));
  const best = new Float32Array(h * w).fill(-1);
  const data = new Uint8Array(h * w);
  const plane = new Float32Array(h * w);
  const tmp = new Float32Array(h * w);
  for (const cls of present) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const sy = Math.min(h - 1, Math.max(0, y + oy));
        const sx = Math.min(w - 1, Math.max(0, x + ox));
        plane[y * w + x] = truth.data[sy * w + sx] === cls ? 1 : 0;
      }
    }
    boxBlur(plane, tmp, h, w, rad);
    const bias = cls === 0 ? 0.08 : 0; // small objects lose to background, as in coarse nets
    for (let i = 0; i < h * w; i++) {
      const v = plane[i]! + bias;
      if (v > best[i]!) {
        best[i] = v;
        data[i] = cls;
      }
    }
  }
  return { data, shape: [h, w] };
}

/** In-place separable box blur of radius rad (prefix sums, clamped edges). */
function boxBlur(a: Float32Array, tmp: Float32Array, h: number, w: number, rad: number): void {
  const row = new Float64Array(Math.max(h, w) + 1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) row[x + 1] = row[x]! + a[y * w + x]!;
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - rad);
      const x1 = Math.min(w, x + rad + 1);
      tmp[y * w + x] = (row[x1]! - row[x0]!) / (x1 - x0);
    }
  }
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) row[y + 1] = row[y]! + tmp[y * w + x]!;
    for (let y = 0; y < h; y++) {
      const y0 = Math.max(0, y - rad);
      const y1 = Math.min(h, y + rad + 1);
      a[y * w + x] = (row[y1]! - row[y0]!) / (y1 - y0);
    }
  }
}

/**
 * Class scores [1, h, w, classes] of a blob whose pixels sit on the input by
 * `coordMap` (blob = a * image + b): the same scene (objects in input coordinates) seen
 * at the blob's stride, blurrier for coarser blobs. For upsampling/fusion figures.
 */
export function syntheticStageScores(
  h: number,
  w: number,
  coordMap: { a: number; b: number },
  imageSize: readonly [number, number],
  classes = 21,
  seed = 7,
  o: { soft?: number; gain?: number; noise?: number; spurious?: boolean } = {},
): ArrayND & { data: Float32Array } {
  const [H, W] = imageSize;
  const rand = prng(seed);
  const stride = 1 / coordMap.a;
  const objects: Array<readonly [number, number, number, number]> = [
    [15, 0.45 * H, 0.4 * W, 0.25 * Math.min(H, W)],
    [12, 0.7 * H, 0.75 * W, 0.15 * Math.min(H, W)],
  ];
  // A shallow layer's false alarm: a small person-like blob elsewhere.
  if (o.spurious) objects.push([15, 0.2 * H, 0.8 * W, 0.06 * Math.min(H, W)]);
  const gain = o.gain ?? 4;
  const noise = o.noise ?? 0.2;
  const data = new Float32Array(h * w * classes);
  const soft = o.soft ?? Math.max(8, stride * 0.9);
  for (let i = 0; i < h; i++) {
    const y = (i - coordMap.b) / coordMap.a;
    for (let j = 0; j < w; j++) {
      const x = (j - coordMap.b) / coordMap.a;
      const k = (i * w + j) * classes;
      for (let c = 0; c < classes; c++) data[k + c] = -3 + rand() * 1.2;
      data[k] = 1.5 + 0.3 * rand();
      for (const [cls, cy, cx, rad] of objects) {
        const d = Math.hypot(y - cy, x - cx) - rad;
        data[k + cls] = Math.max(data[k + cls]!, gain * Math.tanh(-d / soft) + noise * (rand() - 0.5) * 2);
      }
    }
  }
  return { data, shape: [1, h, w, classes] };
}
