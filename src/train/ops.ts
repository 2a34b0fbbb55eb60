/**
 * Differentiable layers for training, with gradients routed to fast kernels.
 *
 * tfjs's stock gradient of conv2d on the WASM backend takes the input gradient from
 * Conv2DBackpropInput, a direct loop there (~1 GFLOP/s, 8-10x slower than the forward
 * conv, measured on every VGG16 layer size); the filter gradient needs a kernel wasm
 * does not have at all (see wasm-kernels.ts). For a stride-1 convolution the input
 * gradient is itself a stride-1 convolution (of dy with the flipped, in/out-swapped
 * filter), which runs on the fast forward kernel. So `conv` below is a custom-gradient
 * op: forward = tfjs's fused conv (+ bias, + ReLU), backward = forward convs and
 * Conv2DBackpropFilter. Results equal the stock gradients (test/train-ops.test.ts).
 */
import * as tf from "@tensorflow/tfjs";

export interface ConvOptions {
  /** Symmetric zero padding (VGG: 1; conv1_1 of the FCNs: 100; fc6 as a conv: 0). */
  readonly pad: number;
  readonly relu: boolean;
  /**
   * Whether the gradient with respect to x is needed. False for the first layer (x is
   * the image): it saves a full-resolution convolution per step.
   */
  readonly inputGrad: boolean;
}

/** Gradient of a stride-1 convolution with respect to its input, as a forward convolution. */
export function convInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, pad: number, inHeight: number, inWidth: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = filter.shape;
    if (kh !== kw) throw new Error(`convInputGrad: square kernels only, got ${kh}x${kw}`);
    const flipped = flipFilter(filter);
    // dx[i] = sum_v dy[i + pad - (k - 1) + v] * flipped[v]: a correlation of dy padded
    // by k - 1 - pad. A negative amount (pad larger than k - 1: conv1_1's 100) crops.
    const q = kh - 1 - pad;
    if (q >= 0) return tf.conv2d(dy, flipped, 1, q === 0 ? "valid" : q);
    const cropped = crop(dy, -q, -q, inHeight + kh - 1, inWidth + kw - 1);
    return tf.conv2d(cropped, flipped, 1, "valid");
  });
}

/**
 * The filter rotated 180 degrees with in/out swapped: [k, k, in, out] -> [k, k, out, in],
 * w'[i][j][o][c] = w[k-1-i][k-1-j][c][o]. A host-side loop: wasm's Reverse kernel is ~50x
 * slower and its Gather + Transpose ~10x (measured on fc6's 7x7 filter); the filter is a
 * parameter, so nothing upstream needs its gradient through this copy.
 */
export function flipFilter(filter: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, ci, co] = filter.shape;
  const w = filter.dataSync() as Float32Array;
  const out = new Float32Array(w.length);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const src = ((kh - 1 - i) * kw + (kw - 1 - j)) * ci * co;
      const dst = (i * kw + j) * co * ci;
      for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) out[dst + o * ci + c] = w[src + c * co + o]!;
    }
  }
  return tf.tensor4d(out, [kh, kw, co, ci]);
}

/**
 * x[:, top : top + h, left : left + w, :] as a 3-D slice of whole rows: wasm's 4-D Slice
 * copies one innermost run (here: one pixel's channels) per call, ~40 ms for a
 * 224x224 crop of scores; rows of w * channels values copy in one call each.
 */
export function crop(x: tf.Tensor4D, top: number, left: number, h: number, w: number): tf.Tensor4D {
  const [b, hh, ww, c] = x.shape;
  return tf.slice(x.reshape([b, hh, ww * c]), [0, top, left * c], [b, h, w * c]).reshape([b, h, w, c]) as tf.Tensor4D;
}

/** Gradient of a stride-1 convolution with respect to its filter (Conv2DBackpropFilter). */
export function convFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: readonly number[], pad: number): tf.Tensor4D {
  return tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
    strides: [1, 1],
    pad,
    dataFormat: "NHWC",
    dimRoundingMode: undefined,
    filterShape: [...filterShape],
  } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/** relu(conv(x, filter, stride 1, pad) + bias), or without the ReLU. */
