/**
 * Raster content (maps, images, label maps) becomes one small PNG embedded in the SVG,
 * never thousands of <rect>s. A map larger than its on-screen box is reduced to the box
 * (area average for values and images, nearest for labels); a smaller one keeps its
 * size and is scaled up by the viewer with pixelated rendering, so no PNG is larger
 * than what is visible.
 */
import type { Labels } from "../core/arrays.js";
import type { RgbImage } from "../core/image.js";
import { IGNORE_LABEL } from "../core/labels.js";
import { ignoreHatch, VOC_PALETTE } from "../core/palette.js";
import { encodePng, FIGURE_PNG } from "../core/png.js";
import { lut, type ColorScale } from "./colors.js";

/** RGB pixels (w * h * 3 bytes) as a PNG data URI: core's encoder, with the figures' settings (FIGURE_PNG). */
function rgbDataURI(rgb: Uint8Array, w: number, h: number): string {
  const png = encodePng(w, h, rgb, FIGURE_PNG);
  return "data:image/png;base64," + Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString("base64");
}

/** Raster size for a w x h map shown in a box of bw x bh px: never more than the box. */
export function rasterSize(w: number, h: number, bw: number, bh: number): [number, number] {
  return [Math.max(1, Math.min(w, Math.round(bw))), Math.max(1, Math.min(h, Math.round(bh)))];
}

/** Area-average resampling of one channel (h x w) to oh x ow (oh <= h, ow <= w). Returns `src` itself (not a copy) when the size is unchanged and it is a Float32Array. */
export function reduceArea(src: ArrayLike<number>, h: number, w: number, oh: number, ow: number): Float32Array {
  if (oh === h && ow === w) return src instanceof Float32Array ? src : Float32Array.from(src);
  const out = new Float32Array(oh * ow);
  const sy = h / oh;
  const sx = w / ow;
  // Column spans once.
  const x0 = new Int32Array(ow);
  const x1 = new Int32Array(ow);
  for (let x = 0; x < ow; x++) {
    x0[x] = Math.floor(x * sx);
    x1[x] = Math.max(x0[x]! + 1, Math.min(w, Math.ceil((x + 1) * sx)));
  }
  for (let y = 0; y < oh; y++) {
    const ya = Math.floor(y * sy);
    const yb = Math.max(ya + 1, Math.min(h, Math.ceil((y + 1) * sy)));
    for (let x = 0; x < ow; x++) {
      const xa = x0[x]!;
      const xb = x1[x]!;
      let s = 0;
      for (let yy = ya; yy < yb; yy++) {
        const row = yy * w;
        for (let xx = xa; xx < xb; xx++) s += src[row + xx]!;
      }
      out[y * ow + x] = s / ((yb - ya) * (xb - xa));
    }
  }
  return out;
}

/** A scalar map coloured by `scale`, at most bw x bh px, as a PNG data URI. */
export function scalarRaster(values: ArrayLike<number>, h: number, w: number, scale: ColorScale, bw = w, bh = h): string {
  const [ow, oh] = rasterSize(w, h, bw, bh);
  const v = reduceArea(values, h, w, oh, ow);
  const table = lut(scale.map);
  const px = new Uint8Array(ow * oh * 3);
  for (let i = 0; i < v.length; i++) {
    const k = 3 * scale.index(v[i]!);
    px[3 * i] = table[k]!;
    px[3 * i + 1] = table[k + 1]!;
    px[3 * i + 2] = table[k + 2]!;
  }
  return rgbDataURI(px, ow, oh);
}

/** Nearest-neighbour index of output pixel o among n inputs shown as m outputs. */
function nearest(o: number, n: number, m: number): number {
  return Math.min(n - 1, Math.floor(((o + 0.5) * n) / m));
}

export interface LabelRasterOptions {
  /** Image under the labels (same size as the label map). */
  readonly image?: RgbImage;
  /** Label opacity over the image, 0..1 (default 1 without an image). */
  readonly opacity?: number;
  /** Labels drawn transparent (e.g. background in an overlay). */
  readonly skip?: ReadonlySet<number>;
  /** Darken pixels on a class boundary. */
  readonly outline?: boolean;
  /** Colour of each label, 256 x RGB (labelColors(...).table; default VOC_PALETTE). */
  readonly colors?: Uint8Array;
}

