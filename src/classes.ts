/**
 * Class names for a model's outputs. The weights know what their classes are, so their
 * metadata comes first (WeightsMeta.classNames, which the project's writers store, then
 * the notes keys other tools use); a file that says nothing gets names from its class
 * count, which tells the published datasets apart (21 PASCAL VOC, 60 PASCAL-Context,
 * 1000 ImageNet, 11 the project's digits); any other count gets "class N". The returned
 * `source` says which, so a page never presents a guess as a fact.
 * The lists themselves are in core/class-names/.
 * Colours follow the names: core/palette.ts's classColors(names) gives the digit models
 * their own palette (made for a black canvas) and every other list the VOC colours.
 */
import { IMAGENET_CLASS_NAMES } from "../core/class-names/imagenet.js";
import { PASCAL_CONTEXT_CLASS_NAMES } from "../core/class-names/pascal-context.js";
import { DIGIT_CLASS_NAMES } from "../core/class-names/digits.js";
import { VOC_CLASS_NAMES } from "../core/class-names/voc.js";
import type { WeightsMeta } from "./weights/types.js";

/**
 * Keys of WeightsMeta.notes that may hold class names in files written by other tools:
 * a JSON array, or names separated by commas.
 */
export const CLASS_NAME_KEYS = ["class_names", "classNames", "labels"] as const;

export interface ClassNames {
  readonly names: readonly string[];
  /** Where they come from, for the page. */
  readonly source: string;
}

/** The lists a class count alone points to, most specific first. */
const BY_COUNT: readonly { readonly names: readonly string[]; readonly what: string }[] = [
  { names: VOC_CLASS_NAMES, what: "PASCAL VOC (background + 20 classes)" },
  { names: PASCAL_CONTEXT_CLASS_NAMES, what: "PASCAL-Context (background + 59 classes)" },
  { names: IMAGENET_CLASS_NAMES, what: "ImageNet (ILSVRC-2012, 1000 classes)" },
  { names: DIGIT_CLASS_NAMES, what: "digits (background + 0..9)" },
];

export function classNamesFor(classes: number, meta?: WeightsMeta): ClassNames {
  const ignored: string[] = [];
  const own = meta?.classNames;
  if (own !== undefined) {
    if (own.length === classes) return { names: own, source: "the weights' metadata" };
    // A VGG16 file seeding an FCN names ImageNet's 1000 classes, the FCN scores 21.
    ignored.push(`the weights' metadata names ${own.length} classes, the model scores ${classes}, so those names were ignored`);
  }
  for (const key of CLASS_NAME_KEYS) {
    const raw = meta?.notes?.[key];
    if (raw === undefined) continue;
    const names = parseNames(raw);
    if (names && names.length === classes) return { names, source: `the weights' metadata (notes.${key})` };
    if (names) ignored.push(`notes.${key} lists ${names.length} names for ${classes} classes, so it was ignored`);
  }
  const guess = fromCount(classes);
  return ignored.length ? { names: guess.names, source: [guess.source, ...ignored].join("; ") } : guess;
}

function fromCount(classes: number): ClassNames {
  const known = BY_COUNT.find((k) => k.names.length === classes);
  if (known) return { names: known.names, source: `${known.what}, from the class count` };
  return { names: Array.from({ length: classes }, (_, i) => `class ${i}`), source: `${classes} unnamed classes` };
}

function parseNames(raw: string): string[] | null {
  const t = raw.trim();
  if (t.startsWith("[")) {
    try {
      const a: unknown = JSON.parse(t);
      if (Array.isArray(a) && a.every((x) => typeof x === "string" || typeof x === "number")) return a.map(String);
    } catch {
      return null;
    }
    return null;
  }
  const parts = t.split(",").map((s) => s.trim());
  return parts.length > 1 && parts.every(Boolean) ? parts : null;
}
