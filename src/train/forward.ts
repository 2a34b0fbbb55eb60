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
 */
import * as tf from "@tensorflow/tfjs";
import { blobShapes } from "../net/geometry.js";
import type { NetSpec } from "../net/spec.js";
import { conv, crop, deconv, maxPool2x2 } from "./ops.js";

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
  const shapes = blobShapes(spec, h, w);
  const blobs = new Map<string, tf.Tensor4D>();
  const param = (name: string) => {
    const t = params.get(name);
    if (!t) throw new Error(`trainForward: ${spec.model} needs parameter ${name}`);
    return t;
  };
  let dropoutIndex = 0;
  for (const node of spec.nodes) {
    const { op } = node;
    const x = node.inputs.length ? blobs.get(node.inputs[0]!)! : input;
    let y: tf.Tensor4D;
    switch (op.type) {
      case "input":
        y = input;
        break;
      case "conv":
      case "fc": {
        // A classifier's fc layer is the same arithmetic as a valid convolution over its
        // window (its weights are stored as that kernel), so both train through `conv`.
        if (op.type === "conv" && op.stride !== 1) throw new Error(`trainForward: ${node.name} has stride ${op.stride}; only stride 1 is supported`);
        const pad = op.type === "conv" ? op.pad : 0;
        y = conv(x, param(`${node.name}.weight`) as tf.Tensor4D, param(`${node.name}.bias`) as tf.Tensor1D, {
          pad,
          relu: op.relu,
          inputGrad: node.inputs[0] !== spec.nodes[0]!.name,
        });
        if (o.dropout && DROPOUT_AFTER.has(node.name)) {
          y = tf.dropout(y, o.dropout, undefined, (o.seed ?? 0) * 7919 + ++dropoutIndex) as tf.Tensor4D;
        }
        break;
      }
      case "pool":
        if (op.kernel !== 2 || op.stride !== 2) throw new Error(`trainForward: only 2x2 stride-2 pools (VGG16's) are supported`);
        y = maxPool2x2(x);
        break;
      case "deconv":
        y = deconv(x, param(`${node.name}.weight`) as tf.Tensor4D, op.stride, !o.fixedUpsampling?.has(node.name));
        break;
      case "crop": {
        const [rh, rw] = shapes.get(op.reference)!;
        y = crop(x, op.offset, op.offset, rh, rw);
        break;
      }
      case "sum":
        y = node.inputs.map((n) => blobs.get(n)!).reduce((a, b) => tf.add(a, b));
        break;
      case "scale":
        y = tf.mul(x, op.factor);
        break;
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
