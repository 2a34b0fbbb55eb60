import * as tf from "@tensorflow/tfjs";
import { bilinearFilter } from "../../core/bilinear.js";
import type { Params } from "../weights/types.js";
import { paramSpecs, type ParamSpec } from "./params.js";
import type { NetSpec } from "./spec.js";

/** Layers the FCNs add on top of VGG16: new class-score predictors. */
const SCORE_LAYERS = new Set(["score_fr", "score_pool4", "score_pool3"]);

function bilinear(p: ParamSpec): tf.Tensor {
  return tf.tensor(bilinearFilter(p.shape[0]!, p.shape[2]!), [...p.shape]);
}

/**
 * Random parameters for showing the mechanics before any training: He-normal
 * convolutions (activations keep their scale through 16 layers), zero biases,
 * bilinear upsampling. Seeded, so the same seed gives the same net on every backend.
 */
export function randomParams(spec: NetSpec, seed = 0): Params {
  const params: Params = new Map();
  paramSpecs(spec).forEach((p, i) => {
    let t: tf.Tensor;
    if (p.kind === "deconv") t = bilinear(p);
    else if (p.role === "bias") t = tf.zeros([...p.shape]);
    else {
      const fanIn = p.shape[0]! * p.shape[1]! * p.shape[2]!;
      // + 1: tfjs takes a seed of 0 as "no seed" (a fresh random one).
      t = tf.randomNormal([...p.shape], 0, Math.sqrt(2 / fanIn), "float32", seed * 1000 + i + 1);
    }
    params.set(p.name, t);
  });
  return params;
}

/**
 * The paper's initialization of an FCN from a VGG16 classifier ("surgery"): the 13
 * convolutions and fc6/fc7 carried over unchanged (the classifier's fc weights are
 * already stored as 7x7 / 1x1 conv kernels, so convolutionalizing is a reshape that
 * costs nothing), fc8 discarded, the new score layers at zero, and every transposed
 * convolution bilinear. The returned tensors are new; `vgg` is left as it was.
 */
export function surgery(vgg: Params, fcn: NetSpec): Params {
  const params: Params = new Map();
  const problems: string[] = [];
  for (const p of paramSpecs(fcn)) {
    if (p.kind === "deconv") {
      params.set(p.name, bilinear(p));
    } else if (SCORE_LAYERS.has(p.layer)) {
      params.set(p.name, tf.zeros([...p.shape]));
    } else {
      const src = vgg.get(p.name);
      if (!src) problems.push(`${p.name}: missing from the VGG16 weights`);
      else if (src.shape.join("x") !== p.shape.join("x")) {
        problems.push(`${p.name}: VGG16 has ${src.shape.join("x")}, ${fcn.model} needs ${p.shape.join("x")}`);
      } else params.set(p.name, src.reshape(src.shape)); // shares the data (tf.clone copies on wasm)
    }
  }
  if (problems.length) {
    params.forEach((t) => t.dispose());
    throw new Error(
      `cannot build ${fcn.model} from these VGG16 weights:\n  ${problems.join("\n  ")}\n` +
        `Use VGG16 weights of the same width (width ${fcn.width}).`,
    );
  }
  return params;
}
