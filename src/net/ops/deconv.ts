/**
 * Transposed convolution ("backwards strided convolution"), no bias, no padding, weights
 * [k, k, out, in]: FCN's upsampling layers. Inference runs those whose kernel is twice
 * the stride (all of FCN's) by blocks (block-upsampling.ts), any other with tfjs's
 * conv2dTranspose.
 */
import * as tf from "@tensorflow/tfjs";
import { deconv as trainDeconv } from "../../train/ops.js";
import { blockFilter, transposedConvByBlocks, type Window } from "../block-upsampling.js";
import { FLOAT, POINTER, f32, type PassTensor } from "../pass-tensors.js";
import { DECONV_BAND, bandedUpsampling, isBlockUpsampling } from "../strategy.js";
import type { NetNode } from "../spec.js";
import type { OpDef, RunContext } from "./op-def.js";

export const deconvOp: OpDef<"deconv"> = {
  shape: ({ op }, [src]) => [(src![0] - 1) * op.stride + op.kernel, (src![1] - 1) * op.stride + op.kernel, op.channels],
  // Caffe's coord_map.py, a convolution inverted: x' = s * x + (k - 1) / 2 - p, here p = 0.
  coordMap({ op, inputs }, mapOf) {
    const m = mapOf(inputs[0]!);
    return m && { a: m.a * op.stride, b: m.b * op.stride + (op.kernel - 1) / 2 };
  },
  // The jump divides; the field widens by the input cells one output pixel mixes, ceil(k / s) - 1.
  field: (op, [s]) => ({ stride: s!.stride / op.stride, rf: s!.rf + (Math.ceil(op.kernel / op.stride) - 1) * s!.stride }),
  macs: (op, _out, [src]) => src![0] * src![1] * op.kernel * op.kernel * op.channels * op.channels,
  settings: ({ kernel, stride }) => ({ kernel, stride }),
  role: "upsample",
  // No bias: the reference upsampling layers have bias_term: false.
  params: ({ name, op }) => [{ name: `${name}.weight`, layer: name, role: "weight", kind: "deconv", shape: [op.kernel, op.kernel, op.channels, op.channels] }],
  inference: {
    prepare({ name, op }, params) {
      const w = params.get(`${name}.weight`)!;
      if (isBlockUpsampling(op)) return { weights: [blockFilter(w.dataSync() as Float32Array, op.stride, op.channels, op.channels)], biases: [null] };
      // Small (n_class x n_class): never split; shares the caller's data.
      return { weights: [w.reshape(w.shape) as tf.Tensor4D], biases: [null] };
    },
    run(node, [x], ctx) {
      const [h, w, c] = ctx.shapes.get(node.name)!;
      if (isBlockUpsampling(node.op)) return upsampleWindow(node, x!, ctx, { top: 0, left: 0, height: h, width: w });
      return tf.conv2dTranspose(x!, ctx.prepared!.weights[0] as tf.Tensor4D, [1, h, w, c], node.op.stride, "valid");
    },
    tensors({ name, op }, { backend, options: o, src }) {
      if (!isBlockUpsampling(op)) return [];
      // transposedConvByBlocks: the input padded, its 2x2 convolution into blocks of
      // s x s pixels, the depth-to-space transpose; in bands on wasm / cpu.
      const list: PassTensor[] = [];
      const [ih, iw, ic] = src;
      const s = op.stride;
      const webgl = backend === "webgl";
      const banded = bandedUpsampling(backend);
      const rows = banded ? Math.min(ih + 1, Math.max(1, Math.floor(DECONV_BAND.bytes / (FLOAT * s * s * (iw + 1) * op.channels)))) : ih + 1;
      list.push(f32(`${name} input padded`, name, [1, ih + 2, iw + 2, ic], "scratch"));
      // WebGL convolves through im2col: the 2x2 neighbourhoods as a matrix.
      if (webgl && !o.directConv) {
        list.push(f32(`${name} im2col`, name, [1, 4 * ic, (ih + 1) * (iw + 1)], "scratch", true));
        list.push(f32(`${name} matmul output`, name, [1, (ih + 1) * (iw + 1), s * s * op.channels], "scratch", true));
      }
      list.push(f32(`${name} blocks`, name, [1, rows, iw + 1, s * s * op.channels], "scratch", true));
      if (banded) list.push(f32(`${name} band`, name, [1, rows * s, (iw + 1) * s, op.channels], "scratch"));
      // WebGL re-lays a packed reshape into a new texture: the transposed blocks are one more.
      if (webgl) list.push(f32(`${name} blocks (transposed)`, name, [ih + 1, s, iw + 1, s * op.channels], "scratch", true));
      if (backend === "wasm") {
        list.push({ what: `${name} indirection buffer`, layer: name, shape: [rows * (iw + 1), 4], bytes: rows * (iw + 1) * 4 * POINTER, kind: "kept" });
      }
      return list;
    },
  },
  // train/ops.ts's deconv: the same blocks as four quadrant products, with a custom gradient.
  train: ({ name, op }, [x], ctx) => trainDeconv(x!, ctx.param(`${name}.weight`) as tf.Tensor4D, op.stride, ctx.learns(name)),
  linear: {
    // out[i, j, o] = sum over input cells (p, q) with 0 <= i - s*p < k, 0 <= j - s*q < k of
    //                W[i - s*p][j - s*q][o][ci] * in[p, q, ci]     (tfjs filter [k, k, out, in])
    at({ name, op, inputs }, i, j, ctx) {
      const src = inputs[0]!;
      const [, , c] = ctx.shapeOf(name);
      const [, , cin] = ctx.shapeOf(src);
      const wts = ctx.weights(name);
      const { kernel: k, stride: s } = op;
      let out: Float64Array | null = null;
      for (let p = Math.max(0, Math.ceil((i - k + 1) / s)); p <= Math.floor(i / s); p++) {
        for (let q = Math.max(0, Math.ceil((j - k + 1) / s)); q <= Math.floor(j / s); q++) {
          const v = ctx.value(src, p, q);
          if (!v) continue;
          out ??= new Float64Array(c);
          const base = ((i - s * p) * k + (j - s * q)) * c * cin;
          for (let o = 0; o < c; o++) {
            let acc = 0;
            for (let ci = 0; ci < cin; ci++) acc += wts[base + o * cin + ci]! * v[ci]!;
            out[o]! += acc;
          }
        }
      }
      return out;
    },
  },
};

/**
 * An upsampling by blocks computed only over `window` of its output: the whole of it
 * when run as a layer, or just what a following crop keeps (the executor's fused
 * upsampling, see strategy.ts's fusedUpsamplings), so the full blob is never made.
 */
export function upsampleWindow(node: NetNode, x: tf.Tensor4D, ctx: Pick<RunContext, "prepared" | "shapes">, window: Window): tf.Tensor4D {
  if (node.op.type !== "deconv" || !isBlockUpsampling(node.op)) throw new Error(`internal: ${node.name} is not an upsampling by blocks`);
  return transposedConvByBlocks(x, ctx.prepared!.weights[0] as tf.Tensor4D, node.op.stride, ctx.shapes.get(node.name)![2], window);
}
