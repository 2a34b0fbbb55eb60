/**
 * Crop to the reference blob's size, starting at an offset derived from the two blobs'
 * coordinate maps (cropOffset below), never typed in: 19 for FCN-32s, 5 / 9 / 31 for FCN-8s.
 */
import * as tf from "@tensorflow/tfjs";
import type { CoordMap } from "../../../core/coord-map.js";
import { crop as trainCrop } from "../../train/ops.js";
import type { Window } from "../block-upsampling.js";
import type { NetNode } from "../spec.js";
import { knownMap, type BlobShape, type OpDef } from "./op-def.js";

/**
 * Where `bottom` must be cropped to lie on `reference`'s grid: two blobs with the same
 * scale a are on the same grid, shifted by the difference of their b (NetBuilder.crop).
 */
export function cropOffset(from: CoordMap, to: CoordMap, bottom: string, reference: string): number {
  if (from.a !== to.a) {
    throw new Error(`cannot crop ${bottom} to ${reference}: their strides differ (${1 / from.a} vs ${1 / to.a})`);
  }
  const offset = (from.b - to.b);
  if (!Number.isInteger(offset) || offset < 0) {
    throw new Error(`cannot crop ${bottom} to ${reference}: offset ${offset} is not a whole, non-negative number`);
  }
  return offset;
}

/** The part of its input a crop keeps (which a fused upsampling computes alone, see strategy.ts). */
export function cropWindow(crop: NetNode, shapes: ReadonlyMap<string, BlobShape>): Window {
  if (crop.op.type !== "crop") throw new Error(`internal: ${crop.name} is not a crop`);
  const [height, width] = shapes.get(crop.op.reference)!;
  return { top: crop.op.offset, left: crop.op.offset, height, width };
}

export const cropOp: OpDef<"crop"> = {
  shape({ op, inputs }, [src], ctx) {
    const ref = ctx.shapeOf(op.reference);
    if (op.offset + ref[0] > src![0] || op.offset + ref[1] > src![1]) {
      return `cannot take ${ref[0]}x${ref[1]} at offset ${op.offset} from ${inputs[0]} (${src![0]}x${src![1]})`;
    }
    return [ref[0], ref[1], src![2]];
  },
  // The reference's grid, by construction of the offset.
  coordMap: ({ op }, mapOf) => knownMap(mapOf, op.reference),
  // A window of the same cells: what each sees is unchanged.
  field: (_op, [s]) => s!,
  cropOffset: (op) => op.offset,
  settings: ({ reference, offset }) => ({ reference, offset }),
  role: "crop",
  inference: {
    run({ op }, [x], { shapes }) {
      const [h, w] = shapes.get(op.reference)!;
      return tf.slice(x!, [0, op.offset, op.offset, 0], [1, h, w, -1]);
    },
  },
  train({ op }, [x], { shapes }) {
    const [rh, rw] = shapes.get(op.reference)!;
    return trainCrop(x!, op.offset, op.offset, rh, rw);
  },
  linear: {
    at: ({ op, inputs }, i, j, ctx) => ctx.value(inputs[0]!, i + op.offset, j + op.offset),
  },
};
