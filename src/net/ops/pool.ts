/** Max pool with Caffe's ceil rounding: an odd side n gives ceil(n/2). */
import * as tf from "@tensorflow/tfjs";
import { maxPool2x2 } from "../../train/ops.js";
import { POINTER } from "../pass-tensors.js";
import type { OpDef } from "./op-def.js";

/** Caffe pooling rounds up: a window may hang over the bottom/right edge. */
function poolOut(n: number, k: number, s: number): number {
  return Math.ceil((n - k) / s) + 1;
}

export const poolOp: OpDef<"pool"> = {
  shape: ({ op }, [src]) => [poolOut(src![0], op.kernel, op.stride), poolOut(src![1], op.kernel, op.stride), src![2]],
  // Caffe's coord_map.py, as a convolution without padding: x' = x / s - (k - 1) / 2 / s.
  coordMap({ op, inputs }, mapOf) {
    const m = mapOf(inputs[0]!);
    return m && { a: m.a / op.stride, b: (m.b - (op.kernel - 1) / 2) / op.stride };
  },
  field: (op, [s]) => ({ stride: s!.stride * op.stride, rf: s!.rf + (op.kernel - 1) * s!.stride }),
  settings: ({ kernel, stride }) => ({ kernel, stride }),
  role: "pool",
  inference: {
    run({ op }, [x]) {
      // Caffe rounds pooled sizes up. For kernel == stride, tfjs 'same' padding adds the
      // missing row/column at the bottom/right and ignores it in the max: the same result.
      if (op.kernel !== op.stride) throw new Error(`internal: ceil-mode pool needs kernel == stride`);
      return tf.maxPool(x!, op.kernel, op.stride, "same");
    },
    // XNNPACK keeps a pooling operator's indirection buffer after the layer.
    tensors: ({ name, op }, { backend, out: [bh, bw] }) =>
      backend === "wasm"
        ? [{ what: `${name} indirection buffer`, layer: name, shape: [bh * bw, op.kernel * op.kernel], bytes: bh * bw * op.kernel * op.kernel * POINTER, kind: "kept" }]
        : [],
  },
  train({ op }, [x]) {
    if (op.kernel !== 2 || op.stride !== 2) throw new Error(`trainForward: only 2x2 stride-2 pools (VGG16's) are supported`);
    return maxPool2x2(x!);
  },
};
