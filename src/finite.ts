/**
 * Non-finite numbers are errors. A NaN or Inf in an input array or a weight spreads
 * through every layer it touches (one NaN pixel of a .npy input turned 1,152 output
 * pixels into NaN), and argmax then reports a confident, meaningless class. So inputs and
 * weights are checked once, when they are read (one pass over their Float32Arrays: the
 * 134M parameters of the full FCN-8s in ~0.1 s), and the forward pass can flag the first
 * blob that holds one (ForwardOptions.finiteFlags).
 */
import type { HostParams } from "./weights/types.js";

/** Index of the first NaN, +Inf or -Inf in `data`, or -1. */
export function firstNonFiniteIndex(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // x - x is 0 for every finite x, NaN for NaN and for both infinities.
    if (v - v !== 0) return i;
  }
  return -1;
}

function countNonFinite(data: ArrayLike<number>, from: number): number {
  let n = 0;
  for (let i = from; i < data.length; i++) if (data[i]! - data[i]! !== 0) n++;
  return n;
}

const valueName = (v: number) => (Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf");

/** Row-major multi-index of flat index i in `shape`. */
function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

/** A NaN or Inf where finite numbers are required; the message says where. */
export class NonFiniteError extends Error {
  override readonly name = "NonFiniteError";
  constructor(
    message: string,
    /** The tensor, pixel or tap. */
    readonly where: string,
  ) {
    super(message);
  }
}

/**
 * Throws a NonFiniteError naming the first parameter that holds a NaN or Inf, the
 * element (tfjs layout) and how many of its values are bad. `source` names the file.
 */
export function assertFiniteParams(params: HostParams, source?: string): void {
  for (const [name, t] of params) {
    const i = firstNonFiniteIndex(t.data);
    if (i < 0) continue;
    const bad = countNonFinite(t.data, i);
    const at = t.shape.length > 1 ? `element [${unravel(i, t.shape).join(", ")}] of its [${t.shape.join(", ")}] (tfjs layout)` : `index ${i}`;
    throw new NonFiniteError(
      `${source ? `${source}: ` : ""}${name} holds ${valueName(t.data[i]!)} at ${at}; ${bad.toLocaleString("en-US")} of its ` +
        `${t.data.length.toLocaleString("en-US")} values ${bad === 1 ? "is" : "are"} not a finite number. The network would turn ${bad === 1 ? "it" : "them"} into NaN ` +
        `predictions: use weights saved before the training diverged, or re-export them.`,
      name,
    );
  }
}

/**
 * Throws a NonFiniteError naming the first pixel (row, column, channel) of an
 * [H, W, C] input array that is NaN or Inf, and how many values are.
 */
export function assertFiniteInput(data: ArrayLike<number>, shape: readonly [number, number, number], source: string): void {
  const i = firstNonFiniteIndex(data);
  if (i < 0) return;
  const [row, col, ch] = unravel(i, shape);
  const bad = countNonFinite(data, i);
  throw new NonFiniteError(
    `${source}: the pixel at row ${row}, column ${col} (channel ${ch}) is ${valueName(data[i]!)}; ` +
      `${bad.toLocaleString("en-US")} of the array's ${data.length.toLocaleString("en-US")} values ${bad === 1 ? "is" : "are"} not a finite number. ` +
      `The network's input must be finite (replace them, e.g. np.nan_to_num(a), or fix what produced the array).`,
    `row ${row}, column ${col}`,
  );
}
