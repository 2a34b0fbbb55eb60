/** Multiply by a constant (the at-once FCN-8s scales pool4 by 0.01 and pool3 by 0.0001). */
import * as tf from "@tensorflow/tfjs";
import type { OpDef } from "./op-def.js";

export const scaleOp: OpDef<"scale"> = {
  shape: (_node, [src]) => src!,
  coordMap: ({ inputs }, mapOf) => mapOf(inputs[0]!),
  field: (_op, [s]) => s!,
  settings: ({ factor }) => ({ factor }),
  role: "scale",
  inference: { run: ({ op }, [x]) => tf.mul(x!, op.factor) },
  train: ({ op }, [x]) => tf.mul(x!, op.factor),
  linear: {
    at({ op, inputs }, i, j, ctx) {
      const v = ctx.value(inputs[0]!, i, j);
      return v && v.map((a) => a * op.factor);
    },
  },
};
