/**
 * A weights file that cannot be read as asked: missing, of an unknown kind, or
 * malformed. The message names the file, so a CLI can print it as is (no stack needed).
 */
export class WeightsFileError extends Error {
  override readonly name = "WeightsFileError";
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface MisshapedTensor {
  readonly name: string;
  /** tfjs layout. */
  readonly expected: readonly number[];
  /** tfjs layout (after the load-time conversion). */
  readonly found: readonly number[];
}

/**
 * Parameters that do not fit a model. Every problem is listed at once: fixing one
 * name at a time and re-running is the experience this avoids.
 */
export class WeightsMismatchError extends Error {
  override readonly name = "WeightsMismatchError";
  constructor(
    message: string,
    readonly missing: readonly string[],
    readonly unexpected: readonly string[],
    readonly misshaped: readonly MisshapedTensor[],
  ) {
    super(message);
  }
}
