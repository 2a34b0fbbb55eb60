/**
 * The bilinear upsampling kernel FCN initializes its transposed convolutions with
 * (surgery.py's upsample_filt): for a kernel of size k,
 *   factor = floor((k + 1) / 2), center = factor - 1 (k odd) or factor - 0.5 (k even),
 *   w[i][j] = (1 - |i - center| / factor) * (1 - |j - center| / factor).
 * A stride-`factor` transposed convolution with it is bilinear interpolation.
 */
export function bilinearKernel(k: number): Float32Array {
  if (!Number.isInteger(k) || k < 1) throw new Error(`kernel size must be a positive whole number, got ${k}`);
  const factor = Math.floor((k + 1) / 2);
  const center = k % 2 === 1 ? factor - 1 : factor - 0.5;
  const w = new Float32Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      w[i * k + j] = (1 - Math.abs(i - center) / factor) * (1 - Math.abs(j - center) / factor);
    }
  }
  return w;
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
