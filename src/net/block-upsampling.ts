/**
 * The upsampling layers' inference kernel (ops/deconv.ts): a transposed convolution whose
 * kernel is twice its stride, run as a 2x2 convolution and a depth-to-space, in bands on
 * the backends that read tensors back cheaply. Its memory is planned in ops/deconv.ts too.
 */
import * as tf from "@tensorflow/tfjs";
import { DECONV_BAND, bandedUpsampling } from "./strategy.js";

/** The part of an upsampled blob a crop keeps. */
export interface Window {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
}

/**
 * A transposed convolution whose kernel is twice its stride (every upsampling layer of
 * FCN: k4 s2, k16 s8, k32 s16, k64 s32) as a 2x2 convolution and a depth-to-space.
 * Output pixel y = i*s + a of input row i, a in [0, 2s), lands in output block i + q
 * with offset r, where a = q*s + r; so output block (I, J), s x s pixels, depends only
 * on the 2 x 2 inputs (I - q, J - p), q, p in {0, 1}: on the input padded by one pixel,
 * that is an ordinary 2x2 convolution with s * s * out output channels (blockFilter),
 * one per pixel of the block, which a transpose (depth to space) lays out as the image.
 * Both run on GEMM (tfjs's direct conv2dTranspose is a plain loop on WASM, ~1 GFLOP/s).
 *
 * Memory. The form before this one (four products, padded and summed in one tidy) held
 * ten output-sized tensors at once: FCN-8s's upscore8 took 930 MB for a 1000x1000 image
 * at width 1/8, and above ~1750x1750 ran WASM out of its 4 GiB (a hang with threads, a
 * "memory access out of bounds" without). Here, on GPU backends, the blocks and the image
 * (the output twice). On wasm and cpu, which read tensors back cheaply, a band of block
 * rows at a time (about DECONV_BAND.bytes) is computed and copied into one host array,
 * which becomes the output: the backend holds the output once plus a band. `window`
 * keeps only the part a following crop reads (see fusedUpsamplings): then the
 * upsampled blob itself is never made.
 */
export function transposedConvByBlocks(x: tf.Tensor4D, filter: tf.Tensor4D, s: number, out: number, window: Window): tf.Tensor4D {
  const [, h, w] = x.shape;
  const padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
  // Block rows i0 .. i0 + n - 1 as image rows i0 * s .. (i0 + n) * s - 1 (full width).
  const band = (i0: number, n: number) =>
    tf.tidy(() => {
      const rows = n === h + 1 ? padded : tf.slice(padded, [0, i0, 0, 0], [1, n + 1, -1, -1]);
      const blocks = tf.conv2d(rows, filter, 1, "valid"); // [1, n, w + 1, s * s * out]
      // Depth to space. tf.depthToSpace computes the same but is a per-element loop on
      // WASM, ten times slower than this transpose.
      return blocks.reshape([n, w + 1, s, s * out]).transpose([0, 2, 1, 3]).reshape([1, n * s, (w + 1) * s, out]) as tf.Tensor4D;
    });
  const full = window.top === 0 && window.left === 0 && window.height === (h + 1) * s && window.width === (w + 1) * s;
  if (!bandedUpsampling(tf.getBackend())) {
    // GPU backends: in one piece (reading bands back would stall the GPU, and their
    // limit is per tensor anyway).
    const whole = band(0, h + 1);
    padded.dispose();
    if (full) return whole;
    const cropped = tf.slice(whole, [0, window.top, window.left, 0], [1, window.height, window.width, out]);
    whole.dispose();
    return cropped;
  }
  const rowValues = (w + 1) * s * out; // one image row, full width
  const rowsPerBand = Math.max(1, Math.floor(DECONV_BAND.bytes / (4 * s * rowValues)));
  const image = new Float32Array(window.height * window.width * out);
  const first = Math.floor(window.top / s);
  const last = Math.floor((window.top + window.height - 1) / s); // block rows the window touches
  for (let i0 = first; i0 <= last; i0 += rowsPerBand) {
    const n = Math.min(rowsPerBand, last + 1 - i0);
    const part = band(i0, n);
    const values = part.dataSync() as Float32Array;
    part.dispose();
    // Copy the window's rows of this band (whole rows when the window is the full width).
    const y0 = Math.max(window.top, i0 * s);
    const y1 = Math.min(window.top + window.height, (i0 + n) * s);
    for (let y = y0; y < y1; y++) {
      const from = (y - i0 * s) * rowValues + window.left * out;
      image.set(values.subarray(from, from + window.width * out), (y - window.top) * window.width * out);
    }
  }
  padded.dispose();
  return tf.tensor4d(image, [1, window.height, window.width, out]);
}

/**
 * The 2x2 convolution filter [2, 2, in, s * s * out] of an upsampling layer: tap (a, b)
 * of the padded input is neighbour (q, p) = (1 - a, 1 - b), and output channel
 * (r * s + t) * out + o is pixel (r, t) of the block, class o:
 * filter[a][b][c][(r * s + t) * out + o] = deconv[q*s + r][p*s + t][o][c] (tfjs's
 * conv2dTranspose layout [k, k, out, in]).
 */
export function blockFilter(deconv: Float32Array, s: number, out: number, inC: number): tf.Tensor4D {
  const k = 2 * s;
  const cols = s * s * out;
  const f = new Float32Array(4 * inC * cols);
  for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) {
    const q = 1 - a;
    const p = 1 - b;
    for (let r = 0; r < s; r++) for (let t = 0; t < s; t++) for (let o = 0; o < out; o++) for (let c = 0; c < inC; c++) {
      f[((a * 2 + b) * inC + c) * cols + (r * s + t) * out + o] = deconv[(((q * s + r) * k + p * s + t) * out + o) * inC + c]!;
    }
  }
  return tf.tensor4d(f, [2, 2, inC, cols]);
}
