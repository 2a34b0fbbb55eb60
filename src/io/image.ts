/**
 * PNG and JPEG in, as plain RGB bytes (an RgbImage: what the network's preprocessing takes).
 *
 * Decisions:
 * - The type comes from the magic bytes, not the file name: a ".png" that is really a JPEG
 *   still decodes, and a text file named ".jpg" gets an error that says it is text.
 * - Transparency is composited over white, not dropped. Dropping alpha exposes whatever
 *   colour the encoder left under transparent pixels (often black, sometimes garbage from
 *   an earlier edit), so the network would segment invisible content. White is what
 *   viewers and browsers show by default, so the net sees what the user saw. `hadAlpha`
 *   tells callers it happened.
 * - JPEG EXIF orientation is applied (phone photos are stored sideways with an orientation
 *   tag); otherwise overlays would come out rotated relative to what every viewer shows.
 */
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import type { RgbImage } from "../../core/image.js";
import { describeContent } from "./npy.js";

/** A decoded file: the image (width * height * 3 bytes, row-major, RGB) and where it came from. */
export interface DecodedImage extends RgbImage {
  readonly format: "png" | "jpeg";
  /** The file had an alpha channel / transparency, composited over white. */
  readonly hadAlpha: boolean;
  /** The EXIF orientation (2..8) that was applied to a JPEG, if any. */
  readonly exifOrientation?: number;
}

/** jpeg-js's memory cap: 8000x8000 needs ~64 MP x (3 output + 3 component planes + ...) bytes. */
const JPEG_MAX_MEMORY_MB = 2048;
const JPEG_MAX_MEGAPIXELS = 100;

const isPng = (b: Uint8Array) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v);
const isJpeg = (b: Uint8Array) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** Decode a PNG or JPEG (by content) to RGB. `name` is only used in error messages. */
export function decodeImage(bytes: Uint8Array, name = "image"): DecodedImage {
  if (isPng(bytes)) return decodePng(bytes, name);
  if (isJpeg(bytes)) return decodeJpeg(bytes, name);
  throw new Error(
    `${name}: not a PNG or JPEG image: it looks like ${describeContent(bytes)}. Accepted image types: PNG, JPEG` +
      " (convert others, e.g. with `convert in.webp out.png`).",
  );
}

/**
 * An image's displayed size (EXIF orientation applied) from its header alone, without
 * decoding: the CLI plans memory for a 4000x3000 photo before spending a second on its
 * pixels. Throws decodeImage's errors for what is not a PNG or JPEG, or has no readable
 * header.
 */
export function imageSize(bytes: Uint8Array, name = "image"): { width: number; height: number } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isPng(bytes)) {
    // The IHDR chunk comes first: length, "IHDR", width, height (big-endian).
    if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== "IHDR") {
      throw new Error(`${name}: corrupt PNG: the file ends before its header (IHDR) is complete (a truncated download?)`);
    }
    return { width: v.getUint32(16), height: v.getUint32(20) };
  }
  if (!isJpeg(bytes)) decodeImage(bytes, name); // throws the "not a PNG or JPEG" error
  // Walk the marker segments to the first frame header (SOF0..SOF15, not DHT/JPG/DAC),
  // noting the EXIF block on the way for the orientation.
  let orientation = 1;
  for (let at = 2; at + 4 <= bytes.length; ) {
    if (bytes[at] !== 0xff) break;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    const length = v.getUint16(at + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > bytes.length) break;
      const height = v.getUint16(at + 5);
      const width = v.getUint16(at + 7);
      return orientation >= 5 ? { width: height, height: width } : { width, height };
    }
    if (marker === 0xe1 && String.fromCharCode(...bytes.subarray(at + 4, at + 8)) === "Exif") {
      orientation = exifOrientation(bytes.subarray(at + 10, at + 2 + length));
    }
    at += 2 + length;
  }
  throw new Error(`${name}: corrupt JPEG: no frame header found (a truncated download?)`);
}

function decodePng(bytes: Uint8Array, name: string): DecodedImage {
  let png: { width: number; height: number; data: Uint8Array; alpha?: boolean };
  try {
    // pngjs expands every colour type / bit depth to 8-bit RGBA (16-bit is rescaled).
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as typeof png;
  } catch (e) {
    throw new Error(`${name}: corrupt or unsupported PNG: ${pngError(e)}`);
  }
  const { rgb, hadAlpha } = rgbaToRgbOverWhite(png.data, png.width * png.height);
  return { width: png.width, height: png.height, rgb, format: "png", hadAlpha };
}

