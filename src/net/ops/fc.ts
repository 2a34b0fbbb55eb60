/**
 * A classifier's fully connected layer: flattens an [h, w, c] input in NHWC order and
 * multiplies. Its weights are stored as the equivalent [h, w, c, out] conv kernel, so
 * convolutionalizing is reading the same tensor as a convolution.
 */
import * as tf from "@tensorflow/tfjs";
import { conv as trainConv } from "../../train/ops.js";
import { chunkedLayer } from "../filter-chunks.js";
import { FLOAT, f32, isSplit, type PassTensor } from "../pass-tensors.js";
import type { OpDef } from "./op-def.js";

export const fcOp: OpDef<"fc"> = {
  shape({ op, inputs }, [src]) {
    if (src![0] !== op.window || src![1] !== op.window) return `reads a ${op.window}x${op.window} block but ${inputs[0]} is ${src![0]}x${src![1]}`;
    return [1, 1, op.outChannels];
  },
  // One cell that has seen a whole window: no longer a grid on the image.
  coordMap: () => undefined,
  field: (op, [s]) => ({ stride: s!.stride * op.window, rf: s!.rf + (op.window - 1) * s!.stride }),
  macs: (op, out) => out[0] * out[1] * op.outChannels * op.window * op.window * op.inChannels,
  settings: ({ window, relu }) => ({ kernel: window, relu }),
  role: "fc",
  params: ({ name, op }) => [
    { name: `${name}.weight`, layer: name, role: "weight", kind: "fc", shape: [op.window, op.window, op.inChannels, op.outChannels] },
    { name: `${name}.bias`, layer: name, role: "bias", kind: "fc", shape: [op.outChannels] },
  ],
  inference: {
    // The weights flattened to [h * w * c, out] matrices, in the NHWC order `run` flattens its input.
    prepare({ name }, params, maxWeightBytes) {
      const { chunks, biases } = chunkedLayer(params.get(`${name}.weight`)!, params.get(`${name}.bias`) as tf.Tensor1D, maxWeightBytes);
      const weights = chunks.map((c) => {
        const m = c.reshape([-1, c.shape[3]]);
        c.dispose();
        return m;
      });
      return { weights, biases };
    },
    run({ op }, [x], { prepared }) {
      // The classifier flattens pool5 in NHWC order, the order the [7, 7, C, out] kernel
      // was flattened in by `prepare`.
      const { weights, biases } = prepared!;
      const flat = x!.reshape([1, -1]) as tf.Tensor2D;
      const parts = weights.map((w, i) =>
        tf.fused.matMul({ a: flat, b: w as tf.Tensor2D, bias: biases[i]!, activation: op.relu ? "relu" : "linear" }),
      );
      const y = parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
      return y.reshape([1, 1, 1, op.outChannels]);
    },
    tensors({ name, op }, { backend, options: o, out: [, , bc], src }) {
      const list: PassTensor[] = [];
      if (backend === "webgl") list.push(f32(`${name} flattened`, name, [1, src[0] * src[1] * src[2]], "scratch", true));
      if (isSplit(op.window * op.window * op.inChannels * op.outChannels * FLOAT, o)) list.push(f32(`${name} output chunks`, name, [1, 1, 1, bc], "scratch"));
      return list;
    },
  },
  // The same arithmetic as a valid convolution over its window (its weights are stored as
  // that kernel), so it trains through train/ops.ts's conv.
  train: ({ name, op, inputs }, [x], ctx) =>
    trainConv(x!, ctx.param(`${name}.weight`) as tf.Tensor4D, ctx.param(`${name}.bias`) as tf.Tensor1D, {
      pad: 0,
      relu: op.relu,
      inputGrad: inputs[0] !== ctx.image,
    }),
};
