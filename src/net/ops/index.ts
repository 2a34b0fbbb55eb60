/**
 * The table of ops: for each op type of a net spec (spec.ts), everything the library
 * knows about it, in its own module. Read by the builder (coordinate maps), geometry
 * (shapes, receptive fields, MACs), params, the executor and memory planner (inference
 * kernel), the training forward (training kernel) and the stream decomposition (linear
 * ops). Adding an op: a variant in spec.ts's Op, a module here, a line below.
 */
import type { Op, OpType } from "../spec.js";
import { convOp } from "./conv.js";
import { cropOp } from "./crop.js";
import { deconvOp } from "./deconv.js";
import { fcOp } from "./fc.js";
import { inputOp } from "./input.js";
import type { OpDef } from "./op-def.js";
import { poolOp } from "./pool.js";
import { scaleOp } from "./scale.js";
import { sumOp } from "./sum.js";

export const OPS: { readonly [T in OpType]: OpDef<T> } = {
  input: inputOp,
  conv: convOp,
  pool: poolOp,
  fc: fcOp,
  deconv: deconvOp,
  crop: cropOp,
  sum: sumOp,
  scale: scaleOp,
};

/**
 * The entry for an op, callable with any node: TypeScript cannot tie OPS[op.type] to the
 * op's own variant, and every caller passes the node whose op it looked up.
 */
export function opDef(op: Op): OpDef<OpType> {
  return OPS[op.type] as OpDef<OpType>;
}

export type { BlobShape, Field, OpDef, PreparedLayer } from "./op-def.js";
