/**
 * A net spec as plain facts (core/net-description.ts) for one input size, for figures
 * that must not know models or layer names: each layer's op and settings (the op
 * table's `settings`), its inputs, shape, stride, receptive field, parameters and MACs
 * (geometry.ts's summary), its coordinate map (the spec's), and its role and path, read
 * off the graph.
 */
import type { CoordMap } from "../../core/coord-map.js";
import type { LayerRole, NetDescription, NetLayer } from "../../core/net-description.js";
import { summarize } from "./geometry.js";
import { opDef } from "./ops/index.js";
import type { NetNode, NetSpec } from "./spec.js";

/**
 * The net for an h x w input, every layer in execution order. Throws geometry's
 * InputSizeError when the input does not fit (blobShapes).
 */
export function describeNet(spec: NetSpec, h: number, w: number): NetDescription {
  const { rows } = summarize(spec, h, w);
  const main = mainPath(spec);
  const convRole = convRoles(spec);
  const layers = spec.nodes.map(({ name, op, inputs }, i): NetLayer => {
    const row = rows[i]!;
    const def = opDef(op);
    const m = spec.coords.get(name);
    const coordMap: CoordMap | undefined = m && { a: m.a, b: m.b };
    return {
      name,
      kind: op.type,
      role: convRole.get(name) ?? def.role,
      path: main.has(name) ? "main" : "skip",
      inputs: [...inputs],
      op: def.settings(op),
      shape: [row.shape[0], row.shape[1], row.shape[2]],
      stride: row.stride,
      receptiveField: row.receptiveField,
      ...(coordMap ? { coordMap } : {}),
      params: row.params,
      macs: row.macs,
    };
  });
  return { model: spec.model, input: [h, w], classes: spec.classes, width: spec.width, output: spec.output, layers };
}

/** The chain from the output back through each layer's first input. */
function mainPath(spec: NetSpec): Set<string> {
  const byName = new Map(spec.nodes.map((n) => [n.name, n]));
  const main = new Set<string>();
  for (let cur = byName.get(spec.output); cur && !main.has(cur.name); cur = byName.get(cur.inputs[0] ?? "")) main.add(cur.name);
  return main;
}

/** A node's role by its op alone (the op table's). */
const opRole = (node: NetNode): LayerRole => opDef(node.op).role;

/** Roles a score layer's output may pass through on its way to an upsampling. */
const PASS_THROUGH: ReadonlySet<LayerRole> = new Set(["crop", "fuse", "scale"]);

/**
 * The roles of the convolutions that are not part of the body (core's LayerRole):
 * `score` when an upsampling reads one through crops, sums and scalings only, else
 * `fc-as-conv` when it comes after the last pool.
 */
function convRoles(spec: NetSpec): Map<string, LayerRole> {
  const byName = new Map(spec.nodes.map((n) => [n.name, n]));
  const roles = new Map<string, LayerRole>();
  const visit = (blob: string): void => {
    const node = byName.get(blob)!;
    if (opRole(node) === "feature") roles.set(blob, "score");
    else if (PASS_THROUGH.has(opRole(node))) node.inputs.forEach(visit);
  };
  for (const node of spec.nodes) if (opRole(node) === "upsample") node.inputs.forEach(visit);
  const lastPool = [...spec.nodes].reverse().find((n) => opRole(n) === "pool");
  const afterPools = new Set<string>(lastPool ? [lastPool.name] : []);
  for (const node of spec.nodes) {
    if (!node.inputs.some((i) => afterPools.has(i))) continue;
    afterPools.add(node.name);
    if (opRole(node) === "feature" && !roles.has(node.name)) roles.set(node.name, "fc-as-conv");
  }
  return roles;
}
