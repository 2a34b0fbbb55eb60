/**
 * Resizing RGB images deterministically in plain JavaScript (no tfjs, no canvas), so the
 * CLI (`segment --max-side`), a browser page and a test turn the same photo into the same
 * network input, byte for byte. (The explorer uses it through explorer/image.ts.)
 */
import type { RgbImage } from "../../core/image.js";

/**
 * Resize RGB pixels to h x w. Shrinking averages the exact area each output pixel
 * covers (no aliasing); enlarging interpolates bilinearly (pixel centres aligned).
 * Rounded to bytes. Pure float64 arithmetic: identical results everywhere.
 */
export function resizeRgb(img: RgbImage, h: number, w: number): RgbImage {
  const { width: W, height: H, rgb } = img;
  if (h === H && w === W) return img;
  if (!(h >= 1 && w >= 1 && Number.isInteger(h) && Number.isInteger(w))) throw new Error(`resizeRgb: bad size ${w}x${h}`);
  const out = new Uint8Array(h * w * 3);
  const xs = axisWeights(W, w);
  const ys = axisWeights(H, h);
  const acc = new Float64Array(3);
  for (let y = 0; y < h; y++) {
    const ry = ys[y]!;
    for (let x = 0; x < w; x++) {
      const rx = xs[x]!;
      acc.fill(0);
      for (let a = 0; a < ry.idx.length; a++) {
        const row = ry.idx[a]! * W;
        const wy = ry.wt[a]!;
        for (let b = 0; b < rx.idx.length; b++) {
          const k = wy * rx.wt[b]!;
          const p = (row + rx.idx[b]!) * 3;
          acc[0]! += k * rgb[p]!;
          acc[1]! += k * rgb[p + 1]!;
          acc[2]! += k * rgb[p + 2]!;
        }
      }
      const o = (y * w + x) * 3;
      out[o] = Math.min(255, Math.max(0, Math.round(acc[0]!)));
      out[o + 1] = Math.min(255, Math.max(0, Math.round(acc[1]!)));
      out[o + 2] = Math.min(255, Math.max(0, Math.round(acc[2]!)));
    }
  }
  return { width: w, height: h, rgb: out };
}

/** Per output index along one axis: source indices and weights (summing to 1). */
function axisWeights(n: number, m: number): { idx: number[]; wt: number[] }[] {
  const out: { idx: number[]; wt: number[] }[] = [];
  if (m <= n) {
    // Area average: output pixel o covers [o * n/m, (o+1) * n/m) of the source.
    const s = n / m;
    for (let o = 0; o < m; o++) {
      const a = o * s;
      const b = (o + 1) * s;
      const idx: number[] = [];
      const wt: number[] = [];
      for (let i = Math.floor(a); i < Math.min(n, Math.ceil(b)); i++) {
        const cover = Math.min(b, i + 1) - Math.max(a, i);
        if (cover > 0) {
          idx.push(i);
          wt.push(cover / s);
        }
      }
      out.push({ idx, wt });
    }
  } else {
    // Bilinear, centres aligned: source coordinate (o + 0.5) * n/m - 0.5, clamped.
    for (let o = 0; o < m; o++) {
      const c = Math.min(n - 1, Math.max(0, ((o + 0.5) * n) / m - 0.5));
      const i = Math.floor(c);
      const f = c - i;
      out.push(f > 0 && i + 1 < n ? { idx: [i, i + 1], wt: [1 - f, f] } : { idx: [i], wt: [1] });
    }
  }
  return out;
}
