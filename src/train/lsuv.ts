/**
 * Unit-variance initialization of a plain deep net, layer by layer, on real inputs
 * (Mishkin & Matas, "All you need is a good init", 2016: LSUV, without the
 * orthonormal step).
 *
 * Why: VGG16 has no normalization layers; Simonyan & Zisserman trained its deep
 * configurations by first training a shallower one and copying its layers in. From
 * scratch, He-normal weights keep the *input's* scale through the 16 layers, and a digit
 * on a black 224x224 canvas is mostly zeros: every activation then has a standard
 * deviation near 0.01 and Adam's first steps move the biases by more than the signal,
 * so training stalls at chance (measured: loss 2.30 after 100 steps at several learning
 * rates). Rescaling each layer's weights so that its output has unit variance on a
 * batch of training images fixes the scale once; the architecture is unchanged.
 */
import * as tf from "@tensorflow/tfjs";
import type { NetSpec } from "../net/spec.js";
import type { HostParams } from "../weights/types.js";
import { trainForward } from "./forward.js";

/**
 * Returns new parameters: each conv / fc weight of `spec` (in order) divided by the
 * standard deviation of that layer's pre-activation output on `input`, so the output's
 * is 1 (the last layer, whose outputs are the logits, is scaled to `lastStd`).
 */
export function unitVarianceInit(spec: NetSpec, params: HostParams, input: tf.Tensor4D, lastStd = 1): HostParams {
  const out: HostParams = new Map([...params].map(([k, v]) => [k, { shape: v.shape, data: Float32Array.from(v.data) }]));
  const layers = spec.nodes.filter((n) => n.op.type === "conv" || n.op.type === "fc");
  for (const [i, node] of layers.entries()) {
    const w = out.get(`${node.name}.weight`)!;
    const std = tf.tidy(() => {
      const tensors = new Map([...out].map(([k, v]) => [k, tf.tensor(v.data, [...v.shape])]));
      // The layer's input, then its pre-activation output (no bias, no ReLU).
      const src = node.inputs[0]!;
      const x = src === spec.nodes[0]!.name ? input : trainForward(spec, tensors, input, { taps: [src] })[src]!;
      const op = node.op as { pad?: number };
      const z = tf.conv2d(x, tensors.get(`${node.name}.weight`) as tf.Tensor4D, 1, op.pad ? op.pad : "valid");
      return Math.sqrt(tf.moments(z).variance.dataSync()[0]!);
    });
    const target = i === layers.length - 1 ? lastStd : 1;
    if (std > 0 && Number.isFinite(std)) for (let j = 0; j < w.data.length; j++) w.data[j]! *= target / std;
  }
  return out;
}
