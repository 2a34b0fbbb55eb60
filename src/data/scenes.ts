/**
 * The data sets, made from real digits on demand and deterministically:
 *
 * - classifier images: one digit at a random scale and position on a black 224x224
 *   canvas (the VGG16 classifier's input size: pool5 is then fc6's 7x7 window);
 * - segmentation scenes: several digits at different scales and positions on a
 *   canvas, touching or overlapping sometimes, with a label per pixel in the manner of
 *   PASCAL VOC: 0 = background, 1..10 = digits 0..9, 255 = ignore on the soft border of
 *   every stroke (and where two digits' strokes cross), which no one could label.
 *
 * Image k of a split is a pure function of (seed, split, k): nothing is stored, any
 * image can be rebuilt alone, and training can resume at any step.
 */
import { DIGIT_CLASSES, DIGIT_SIZE, digitPixels, type DigitSplits, type Digits, type Split } from "./digits.js";
import { DIGIT_CLASS_NAMES } from "../../core/class-names/digits.js";
import type { RgbImage } from "../../core/image.js";
import { IGNORE_LABEL } from "../../core/labels.js";
import { prng, type Rng } from "../../core/prng.js";
import { drawDigit } from "./render.js";
import { hashSeed, intBetween, uniform } from "./rng.js";

/** Background + the ten digits (their names: DIGIT_CLASS_NAMES; 255 = IGNORE_LABEL, not scored). */
export const SEG_CLASSES = DIGIT_CLASSES + 1;
/** Ink at or above this (0..1) is stroke; at or below BACKGROUND_MAX it is background. */
export const STROKE_MIN = 0.5;
export const BACKGROUND_MAX = 0.1;

/** The digits and their split: what every image is drawn from. */
export interface DigitSource {
  readonly digits: Digits;
  readonly splits: DigitSplits;
  /** The data seed: splits, scenes and batches all derive from it. */
  readonly seed: number;
}

export interface PlacedDigit {
  /** Index of the digit in the package's set (see loadDigits). */
  readonly index: number;
  readonly label: number;
  /** Top-left corner of the 28 x scale box, canvas pixels. */
  readonly x: number;
  readonly y: number;
  readonly scale: number;
}

/** A grey image (0..255, row-major) and what is in it. */
export interface DigitImage {
  readonly size: number;
  readonly pixels: Uint8Array;
  readonly digits: readonly PlacedDigit[];
}

export interface SegScene extends DigitImage {
  /** Per pixel: 0 background, 1 + d for digit d, IGNORE_LABEL. */
  readonly labels: Uint8Array;
}

export interface ClassifierImageOptions {
  readonly size: number;
  /** Range of the digit's scale (its 28x28 box becomes 28 * scale pixels). */
  readonly scale: readonly [number, number];
}

/** 224x224, digit box 84..182 pixels (ImageNet-like: the object is large in the crop). */
export const CLASSIFIER_IMAGES: ClassifierImageOptions = { size: 224, scale: [3, 6.5] };

export interface SceneOptions {
  readonly size: number;
  readonly digits: readonly [number, number];
  readonly scale: readonly [number, number];
  /**
   * Largest overlap allowed between two digits' boxes, as a fraction of the smaller box
   * (0: boxes never overlap; strokes still touch sometimes, boxes have margins).
   */
  readonly maxOverlap: number;
  /** Keep every digit's box this many pixels away from the canvas edges (default 0). */
  readonly margin?: number;
}

/** 224x224 scenes of 2..4 digits, boxes 70..126 pixels, overlapping up to a third. */
export const SEG_SCENES: SceneOptions = { size: 224, digits: [2, 4], scale: [2.5, 4.5], maxOverlap: 0.35 };

function pick(r: Rng, pool: Int32Array): number {
  return pool[Math.floor(r() * pool.length)]!;
}

/**
 * Image k of a split for the classifier: one digit, its class is the label. The digit
 * is drawn at random from the split, or is the split's digit k (mod its size) with
 * `eachOnce` (evaluation: every held-out digit once).
 */
