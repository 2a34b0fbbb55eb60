import { MODEL_NAMES, type ModelName, type NetSpec } from "../net/spec.js";
import type { VggOptions } from "../vgg16.js";
import { fcn16sSpec } from "./fcn16s.js";
import { fcn32sSpec } from "./fcn32s.js";
import { fcn8sSpec, type Fcn8sOptions } from "./fcn8s.js";
import { vgg16FcnSpec, vgg16Spec } from "./vgg16.js";

export { fcn16sSpec, fcn32sSpec, fcn8sSpec, vgg16FcnSpec, vgg16Spec };

const BUILDERS: Record<ModelName, (o: Fcn8sOptions) => NetSpec> = {
  vgg16: vgg16Spec,
  "vgg16-fcn": vgg16FcnSpec,
  fcn32s: fcn32sSpec,
  fcn16s: fcn16sSpec,
  fcn8s: fcn8sSpec,
};

export function isModelName(name: string): name is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(name);
}

/** The spec of a model by name; an unknown name is an error that lists the known ones. */
export function modelSpec(name: string, o: Fcn8sOptions = {}): NetSpec {
  if (!isModelName(name)) {
    throw new Error(`unknown model "${name}": choose one of ${MODEL_NAMES.join(", ")}`);
  }
  return BUILDERS[name](o);
}

export type { VggOptions };