/**
 * A label map in the given colours (default VOC's; ignore = stripes), optionally over an
 * image, at most bw x bh px.
 */
export function labelRaster(labels: Labels, bw = labels.w, bh = labels.h, o: LabelRasterOptions = {}): string {
  const { h, w, data } = labels;
  const [ow, oh] = rasterSize(w, h, bw, bh);
  const colors = o.colors ?? VOC_PALETTE;
  const img = o.image ? imageReduced(o.image, ow, oh) : undefined;
  const alpha = img ? (o.opacity ?? 0.5) : 1;
  const px = new Uint8Array(ow * oh * 3);
  const lab = new Uint8Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    const sy = nearest(y, h, oh);
    for (let x = 0; x < ow; x++) lab[y * ow + x] = data[sy * w + nearest(x, w, ow)]! & 255;
  }
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const i = y * ow + x;
      const l = lab[i]!;
      let c: readonly number[] = l === IGNORE_LABEL ? ignoreHatch(x, y) : [colors[3 * l]!, colors[3 * l + 1]!, colors[3 * l + 2]!];
      let a = o.skip?.has(l) ? 0 : alpha;
      if (o.outline && ((x + 1 < ow && lab[i + 1] !== l) || (y + 1 < oh && lab[i + ow] !== l))) {
        c = [255, 255, 255];
        a = Math.max(a, 0.9);
      }
      if (img) {
        px[3 * i] = Math.round(a * c[0]! + (1 - a) * img[3 * i]!);
        px[3 * i + 1] = Math.round(a * c[1]! + (1 - a) * img[3 * i + 1]!);
        px[3 * i + 2] = Math.round(a * c[2]! + (1 - a) * img[3 * i + 2]!);
      } else {
        px[3 * i] = c[0]!;
        px[3 * i + 1] = c[1]!;
        px[3 * i + 2] = c[2]!;
      }
    }
  }
  return rgbDataURI(px, ow, oh);
}

/** An image reduced to exactly ow x oh (area average), RGB bytes. */
function imageReduced(im: RgbImage, ow: number, oh: number): Uint8Array {
  if (ow === im.width && oh === im.height) return im.rgb;
  const out = new Uint8Array(ow * oh * 3);
  const plane = new Float32Array(im.width * im.height);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane.length; i++) plane[i] = im.rgb[3 * i + c]!;
    // Labels are sampled nearest; an image larger than the box is averaged down.
    const red = ow <= im.width && oh <= im.height ? reduceArea(plane, im.height, im.width, oh, ow) : nearestPlane(plane, im.height, im.width, oh, ow);
    for (let i = 0; i < red.length; i++) out[3 * i + c] = Math.round(red[i]!);
  }
  return out;
}

function nearestPlane(src: Float32Array, h: number, w: number, oh: number, ow: number): Float32Array {
  const out = new Float32Array(oh * ow);
  for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) out[y * ow + x] = src[nearest(y, h, oh) * w + nearest(x, w, ow)]!;
  return out;
}

/** An RGB image at most bw x bh px (area average). */
export function imageRaster(im: RgbImage, bw = im.width, bh = im.height): string {
  const [ow, oh] = rasterSize(im.width, im.height, bw, bh);
  return rgbDataURI(imageReduced(im, ow, oh), ow, oh);
}

/** A vertical (bottom = low) or horizontal colour strip of a map, n px long. */
export function colorStrip(scale: ColorScale, n: number, vertical = true): string {
  const table = lut(scale.map);
  const px = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const t = vertical ? (n - 1 - i) / (n - 1) : i / (n - 1);
    const k = 3 * Math.round(t * 255);
    px.set([table[k]!, table[k + 1]!, table[k + 2]!], 3 * i);
  }
  return vertical ? rgbDataURI(px, 1, n) : rgbDataURI(px, n, 1);
}

/** A small swatch of the ignore stripes (legend entry). */
export function hatchSwatch(w: number, h: number): string {
  const px = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px.set(ignoreHatch(x, y), 3 * (y * w + x));
  return rgbDataURI(px, w, h);
}
