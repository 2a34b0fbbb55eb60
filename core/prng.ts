/**
 * The seeded PRNG of the whole project: the digit data (src/data/), the synthetic taps of
 * viz/synthetic.ts and the tests draw from it, so the same seed gives the same numbers
 * everywhere, in Node and in a browser.
 */

/** A generator of floats uniform in [0, 1). */
export type Rng = () => number;

/** mulberry32: a tiny seeded PRNG (small, fast, well mixed for this use), uniform in [0, 1). */
export function prng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
