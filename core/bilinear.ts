/**
 * The bilinear upsampling kernel FCN initializes its transposed convolutions with
 * (surgery.py's upsample_filt): for a kernel of size k,
 *   factor = floor((k + 1) / 2), center = factor - 1 (k odd) or factor - 0.5 (k even),
 *   w[i][j] = (1 - |i - center| / factor) * (1 - |j - center| / factor).
 * A stride-`factor` transposed convolution with it is bilinear interpolation.
 */
export interface BilinearKernel {
  readonly size: number;
  readonly factor: number;
  readonly centre: number;
  /** The separable 1D profile: weights = profile (outer) profile. */
  readonly profile: Float32Array;
  /** size * size weights, row-major. */
  readonly weights: Float32Array;
}

/** The kernel with its factor, centre and 1D profile (for figures that explain it). */
export function bilinearKernelInfo(k: number): BilinearKernel {
  if (!Number.isInteger(k) || k < 1) throw new Error(`kernel size must be a positive whole number, got ${k}`);
  const factor = Math.floor((k + 1) / 2);
  const centre = k % 2 === 1 ? factor - 1 : factor - 0.5;
  const profile = new Float32Array(k);
  for (let i = 0; i < k; i++) profile[i] = 1 - Math.abs(i - centre) / factor;
  const weights = new Float32Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) weights[i * k + j] = profile[i]! * profile[j]!;
  return { size: k, factor, centre, profile, weights };
}

/** The k x k kernel, row-major. */
export function bilinearKernel(k: number): Float32Array {
  return bilinearKernelInfo(k).weights;
}

/**
 * A transposed-conv filter in tfjs layout [k, k, out, in] with the bilinear kernel on
 * the class diagonal only: class c upsamples class c and nothing else.
 */
export function bilinearFilter(k: number, channels: number): Float32Array {
  const kernel = bilinearKernel(k);
  const w = new Float32Array(k * k * channels * channels);
  for (let p = 0; p < k * k; p++) {
    for (let c = 0; c < channels; c++) w[(p * channels + c) * channels + c] = kernel[p]!;
  }
  return w;
}
