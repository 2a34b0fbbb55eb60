import { opDef } from "./ops/index.js";
import type { NetSpec } from "./spec.js";

/**
 * What a parameter is, in tfjs layout:
 *   conv / fc weight: [kH, kW, in, out]   (fc6 of the classifier: [7, 7, 512, 4096])
 *   deconv weight:    [kH, kW, out, in]   (tfjs conv2dTranspose's filter layout)
 *   bias:             [out]
 * Weight files in other layouts (PyTorch OIHW, Keras' flattened fc) are converted to
 * this once, when they are loaded.
 */
export interface ParamSpec {
  /** `<layer>.weight` or `<layer>.bias`. */
  readonly name: string;
  readonly layer: string;
  readonly role: "weight" | "bias";
  /** Which layer kind owns it: decides the layout conversions of weight files. */
  readonly kind: "conv" | "fc" | "deconv";
  readonly shape: readonly number[];
}

/** Every parameter tensor of the net, layer by layer in execution order (each op's `params` in ops/). */
export function paramSpecs(spec: NetSpec): ParamSpec[] {
  const out: ParamSpec[] = [];
  for (const node of spec.nodes) {
    const params = opDef(node.op).params;
    if (params) out.push(...params(node));
  }
  return out;
}

export function countParams(specs: readonly ParamSpec[]): number {
  return specs.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}
