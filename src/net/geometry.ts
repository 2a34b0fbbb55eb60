/**
 * A net's geometry from its spec alone: every blob's shape for an input size (and the
 * smallest input that fits), stride and receptive field, parameters and
 * multiply-accumulates per layer. What each op contributes is in its module of ops/.
 */
import { opDef, type BlobShape, type Field } from "./ops/index.js";
import { paramSpecs, countParams } from "./params.js";
import type { NetSpec } from "./spec.js";

export type { BlobShape };

export class InputSizeError extends Error {
  override name = "InputSizeError";
}

type ShapeResult = { ok: true; shapes: Map<string, BlobShape> } | { ok: false; blob: string; detail: string };

/** Shapes, or the first blob that does not fit; no exceptions, so minInputSize can search. */
function tryShapes(spec: NetSpec, h: number, w: number): ShapeResult {
  const shapes = new Map<string, BlobShape>();
  const ctx = { input: [h, w] as const, shapeOf: (blob: string) => shapes.get(blob)! };
  for (const node of spec.nodes) {
    const shape = opDef(node.op).shape(node, node.inputs.map((i) => shapes.get(i)!), ctx);
    if (typeof shape === "string") return { ok: false, blob: node.name, detail: shape };
    shapes.set(node.name, shape);
  }
  return { ok: true, shapes };
}

/**
 * Shape of every blob for an input of h x w, in execution order. Throws an
 * InputSizeError that names the blob and the smallest accepted size when the input is
 * too small (or, for a classifier, not its fixed size).
 */
export function blobShapes(spec: NetSpec, h: number, w: number): Map<string, BlobShape> {
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) {
    throw new InputSizeError(`input size must be whole positive numbers, got ${h}x${w}`);
  }
  if (spec.fixedInput !== null && (h !== spec.fixedInput || w !== spec.fixedInput)) {
    throw new InputSizeError(
      `${spec.model} is a classifier with fully connected layers: its input must be exactly ` +
        `${spec.fixedInput}x${spec.fixedInput}, got ${h}x${w}. Resize the image, or use vgg16-fcn for any size.`,
    );
  }
  const r = tryShapes(spec, h, w);
  if (r.ok) return r.shapes;
  const min = minInputSize(spec);
  throw new InputSizeError(
    `input ${h}x${w} is too small for ${spec.model}: ${r.blob} ${r.detail}. ` +
      `The smallest input ${spec.model} accepts is ${min}x${min}; use a larger image.`,
  );
}

const minSizes = new WeakMap<NetSpec, number>();

/** Smallest square input side the net accepts (its fixed size for a classifier). */
export function minInputSize(spec: NetSpec): number {
  if (spec.fixedInput !== null) return spec.fixedInput;
  let min = minSizes.get(spec);
  if (min === undefined) {
    min = 1;
    while (!tryShapes(spec, min, min).ok) {
      if (++min > 4096) throw new Error(`internal: no input size up to 4096 fits ${spec.model}`);
    }
    minSizes.set(spec, min);
  }
  return min;
}

/**
 * Stride ("jump": input pixels between neighbouring cells) and theoretical receptive
 * field (input pixels one cell can see, per side) of every blob, by the usual
 * recurrences: conv/pool rf += (k - 1) * jump, jump *= s; a transposed conv divides the
 * jump and widens the field by the inputs one output pixel mixes, ceil(k / s) - 1 (each
 * op's `field` in ops/).
 */
export function receptiveFields(spec: NetSpec): Map<string, Field> {
  const out = new Map<string, Field>();
  for (const { name, op, inputs } of spec.nodes) out.set(name, opDef(op).field(op, inputs.map((i) => out.get(i)!)));
  return out;
}

export interface SummaryRow {
  readonly name: string;
  readonly type: string;
  /** [h, w, c] for the summary's input size. */
  readonly shape: BlobShape;
  readonly params: number;
  readonly stride: number;
  readonly receptiveField: number;
  /** Crop offset, for crop layers. */
  readonly offset?: number;
  /** Multiply-accumulates of this layer for the summary's input size. */
  readonly macs: number;
}

export interface Summary {
  readonly model: string;
  readonly input: readonly [number, number];
  readonly rows: readonly SummaryRow[];
  readonly totalParams: number;
  readonly totalMacs: number;
}

/** Per layer: output shape, parameters, stride, receptive field, and the totals. */
export function summarize(spec: NetSpec, h: number, w: number): Summary {
  const shapes = blobShapes(spec, h, w);
  const rfs = receptiveFields(spec);
  const specs = paramSpecs(spec);
  const rows: SummaryRow[] = spec.nodes.map(({ name, op, inputs }) => {
    const def = opDef(op);
    const shape = shapes.get(name)!;
    const params = countParams(specs.filter((p) => p.layer === name));
    const macs = def.macs?.(op, shape, inputs.map((i) => shapes.get(i)!)) ?? 0;
    const { stride, rf } = rfs.get(name)!;
    const offset = def.cropOffset?.(op);
    return { name, type: op.type, shape, params, stride, receptiveField: rf, macs, ...(offset !== undefined ? { offset } : {}) };
  });
  return {
    model: spec.model,
    input: [h, w],
    rows,
    totalParams: rows.reduce((n, r) => n + r.params, 0),
    totalMacs: rows.reduce((n, r) => n + r.macs, 0),
  };
}

/** The summary as an aligned text table (the CLI's `summary`). */
export function formatSummary(s: Summary): string {
  const head = ["layer", "type", "output (h x w x c)", "params", "stride", "rf", "crop"];
  const body = s.rows.map((r) => [
    r.name,
    r.type,
    `${r.shape[0]} x ${r.shape[1]} x ${r.shape[2]}`,
    r.params ? r.params.toLocaleString("en-US") : "",
    String(r.stride),
    String(r.receptiveField),
    r.offset !== undefined ? String(r.offset) : "",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [
    `${s.model} on a ${s.input[0]}x${s.input[1]} input`,
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...body.map(line),
    "",
    `total parameters: ${s.totalParams.toLocaleString("en-US")}`,
    `multiply-accumulates: ${(s.totalMacs / 1e9).toFixed(1)} G (${((2 * s.totalMacs) / 1e9).toFixed(1)} GFLOP)`,
  ].join("\n");
}
