/**
 * The project's one image type: RGB bytes with their size. The decoder gives it
 * (src/io/image.ts, with where the file came from), the model takes it
 * (Model.inputFromImage), the resize and the figures read it, encodePng writes it.
 */
import { asHWC, type ArrayND } from "./arrays.js";

/** An RGB image: width x height pixels, 3 bytes each (0..255), row-major. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** width * height * 3 bytes. */
  readonly rgb: Uint8Array;
}

/**
 * An image as the figures accept it: an RgbImage; an ArrayND of shape [H, W, 3|4] or
 * [1, H, W, 3|4], 0..255; or an ImageData-like { width, height, data } with 3 or 4 values
 * per pixel (RGBA, as pngjs and canvas give).
 */
export type ImageInput = RgbImage | ArrayND | { readonly width: number; readonly height: number; readonly data: ArrayLike<number> };

/** Any ImageInput as an RgbImage (an RgbImage itself is returned as it is, checked). */
export function asRGB(img: ImageInput, what = "image"): RgbImage {
  if ("rgb" in img) {
    if (img.rgb.length !== img.width * img.height * 3) {
      throw new Error(`${what}: ${img.width}x${img.height} RGB needs ${img.width * img.height * 3} bytes, got ${img.rgb.length}`);
    }
    return img;
  }
  let h: number;
  let w: number;
  let c: number;
  if ("shape" in img) {
    const m = asHWC(img, what);
    if (m.c !== 3 && m.c !== 4) throw new Error(`${what}: expected 3 (RGB) or 4 (RGBA) channels, got ${m.c}`);
    ({ h, w, c } = m);
  } else {
    h = img.height;
    w = img.width;
    c = img.data.length / (h * w);
    if (c !== 3 && c !== 4) throw new Error(`${what}: ${img.data.length} values for ${w}x${h} pixels is neither RGB nor RGBA`);
  }
  const src = img.data;
  const out = new Uint8Array(h * w * 3);
  for (let i = 0, j = 0; i < out.length; i += 3, j += c) {
    out[i] = src[j]!;
    out[i + 1] = src[j + 1]!;
    out[i + 2] = src[j + 2]!;
  }
  return { width: w, height: h, rgb: out };
}
