/** Seeded test data and one comparison, shared by the backend tests. */
import { expect } from "vitest";

/** mulberry32: the same numbers on every machine and backend, uniform in [-scale, scale). */
export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

/** max |a - b| / max |b|: one number that does not blow up near zeros (NaN counts as Infinity). */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    ref = Math.max(ref, Math.abs(b[i]!));
  }
  return diff / ref;
}
