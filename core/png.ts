/**
 * The project's one PNG encoder: the CLI's overlays, the training figures and the rasters
 * embedded in every viz figure. pngjs does the work (its browser build, with a `Buffer`
 * global, in the explorer: see explorer/shims/buffer-global.ts).
 */
import { PNG } from "pngjs";

export interface PngEncodeOptions {
  /**
   * The row filter: "adaptive" (default) lets pngjs choose per row, for the smallest file;
   * "paeth" uses the one fixed filter, about 3x faster and about as small on maps and photos
   * (FIGURE_PNG, what the figures' rasters use).
   */
  readonly filter?: "adaptive" | "paeth";
  /** zlib level, 0..9 (default 9). */
  readonly deflateLevel?: number;
}

/** What the figures embed: fast to write, one small PNG per raster. */
export const FIGURE_PNG: PngEncodeOptions = { filter: "paeth", deflateLevel: 6 };

/**
 * Encodes RGB (width * height * 3 bytes) or RGBA (width * height * 4 bytes) pixels,
 * row-major, as an 8-bit PNG.
 */
export function encodePng(width: number, height: number, pixels: Uint8Array | Uint8ClampedArray, o: PngEncodeOptions = {}): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new Error(`encodePng: invalid size ${width}x${height}`);
  }
  const n = width * height;
  let colorType: 2 | 6;
  if (pixels.length === n * 3) colorType = 2;
  else if (pixels.length === n * 4) colorType = 6;
  else {
    throw new Error(`encodePng: ${width}x${height} needs ${n * 3} (RGB) or ${n * 4} (RGBA) bytes, got ${pixels.length}`);
  }
  const data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  const out = PNG.sync.write({ width, height, data } as PNG, {
    colorType,
    inputColorType: colorType,
    inputHasAlpha: colorType === 6,
    ...(o.deflateLevel !== undefined ? { deflateLevel: o.deflateLevel } : {}),
    ...(o.filter === "paeth" ? { filterType: 4 } : {}),
  });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
