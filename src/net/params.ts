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

export function paramSpecs(spec: NetSpec): ParamSpec[] {
  const out: ParamSpec[] = [];
  for (const { name, op } of spec.nodes) {
    if (op.type === "conv" || op.type === "fc") {
      const k = op.type === "conv" ? op.kernel : op.window;
      out.push({ name: `${name}.weight`, layer: name, role: "weight", kind: op.type, shape: [k, k, op.inChannels, op.outChannels] });
      out.push({ name: `${name}.bias`, layer: name, role: "bias", kind: op.type, shape: [op.outChannels] });
    } else if (op.type === "deconv") {
      // No bias: the reference upsampling layers have bias_term: false.
      out.push({ name: `${name}.weight`, layer: name, role: "weight", kind: "deconv", shape: [op.kernel, op.kernel, op.channels, op.channels] });
    }
  }
  return out;
}

export function countParams(specs: readonly ParamSpec[]): number {
  return specs.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}
