/** Elementwise sum of same-shaped inputs on the same grid: the skip fusions. */
import * as tf from "@tensorflow/tfjs";
import { knownMap, type OpDef } from "./op-def.js";

export const sumOp: OpDef<"sum"> = {
  shape: (_node, [src]) => src!,
  coordMap({ inputs }, mapOf) {
    const maps = inputs.map((b) => knownMap(mapOf, b));
    if (maps.some((m) => m.a !== maps[0]!.a || m.b !== maps[0]!.b)) {
      throw new Error(`cannot sum ${inputs.join(" + ")}: they are not aligned on the same grid`);
    }
    return maps[0]!;
  },
  // Same grid; each cell sees what the widest-seeing input sees.
  field: (_op, ins) => ({ stride: ins[0]!.stride, rf: Math.max(...ins.map((x) => x.rf)) }),
  settings: () => ({}),
  role: "fuse",
  inference: {
    run: (_node, xs) => (xs.length === 2 ? tf.add(xs[0]!, xs[1]!) : tf.addN([...xs])),
  },
  train: (_node, xs) => xs.reduce((a, b) => tf.add(a, b)),
  linear: {
    // Inputs no stream reaches (null) add nothing.
    at({ name, inputs }, i, j, ctx) {
      const [, , c] = ctx.shapeOf(name);
      let out: Float64Array | null = null;
      for (const inp of inputs) {
        const v = ctx.value(inp, i, j);
        if (!v) continue;
        out ??= new Float64Array(c);
        for (let k = 0; k < c; k++) out[k]! += v[k]!;
      }
      return out;
    },
  },
};