export function conv(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, o: ConvOptions): tf.Tensor4D {
  const pad = o.pad === 0 ? "valid" : o.pad;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, wi, bi, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.GradSaveFunc];
    const x4 = xi;
    const y = tf.fused.conv2d({ x: x4, filter: wi, strides: 1, pad, bias: bi, activation: o.relu ? "relu" : "linear" });
    save([x4, wi, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, ws, ys] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const g = dy as tf.Tensor4D;
        const dz = o.relu ? tf.mul(g, tf.step(ys)) as tf.Tensor4D : g;
        // The bias gradient as a product with ones: wasm's Sum over leading axes transposes first (measured ~4x slower).
        const [nb, hb, wb, cb] = dz.shape;
        const db = tf.matMul(tf.ones([1, nb * hb * wb]), dz.reshape([nb * hb * wb, cb])).reshape([cb]);
        const dw = convFilterGrad(xs, dz, ws.shape, o.pad);
        const dx = o.inputGrad ? convInputGrad(dz, ws, o.pad, xs.shape[1], xs.shape[2]) : tf.zerosLike(xs);
        return [dx, dw, db];
      },
    };
  });
  return f(x, filter, bias) as tf.Tensor4D;
}

/**
 * 2x2 stride-2 max pool with Caffe's ceil rounding (tfjs 'same' padding for kernel ==
 * stride: the odd last row/column pools alone), whose gradient routes each output's
 * gradient to the first maximum of its window in row-major order, as tfjs's MaxPoolGrad
 * does (ties are common: flat black background gives equal activations). Written as a
 * loop because wasm's MaxPoolGrad kernel runs at ~25 ns per element (measured: 78 ms for
 * a 16x224x224x4 block; this loop is several times faster).
 */
export function maxPool2x2(x: tf.Tensor4D): tf.Tensor4D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    save([xi]);
    return {
      value: tf.maxPool(xi, 2, 2, "same"),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const xs = saved[0] as tf.Tensor4D;
        const [b, h, w, c] = xs.shape;
        const g = dy as tf.Tensor4D;
        const [, ho, wo] = g.shape;
        const xv = xs.dataSync() as Float32Array;
        const gv = g.dataSync() as Float32Array;
        const dx = new Float32Array(xv.length);
        for (let n = 0; n < b; n++) {
          for (let i = 0; i < ho; i++) {
            const y0 = 2 * i;
            const y1 = Math.min(y0 + 1, h - 1);
            for (let j = 0; j < wo; j++) {
              const x0 = 2 * j;
              const x1 = Math.min(x0 + 1, w - 1);
              // Window cells in row-major order; a clamped (missing) cell repeats an earlier one,
              // which a strict ">" never picks.
              const p00 = ((n * h + y0) * w + x0) * c;
              const p01 = ((n * h + y0) * w + x1) * c;
              const p10 = ((n * h + y1) * w + x0) * c;
              const p11 = ((n * h + y1) * w + x1) * c;
              const o = ((n * ho + i) * wo + j) * c;
              for (let k = 0; k < c; k++) {
                let best = p00 + k;
                let v = xv[best]!;
                if (xv[p01 + k]! > v) { best = p01 + k; v = xv[best]!; }
                if (xv[p10 + k]! > v) { best = p10 + k; v = xv[best]!; }
                if (xv[p11 + k]! > v) best = p11 + k;
                dx[best]! += gv[o + k]!;
              }
            }
          }
        }
        return [tf.tensor4d(dx, xs.shape)];
      },
    };
  });
  return f(x) as tf.Tensor4D;
}

/** Quadrant (q, p) of a [2s, 2s, out, in] filter as the [in, s * s * out] matrix of execute.ts. */
function quadrant(filter: tf.Tensor4D, q: number, p: number, s: number): tf.Tensor2D {
  const [k, , out, c] = filter.shape;
  // Entry [c][(r * s + t) * out + o] = filter[q*s + r][p*s + t][o][c]. The slice is taken
  // on [k, k * out * c] rows (see crop() for why not 4-D).
  const rows = filter.reshape([k, k * out * c]).slice([q * s, p * s * out * c], [s, s * out * c]);
  return rows.reshape([s, s, out, c]).transpose([3, 0, 1, 2]).reshape([c, s * s * out]) as tf.Tensor2D;
}

