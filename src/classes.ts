/**
 * Class names for a model: from the weights' metadata when it has them, otherwise from
 * the class count (21: PASCAL VOC; 11: the project's digits model, background + 0..9),
 * otherwise "class N". Colours always come from the VOC colour map (bit interleaving),
 * which is defined for every label 0..255, so any class count gets distinct colours.
 */
import { VOC_CLASSES } from "../viz/palette.js";
import type { WeightsMeta } from "./weights/types.js";

/** Keys of WeightsMeta.notes that may hold class names: a JSON array, or names separated by commas. */
export const CLASS_NAME_KEYS = ["class_names", "classNames", "labels"] as const;

/** The project's digit scenes (src/data/scenes.ts): background, then the digits 0..9. */
export const DIGIT_CLASS_NAMES: readonly string[] = ["background", ...Array.from({ length: 10 }, (_, d) => `digit ${d}`)];

export interface ClassNames {
  readonly names: readonly string[];
  /** Where they come from, for the page. */
  readonly source: string;
}

export function classNamesFor(classes: number, meta?: WeightsMeta): ClassNames {
  for (const key of CLASS_NAME_KEYS) {
    const raw = meta?.notes?.[key];
    if (raw === undefined) continue;
    const names = parseNames(raw);
    if (names && names.length === classes) return { names, source: `the weights' metadata (notes.${key})` };
    if (names) return { names: fallback(classes).names, source: `${fallback(classes).source}; notes.${key} lists ${names.length} names for ${classes} classes, so it was ignored` };
  }
  return fallback(classes);
}

function fallback(classes: number): ClassNames {
  if (classes === VOC_CLASSES.length) return { names: VOC_CLASSES, source: "PASCAL VOC (21 classes)" };
  if (classes === DIGIT_CLASS_NAMES.length) return { names: DIGIT_CLASS_NAMES, source: "digits (background + 0..9), from the class count" };
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
