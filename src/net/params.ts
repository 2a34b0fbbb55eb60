import { opDef } from "./ops/index.js";
import type { NetSpec, ParamSpec } from "./spec.js";

export type { ParamSpec } from "./spec.js";

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
