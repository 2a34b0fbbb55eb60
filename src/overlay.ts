import { VOC_PALETTE } from "../core/palette.js";

/**
 * Image + label map blended at `alpha` with the class colours (256 x RGB; default the VOC
 * palette; a model's own: labelColors(classNames).table from core/palette.ts), as RGB bytes
 * of the image's size: the CLI's --out picture. Background (0) and ignore (255) leave the
 * photo as it is, so the objects stand out.
 */
export function overlayPixels(rgb: Uint8Array, labels: ArrayLike<number>, alpha: number, colors: Uint8Array = VOC_PALETTE): Uint8Array {
  if (labels.length * 3 !== rgb.length) throw new Error(`label map has ${labels.length} pixels, image ${rgb.length / 3}`);
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    const a = l === 0 || l === 255 ? 0 : alpha;
    for (let c = 0; c < 3; c++) out[3 * i + c] = Math.round((1 - a) * rgb[3 * i + c]! + a * colors[3 * l + c]!);
  }
  return out;
}