function decodeJpeg(bytes: Uint8Array, name: string): DecodedImage {
  let img: { width: number; height: number; data: Uint8Array; exifBuffer?: Uint8Array };
  try {
    img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false, // 3 bytes/pixel for gray, YCbCr and CMYK files alike
      maxMemoryUsageInMB: JPEG_MAX_MEMORY_MB,
      maxResolutionInMP: JPEG_MAX_MEGAPIXELS,
    }) as typeof img;
  } catch (e) {
    throw new Error(`${name}: corrupt or unsupported JPEG: ${e instanceof Error ? e.message : String(e)}`);
  }
  const orientation = img.exifBuffer ? exifOrientation(img.exifBuffer) : 1;
  if (orientation > 1 && orientation <= 8) {
    const o = orient(img.data, img.width, img.height, orientation);
    return { ...o, format: "jpeg", hadAlpha: false, exifOrientation: orientation };
  }
  return { width: img.width, height: img.height, rgb: img.data, format: "jpeg", hadAlpha: false };
}

/** pngjs's messages in words: a cut-off file reads "read requests waitng on finished stream". */
function pngError(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  if (/finished stream|unexpected end|premature end|ended? (early|before)/i.test(text)) {
    return "the file ends before the image data does (a truncated download or an interrupted copy?)";
  }
  return text;
}

function rgbaToRgbOverWhite(rgba: Uint8Array, pixels: number): { rgb: Uint8Array; hadAlpha: boolean } {
  const rgb = new Uint8Array(pixels * 3);
  let hadAlpha = false;
  for (let p = 0; p < pixels; p++) {
    const a = rgba[4 * p + 3]!;
    if (a === 255) {
      rgb[3 * p] = rgba[4 * p]!;
      rgb[3 * p + 1] = rgba[4 * p + 1]!;
      rgb[3 * p + 2] = rgba[4 * p + 2]!;
    } else {
      hadAlpha = true;
      const w = 255 * (255 - a);
      for (let c = 0; c < 3; c++) rgb[3 * p + c] = Math.round((rgba[4 * p + c]! * a + w) / 255);
    }
  }
  return { rgb, hadAlpha };
}

/**
 * The orientation tag (0x0112) of IFD0 in an EXIF block, 1 when absent or unreadable.
 * jpeg-js hands over the APP1 payload after "Exif\0", so the TIFF header starts at 0 or 1.
 */
export function exifOrientation(exif: Uint8Array): number {
  for (const start of [0, 1, 2]) {
    const b0 = exif[start];
    const b1 = exif[start + 1];
    const little = b0 === 0x49 && b1 === 0x49; // "II"
    if (!little && !(b0 === 0x4d && b1 === 0x4d)) continue; // "MM"
    const v = new DataView(exif.buffer, exif.byteOffset + start, exif.byteLength - start);
    try {
      if (v.getUint16(2, little) !== 42) return 1;
      const ifd = v.getUint32(4, little);
      const n = v.getUint16(ifd, little);
      for (let i = 0; i < n; i++) {
        const e = ifd + 2 + 12 * i;
        if (v.getUint16(e, little) === 0x0112) {
          const o = v.getUint16(e + 8, little);
          return o >= 1 && o <= 8 ? o : 1;
        }
      }
    } catch {
      return 1; // truncated EXIF: ignore it rather than refuse the photo
    }
    return 1;
  }
  return 1;
}

/** Apply an EXIF orientation (2..8): the pixels as a viewer displays them. */
function orient(src: Uint8Array, w: number, h: number, o: number): { width: number; height: number; rgb: Uint8Array } {
  const swap = o >= 5;
  const W = swap ? h : w;
  const H = swap ? w : h;
  const out = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let sx: number, sy: number;
      switch (o) {
        case 2: sx = w - 1 - x; sy = y; break; // mirrored
        case 3: sx = w - 1 - x; sy = h - 1 - y; break; // rotated 180
        case 4: sx = x; sy = h - 1 - y; break; // flipped vertically
        case 5: sx = y; sy = x; break; // transposed
        case 6: sx = y; sy = h - 1 - x; break; // rotate 90 clockwise to display
        case 7: sx = w - 1 - y; sy = h - 1 - x; break; // transversed
        default: sx = w - 1 - y; sy = x; break; // 8: rotate 90 counter-clockwise
      }
      const s = 3 * (sy * w + sx);
      const d = 3 * (y * W + x);
      out[d] = src[s]!;
      out[d + 1] = src[s + 1]!;
      out[d + 2] = src[s + 2]!;
    }
  }
  return { width: W, height: H, rgb: out };
}
