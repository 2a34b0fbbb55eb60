/**
 * Seeded randomness for the data: every digit split, scene and training batch is a pure
 * function of (seed, what, index), so a run can be resumed at any step, a test scene can
 * be rebuilt alone, and two machines make the same data. The generator is core's prng
 * (core/prng.ts); these are the draws the data makes from it.
 */

import type { Rng } from "../../core/prng.js";

/** A 32-bit hash of numbers and strings (FNV-1a over their text, then a final mix). */
export function hashSeed(...parts: readonly (number | string)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join("\u0001")) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** A float in [lo, hi). */
export function uniform(r: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * r();
}

/** An integer in [lo, hi] (both included). */
export function intBetween(r: Rng, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

/** Fisher-Yates shuffle in place. */
export function shuffle<T>(r: Rng, xs: T[] | Int32Array): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = xs[i]!;
    xs[i] = xs[j]!;
    xs[j] = t;
  }
}
