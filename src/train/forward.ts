/**
 * The training forward pass: the same NetSpec the inference executor runs
 * (src/net/execute.ts), over parameters that may be tf.Variables, batched, and
 * differentiable end to end (learned upsampling included).
 *
 * Why a second executor: the inference one prepares weights for speed once, host-side
 * (fc weights flattened, deconvs turned into quadrant matrices with dataSync), which
 * cuts the gradient's path to the parameters. Here every layer is built from the
 * parameter tensors on each call. For the same parameters both give the same numbers
 * (test/train-forward.test.ts checks every tap of every model).
 *
 * Each layer is its op's training kernel (the `train` entry of its module in
 * src/net/ops/), built on the custom-gradient layers of ./ops.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { blobShapes } from "../net/geometry.js";
import { opDef } from "../net/ops/index.js";
import type { TrainContext } from "../net/ops/op-def.js";
import type { NetSpec } from "../net/spec.js";

export interface TrainForwardOptions {
  /** Dropout rate after fc6 and fc7 (VGG16's drop6 / drop7: 0.5); 0 or absent: none. */
  readonly dropout?: number;
  /** Seed of the dropout masks (training stays reproducible when resumed). */
  readonly seed?: number;
  /**
   * Upsampling layers whose filters are not learned (fixed bilinear): their filter
   * gradient is skipped.
   */
  readonly fixedUpsampling?: ReadonlySet<string>;
  /** Blobs to return besides the output. */
  readonly taps?: readonly string[];
}

/** Layers after which VGG16 applies dropout during training. */
const DROPOUT_AFTER = new Set(["fc6", "fc7"]);

/**
 * Runs `spec` on a preprocessed [B, H, W, 3] batch. Returns the output blob (under the
 * spec's output name) and any requested taps. Intermediates stay alive: call it inside
 * tf.tidy / tf.variableGrads, which free them.
 */
export function trainForward(
  spec: NetSpec,
  params: ReadonlyMap<string, tf.Tensor>,
  input: tf.Tensor4D,
  o: TrainForwardOptions = {},
): Record<string, tf.Tensor4D> {
  const [, h, w] = input.shape;
  const blobs = new Map<string, tf.Tensor4D>();
  const ctx: TrainContext = {
    input,
    image: spec.nodes[0]!.name,
    shapes: blobShapes(spec, h, w),
    param(name) {
      const t = params.get(name);
      if (!t) throw new Error(`trainForward: ${spec.model} needs parameter ${name}`);
      return t;
    },
    learns: (layer) => !o.fixedUpsampling?.has(layer),
  };
  let dropoutIndex = 0;
  for (const node of spec.nodes) {
    let y = opDef(node.op).train(node, node.inputs.map((n) => blobs.get(n)!), ctx);
    if (o.dropout && DROPOUT_AFTER.has(node.name)) {
      y = tf.dropout(y, o.dropout, undefined, (o.seed ?? 0) * 7919 + ++dropoutIndex) as tf.Tensor4D;
    }
    blobs.set(node.name, y);
  }
  const out: Record<string, tf.Tensor4D> = { [spec.output]: blobs.get(spec.output)! };
  for (const t of o.taps ?? []) {
    const b = blobs.get(t);
    if (!b) throw new Error(`unknown tap "${t}" for ${spec.model}`);
    out[t] = b;
  }
  return out;
}
