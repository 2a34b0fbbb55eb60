import { DIGIT_SIZE } from "./digits.js";

/**
 * Draws one 28x28 digit (bytes 0..255) scaled by `scale` with its top-left corner at
 * (x0, y0) canvas pixels, into `out` (width x height, ink 0..1, row-major), by bilinear
 * sampling: canvas pixel centre (px + 0.5) reads the digit at (px + 0.5 - x0) / scale - 0.5
 * in digit pixels (0 outside the digit). Writes only the digit's box, and returns it.
 */
export function drawDigit(
  out: Float32Array,
  width: number,
  height: number,
  pixels: Uint8Array,
  scale: number,
  x0: number,
  y0: number,
): { x: number; y: number; w: number; h: number } {
  const side = DIGIT_SIZE * scale;
  const xa = Math.max(0, Math.floor(x0));
  const ya = Math.max(0, Math.floor(y0));
  const xb = Math.min(width, Math.ceil(x0 + side));
  const yb = Math.min(height, Math.ceil(y0 + side));
  const at = (i: number, j: number) => (i < 0 || j < 0 || i >= DIGIT_SIZE || j >= DIGIT_SIZE ? 0 : pixels[i * DIGIT_SIZE + j]!);
  for (let py = ya; py < yb; py++) {
    const v = (py + 0.5 - y0) / scale - 0.5;
    const i0 = Math.floor(v);
    const fy = v - i0;
    for (let px = xa; px < xb; px++) {
      const u = (px + 0.5 - x0) / scale - 0.5;
      const j0 = Math.floor(u);
      const fx = u - j0;
      const top = at(i0, j0) * (1 - fx) + at(i0, j0 + 1) * fx;
      const bottom = at(i0 + 1, j0) * (1 - fx) + at(i0 + 1, j0 + 1) * fx;
      out[py * width + px] = (top * (1 - fy) + bottom * fy) / 255;
    }
  }
  return { x: xa, y: ya, w: Math.max(0, xb - xa), h: Math.max(0, yb - ya) };
}
