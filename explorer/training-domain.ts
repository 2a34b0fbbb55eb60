/**
 * Does the image look like what the weights learned from? The project's models learned
 * grey handwritten digits on black (the scenes in models/samples/); the authors' VOC and
 * PASCAL-Context nets learned photos. Either one on the other kind of image gives an
 * output that means little, and the page says so, whatever the image's way in (a sample,
 * an opened file, a dropped one). Random weights learned nothing: the page's banner says
 * that for every image.
 *
 * What an image is, by a rule the warning states: the samples by their folder
 * (models/samples/ are digit scenes, sample-images/ photos); a user's image by its pixels:
 * a digit scene is grey (R, G and B within GREY_SPREAD of each other at 99% of the pixels)
 * and mostly black (at least half the pixels below DARK), as the digit scenes are (all grey,
 * 88-94% black); the photos in sample-images/ are at most 27% grey.
 */
import { DIGIT_CLASS_NAMES, PASCAL_CONTEXT_CLASS_NAMES, VOC_CLASS_NAMES, type RgbImage } from "fcn-viz";

/** What an image is, or what weights learned from. */
export type Domain = "digits" | "photos";

export interface WeightsOrigin {
  /** What they learned from; "unknown" for a file whose class names say nothing about it. */
  readonly learned: Domain | "random" | "unknown";
  /** Their name in a sentence: "The authors' voc-fcn8s", "The project's trained models". */
  readonly who: string;
  /** The training data, for "learned photos (…)". */
  readonly data?: string;
  /** One net ("its output") or weights ("their output"). */
  readonly one?: boolean;
}

export interface ImageOrigin {
  readonly kind: Domain;
  /** For a user's image: its name and why it counts as what it does. */
  readonly user?: { readonly name: string; readonly why: string };
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((n, i) => n === b[i]);

/**
 * What the weights learned from: random weights nothing; the authors' published nets
 * photos; otherwise their class names tell (the digit models' names: digit scenes; VOC's or
 * PASCAL-Context's: photos; any other list: unknown, and no warning).
 */
export function weightsOrigin(o: {
  kind: "random" | "project" | "published" | "file";
  classNames: readonly string[];
  published?: { name: string; description: string };
}): WeightsOrigin {
  if (o.kind === "random") return { learned: "random", who: "Random weights" };
  if (o.published) return { learned: "photos", who: `The authors' ${o.published.name}`, data: o.published.description.split(":")[0]!, one: true };
  const who = o.kind === "project" ? "The project's trained models" : "These weights";
  if (same(o.classNames, DIGIT_CLASS_NAMES)) return { learned: "digits", who: o.kind === "project" ? who : `${who} (the digit models' 11 classes)` };
  if (same(o.classNames, VOC_CLASS_NAMES)) return { learned: "photos", who: `${who} (PASCAL VOC's 21 classes)`, data: "PASCAL VOC" };
  if (same(o.classNames, PASCAL_CONTEXT_CLASS_NAMES)) return { learned: "photos", who: `${who} (PASCAL-Context's 60 classes)`, data: "PASCAL-Context" };
  return { learned: "unknown", who };
}

/** Channel spread (max − min of R, G, B) up to which a pixel counts as grey (JPEG leaves a little colour). */
export const GREY_SPREAD = 16;
/** A pixel whose brightest channel is below this counts as black. */
export const DARK = 48;

/** Grey at 99% of the pixels and black at half of them: what a digit scene looks like. */
export function looksLikeDigitScene(img: RgbImage): { digits: boolean; grey: number; dark: number } {
  const n = img.width * img.height;
  let grey = 0;
  let dark = 0;
  for (let i = 0; i < 3 * n; i += 3) {
    const r = img.rgb[i]!;
    const g = img.rgb[i + 1]!;
    const b = img.rgb[i + 2]!;
    const hi = Math.max(r, g, b);
    if (hi - Math.min(r, g, b) <= GREY_SPREAD) grey++;
    if (hi < DARK) dark++;
  }
  const g = grey / (n || 1);
  const d = dark / (n || 1);
  return { digits: g >= 0.99 && d >= 0.5, grey: g, dark: d };
}

/** A sample by its folder (models/samples/: digit scenes; sample-images/: photos). */
export function sampleOrigin(from: string): ImageOrigin {
  return { kind: from === "models" ? "digits" : "photos" };
}

/** A user's image (opened or dropped) by its pixels. */
export function userImageOrigin(name: string, img: RgbImage): ImageOrigin {
  const s = looksLikeDigitScene(img);
  const pct = (v: number) => `${Math.round(100 * v)}%`;
  return s.digits
    ? { kind: "digits", user: { name, why: `it is grey and mostly black (${pct(s.dark)} of its pixels), like the digit scenes` } }
    : { kind: "photos", user: { name, why: `only a grey image that is mostly black counts as a digit scene, and ${pct(s.grey)} of its pixels are grey, ${pct(s.dark)} black` } };
}

/**
 * The warning when the weights meet an image unlike their training data, else null.
 * `scenes`: the digit scenes the page offers, named as examples.
 */
export function mismatchWarning(w: WeightsOrigin, img: ImageOrigin, scenes: readonly string[]): string | null {
  const their = w.one ? "its" : "their";
  const yours = img.user ? ` Your image ${img.user.name} counts as ${img.kind === "digits" ? "a digit scene" : "a photo"}: ${img.user.why}.` : "";
  if (w.learned === "digits" && img.kind === "photos") {
    return `${w.who} learned handwritten digits on a black background (${scenes.join(", ") || "the digit test scenes"} are such inputs); on a photo ${their} output means little.${yours}`;
  }
  if (w.learned === "photos" && img.kind === "digits") {
    return `${w.who} learned photos${w.data ? ` (${w.data})` : ""}; on a digit scene ${their} output means little: pick a photo.${yours}`;
  }
  return null;
}
