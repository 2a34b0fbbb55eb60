/**
 * Class colours. Two palettes, chosen by the class names (classColors):
 *
 * - "voc": PASCAL VOC's colour map by label, for VOC and PASCAL-Context nets (whose label
 *   files use it) and any other class list. From the reference definition: the colour of label
 * L interleaves L's bits into R, G, B from the most significant bit down (bit 0 -> R,
 * bit 1 -> G, bit 2 -> B, then the next three bits one place lower, ...). Label 1 is
 * (128, 0, 0), 2 is (0, 128, 0), 3 is (128, 128, 0), 15 is (192, 128, 128), and 255 (the
 * "ignore" label on object borders) is (224, 224, 192).
 * - "categorical": background black and ten colours that stay apart on a black canvas and
 *   for colour-blind readers, for the digit models (VOC's labels 1..10 are dark reds,
 *   greens and navies: invisible on black, and three near-identical reds for protans).
 */

import { rgb as d3rgb } from "d3-color";
import { DIGIT_CLASS_NAMES } from "./class-names/digits.js";
import { VOC_CLASS_NAMES } from "./class-names/voc.js";
import { IGNORE_LABEL } from "./labels.js";

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
export function labelName(label: number, names: readonly string[] = VOC_CLASS_NAMES): string {
  if (label === IGNORE_LABEL) return "ignore (255)";
  return names[label] ?? `class ${label}`;
}

/** How ignore pixels are drawn: stripes of the VOC border colour on white. */
export function ignoreHatch(x: number, y: number): RGB {
  return (x + y) % 6 < 2 ? vocColor(IGNORE_LABEL) : [255, 255, 255];
}

/** A palette for class labels: VOC's colour map by label, or the categorical one for black canvases. */
export type PaletteName = "voc" | "categorical";

/**
 * Background (label 0) black, then ten colours for labels 1..10 (the digits 0..9 of the
 * digit scenes). Chosen by a max-min search over sRGB (lightness L* >= 50 and chroma >= 25,
 * so thin strokes show on black) and kept because the check in test/viz/palette.test.ts
 * passes: CIEDE2000 between every two of the 11 colours is at least 14 in normal vision
 * and under protanopia, deuteranopia and tritanopia (Machado, Oliveira & Fernandes 2009,
 * severity 1, on linear sRGB), and every colour is at least 10 from the ignore colour
 * (224, 224, 192). VOC's labels 0..10 reach 0.7 (protanopia) in the same check.
 */
export const CATEGORICAL_PALETTE: readonly RGB[] = [
  [0, 0, 0], // background
  [0x22, 0x88, 0x55], // green
  [0xcc, 0x88, 0x99], // dusty pink
  [0x22, 0x77, 0xff], // blue
  [0x99, 0xbb, 0x77], // sage
  [0xee, 0x11, 0x00], // red
  [0xbb, 0xaa, 0xdd], // lavender
  [0xdd, 0xff, 0xaa], // pale lime
  [0x99, 0xff, 0xee], // pale cyan
  [0xdd, 0x22, 0x99], // magenta
  [0xff, 0xcc, 0x00], // gold
];

const sameNames = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((n, i) => n === b[i]);

/**
 * The palette class names call for: "categorical" for the digit models' names
 * (background, digit 0 .. digit 9), "voc" for every other list (VOC, PASCAL-Context,
 * ImageNet, unnamed classes).
 */
export function paletteFor(names: readonly string[]): PaletteName {
  return sameNames(names, DIGIT_CLASS_NAMES) ? "categorical" : "voc";
}

/**
 * One CSS colour ("#rrggbb") per class, label order: what the figures' `classColors`
 * option takes. `palette` "auto" (default) picks by the names (paletteFor).
 */
export function classColors(names: readonly string[], palette: PaletteName | "auto" = "auto"): string[] {
  const p = palette === "auto" ? paletteFor(names) : palette;
  if (p === "categorical") {
    if (names.length > CATEGORICAL_PALETTE.length) {
      throw new Error(`classColors: the categorical palette has ${CATEGORICAL_PALETTE.length} colours, ${names.length} classes need palette "voc"`);
    }
    return names.map((_, l) => cssOf(CATEGORICAL_PALETTE[l]!));
  }
  if (p !== "voc") throw new Error(`classColors: unknown palette "${String(p)}" (use "voc", "categorical" or "auto")`);
  return names.map((_, l) => labelCss(l));
}

function cssOf(c: RGB): string {
  return "#" + c.map((v) => v.toString(16).padStart(2, "0")).join("");
}

/** RGB of a CSS colour ("#rrggbb", "rgb(...)", a name), or an error naming it. */
export function cssToRgb(css: string): RGB {
  const c = d3rgb(css);
  if (!c.displayable() || [c.r, c.g, c.b].some((v) => Number.isNaN(v))) throw new Error(`not a CSS colour: ${JSON.stringify(css)}`);
  return [Math.round(c.r), Math.round(c.g), Math.round(c.b)];
}

/** Label colours as a figure uses them. */
export interface LabelColors {
  /** CSS colour of a label. */
  css(label: number): string;
  /** 256 x RGB lookup (labelRaster). */
  readonly table: Uint8Array;
}

/**
 * The colours a figure draws labels in: `given` (the figure's `classColors` option), else
 * classColors(names). Labels beyond the list keep their VOC colour.
 */
export function labelColors(names: readonly string[], given?: readonly string[]): LabelColors {
  const list = given ?? classColors(names);
  const table = Uint8Array.from(VOC_PALETTE);
  const css: string[] = [];
  list.forEach((c, l) => {
    if (l >= 256) return;
    const v = cssToRgb(c);
    table.set(v, 3 * l);
    css[l] = cssOf(v);
  });
  return { table, css: (l) => css[l] ?? labelCss(l) };
}
