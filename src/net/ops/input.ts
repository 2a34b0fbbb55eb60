/** The image, already preprocessed (NHWC float32): the origin of every coordinate map. */
import type { OpDef } from "./op-def.js";

export const inputOp: OpDef<"input"> = {
  shape: (node, _ins, ctx) => [ctx.input[0], ctx.input[1], node.op.channels],
  coordMap: () => ({ a: 1, b: 0 }),
  field: () => ({ stride: 1, rf: 1 }),
  settings: () => ({}),
  role: "input",
  // The caller's tensor itself: the executor and the training forward never copy the image.
  inference: { run: (_node, _xs, ctx) => ctx.input },
  train: (_node, _xs, ctx) => ctx.input,
};