/**
 * Transposed convolution with kernel 2 x stride (every FCN upsampling layer), as the
 * four quadrant matrix products of src/net/execute.ts, batched. Output pixel
 * y = i*s + a of input row i lands in output block i + q (a = q*s + r), so output block
 * (I, J) sums quadrant (q, p) applied to input (I - q, J - p). Filter in tfjs layout
 * [k, k, out, in]. `learnFilter`: whether the filter's gradient is needed (learned
 * upsampling) or the filter is fixed (bilinear).
 *
 * Custom gradient because tfjs differentiates matMul(a, b) with transposed products,
 * which the wasm backend runs ~10x slower than plain ones (measured); here the
 * backward pass transposes the small operand explicitly and multiplies without flags.
 */
export function deconv(x: tf.Tensor4D, filter: tf.Tensor4D, stride: number, learnFilter = true): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const [k, , out, inC] = filter.shape;
  const s = stride;
  if (k !== 2 * s) throw new Error(`deconv: kernel ${k} must be twice the stride ${s}`);
  if (inC !== c) throw new Error(`deconv: filter reads ${inC} channels, input has ${c}`);
  const QUADS = [[0, 0], [0, 1], [1, 0], [1, 1]] as const;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, fi, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xi, fi]);
    const rows = xi.reshape([b * h * w, c]) as tf.Tensor2D;
    const parts = QUADS.map(([q, p]) => {
      const y = tf.matMul(rows, quadrant(fi, q, p, s)).reshape([b, h, w, s * s * out]) as tf.Tensor4D;
      return tf.pad(y, [[0, 0], [q, 1 - q], [p, 1 - p], [0, 0]]);
    });
    const blocks = tf.addN(parts).reshape([b, h + 1, w + 1, s, s * out]);
    const value = blocks.transpose([0, 1, 3, 2, 4]).reshape([b, (h + 1) * s, (w + 1) * s, out]) as tf.Tensor4D;
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, fs] = saved as [tf.Tensor4D, tf.Tensor4D];
        // Back to blocks [b, h + 1, w + 1, s * s * out]: the forward's last transpose, undone.
        const dBlocks = (dy as tf.Tensor4D).reshape([b, h + 1, s, w + 1, s * out]).transpose([0, 1, 3, 2, 4]).reshape([b, h + 1, w + 1, s * s * out]);
        const rowsT = learnFilter ? xs.reshape([b * h * w, c]).transpose() : null;
        let dx: tf.Tensor | null = null;
        const dQuads: tf.Tensor4D[] = [];
        for (const [q, p] of QUADS) {
          // The output blocks quadrant (q, p) wrote to, as rows [b * h * w, s * s * out].
          const dq = crop(dBlocks as tf.Tensor4D, q, p, h, w).reshape([b * h * w, s * s * out]) as tf.Tensor2D;
          const mT = quadrant(fs, q, p, s).transpose() as tf.Tensor2D;
          const part = tf.matMul(dq, mT);
          dx = dx ? tf.add(dx, part) : part;
          if (rowsT) {
            // [c, s * s * out] -> [s, s, out, c]: the inverse of quadrant()'s layout.
            dQuads.push(tf.matMul(rowsT, dq).reshape([c, s, s, out]).transpose([1, 2, 3, 0]) as tf.Tensor4D);
          }
        }
        const dFilter = rowsT
          ? tf.concat([tf.concat([dQuads[0]!, dQuads[1]!], 1), tf.concat([dQuads[2]!, dQuads[3]!], 1)], 0)
          : tf.zerosLike(fs);
        return [dx!.reshape([b, h, w, c]), dFilter];
      },
    };
  });
  return f(x, filter) as tf.Tensor4D;
}