export function classifierImage(
  src: DigitSource,
  split: Split,
  k: number,
  o: ClassifierImageOptions = CLASSIFIER_IMAGES,
  eachOnce = false,
): DigitImage & { label: number } {
  const r = prng(hashSeed("classifier", src.seed, split, k));
  const pool = src.splits[split];
  const drawn = pick(r, pool);
  const index = eachOnce ? pool[k % pool.length]! : drawn;
  const scale = uniform(r, o.scale[0], o.scale[1]);
  const side = DIGIT_SIZE * scale;
  const x = uniform(r, 0, o.size - side);
  const y = uniform(r, 0, o.size - side);
  const ink = new Float32Array(o.size * o.size);
  drawDigit(ink, o.size, o.size, digitPixels(src.digits, index), scale, x, y);
  const label = src.digits.labels[index]!;
  return { size: o.size, pixels: toBytes(ink), digits: [{ index, label, x, y, scale }], label };
}

/** Overlap of two square boxes as a fraction of the smaller one. */
function overlap(a: { x: number; y: number; s: number }, b: { x: number; y: number; s: number }): number {
  const w = Math.min(a.x + a.s, b.x + b.s) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.s, b.y + b.s) - Math.max(a.y, b.y);
  return w <= 0 || h <= 0 ? 0 : (w * h) / Math.min(a.s * a.s, b.s * b.s);
}

/** Scene k of a split: digits from that split only, labels per pixel. */
export function segScene(src: DigitSource, split: Split, k: number, o: SceneOptions = SEG_SCENES): SegScene {
  const r = prng(hashSeed("scene", src.seed, split, k, o.size));
  const n = intBetween(r, o.digits[0], o.digits[1]);
  const boxes: { x: number; y: number; s: number }[] = [];
  const placed: PlacedDigit[] = [];
  for (let i = 0; i < n; i++) {
    // A few tries to respect the overlap limit; a crowded canvas just gets fewer digits.
    for (let attempt = 0; attempt < 30; attempt++) {
      const scale = uniform(r, o.scale[0], o.scale[1]);
      const s = DIGIT_SIZE * scale;
      const m = o.margin ?? 0;
      const box = { x: uniform(r, m, o.size - m - s), y: uniform(r, m, o.size - m - s), s };
      if (boxes.some((b) => overlap(b, box) > o.maxOverlap)) continue;
      const index = pick(r, src.splits[split]);
      boxes.push(box);
      placed.push({ index, label: src.digits.labels[index]!, x: box.x, y: box.y, scale });
      break;
    }
  }
  return renderScene(src.digits, o.size, placed);
}

/**
 * Draws placed digits and labels every pixel: the ink is the brightest digit's; a pixel
 * is that digit's class where its ink >= STROKE_MIN and no other digit's is, background
 * where all ink <= BACKGROUND_MAX, and IGNORE_LABEL in between (the anti-aliased stroke border)
 * or where two strokes cross.
 */
export function renderScene(digits: Digits, size: number, placed: readonly PlacedDigit[]): SegScene {
  const area = size * size;
  const best = new Float32Array(area);
  const second = new Float32Array(area);
  const owner = new Int8Array(area).fill(-1);
  const layer = new Float32Array(area);
  placed.forEach((p, i) => {
    layer.fill(0);
    const box = drawDigit(layer, size, size, digitPixels(digits, p.index), p.scale, p.x, p.y);
    for (let y = box.y; y < box.y + box.h; y++) {
      for (let x = box.x; x < box.x + box.w; x++) {
        const j = y * size + x;
        const v = layer[j]!;
        if (v > best[j]!) {
          second[j] = best[j]!;
          best[j] = v;
          owner[j] = i;
        } else if (v > second[j]!) {
          second[j] = v;
        }
      }
    }
  });
  const labels = new Uint8Array(area);
  for (let j = 0; j < area; j++) {
    const v = best[j]!;
    if (v <= BACKGROUND_MAX) labels[j] = 0;
    else if (v >= STROKE_MIN && second[j]! < STROKE_MIN) labels[j] = 1 + placed[owner[j]!]!.label;
    else labels[j] = IGNORE_LABEL;
  }
  return { size, pixels: toBytes(best), digits: placed, labels };
}

function toBytes(ink: Float32Array): Uint8Array {
  const out = new Uint8Array(ink.length);
  for (let i = 0; i < ink.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, ink[i]!)) * 255);
  return out;
}

/** A grey image as RGB (what Model.inputFromImage and the figures take). */
export function toRgb(img: DigitImage): RgbImage {
  const rgb = new Uint8Array(img.pixels.length * 3);
  for (let i = 0; i < img.pixels.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = img.pixels[i]!;
  return { width: img.size, height: img.size, rgb };
}
