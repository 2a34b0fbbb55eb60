/**
 * PASCAL VOC labels and colours, from the reference definition: the colour of label
 * L interleaves L's bits into R, G, B from the most significant bit down (bit 0 -> R,
 * bit 1 -> G, bit 2 -> B, then the next three bits one place lower, ...). Label 1 is
 * (128, 0, 0), 2 is (0, 128, 0), 3 is (128, 128, 0), 15 is (192, 128, 128), and 255 (the
 * "ignore" label on object borders) is (224, 224, 192).
 */

import { VOC_CLASS_NAMES } from "../src/class-names/voc.js";

/**
 * The PASCAL VOC class names, label order. The names are the library's data
 * (src/class-names/voc.ts, with the other datasets' names); viz keeps this name for its
 * figures' default.
 */
export const VOC_CLASSES: readonly string[] = VOC_CLASS_NAMES;

/** Pixels labelled 255 are not scored (object borders, "difficult" regions). */
export const IGNORE_LABEL = 255;

export type RGB = readonly [number, number, number];

/** The VOC colour of a label (0..255) by bit interleaving. */
export function vocColor(label: number): RGB {
  if (!Number.isInteger(label) || label < 0 || label > 255) throw new Error(`VOC labels are integers 0..255, got ${label}`);
  let r = 0;
  let g = 0;
  let b = 0;
  let c = label;
  for (let j = 0; j < 8; j++) {
    r |= (c & 1) << (7 - j);
    g |= ((c >> 1) & 1) << (7 - j);
    b |= ((c >> 2) & 1) << (7 - j);
    c >>= 3;
  }
  return [r, g, b];
}

/** All 256 VOC colours, flat [r, g, b, r, g, b, ...] (the PNG palette of VOC label files). */
export const VOC_PALETTE: Uint8Array = (() => {
  const p = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) p.set(vocColor(i), 3 * i);
  return p;
})();

/** CSS hex colour of a label. */
export function labelCss(label: number): string {
  return "#" + vocColor(label).map((v) => v.toString(16).padStart(2, "0")).join("");
}

/** Name of a label: the class name, "ignore" for 255, else "class N". */
export function labelName(label: number, names: readonly string[] = VOC_CLASSES): string {
  if (label === IGNORE_LABEL) return "ignore (255)";
  return names[label] ?? `class ${label}`;
}

/** How ignore pixels are drawn: stripes of the VOC border colour on white. */
export function ignoreHatch(x: number, y: number): RGB {
  return (x + y) % 6 < 2 ? vocColor(IGNORE_LABEL) : [255, 255, 255];
}
