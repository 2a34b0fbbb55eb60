import { paramSpecs, countParams } from "./params.js";
import type { NetSpec } from "./spec.js";

/** [height, width, channels] of one blob for one input size. */
export type BlobShape = readonly [number, number, number];

export class InputSizeError extends Error {
  override name = "InputSizeError";
}

function convOut(n: number, k: number, s: number, p: number): number {
  return Math.floor((n + 2 * p - k) / s) + 1;
}

/** Caffe pooling rounds up: a window may hang over the bottom/right edge. */
function poolOut(n: number, k: number, s: number): number {
  return Math.ceil((n - k) / s) + 1;
}

type ShapeResult = { ok: true; shapes: Map<string, BlobShape> } | { ok: false; blob: string; detail: string };

/** Shapes, or the first blob that does not fit; no exceptions, so minInputSize can search. */
function tryShapes(spec: NetSpec, h: number, w: number): ShapeResult {
  const shapes = new Map<string, BlobShape>();
  for (const { name, op, inputs } of spec.nodes) {
    const src = inputs.length ? shapes.get(inputs[0]!)! : ([0, 0, 0] as const);
    let shape: BlobShape;
    switch (op.type) {
      case "input":
        shape = [h, w, op.channels];
        break;
      case "conv":
        shape = [convOut(src[0], op.kernel, op.stride, op.pad), convOut(src[1], op.kernel, op.stride, op.pad), op.outChannels];
        if (shape[0] < 1 || shape[1] < 1) {
          return { ok: false, blob: name, detail: `needs at least ${op.kernel}x${op.kernel} from ${inputs[0]}, which is ${src[0]}x${src[1]}` };
        }
        break;
      case "pool":
        shape = [poolOut(src[0], op.kernel, op.stride), poolOut(src[1], op.kernel, op.stride), src[2]];
        break;
      case "fc":
        if (src[0] !== op.window || src[1] !== op.window) {
          return { ok: false, blob: name, detail: `reads a ${op.window}x${op.window} block but ${inputs[0]} is ${src[0]}x${src[1]}` };
        }
        shape = [1, 1, op.outChannels];
        break;
      case "deconv":
        shape = [(src[0] - 1) * op.stride + op.kernel, (src[1] - 1) * op.stride + op.kernel, op.channels];
        break;
      case "crop": {
        const ref = shapes.get(op.reference)!;
        if (op.offset + ref[0] > src[0] || op.offset + ref[1] > src[1]) {
          return { ok: false, blob: name, detail: `cannot take ${ref[0]}x${ref[1]} at offset ${op.offset} from ${inputs[0]} (${src[0]}x${src[1]})` };
        }
        shape = [ref[0], ref[1], src[2]];
        break;
      }
      case "sum":
      case "scale":
        shape = src;
        break;
    }
    shapes.set(name, shape);
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
 * jump and widens the field by the inputs one output pixel mixes, ceil(k / s) - 1.
 */
export function receptiveFields(spec: NetSpec): Map<string, { stride: number; rf: number }> {
  const out = new Map<string, { stride: number; rf: number }>();
  for (const { name, op, inputs } of spec.nodes) {
    const srcs = inputs.map((i) => out.get(i)!);
    const s = srcs[0];
    switch (op.type) {
      case "input":
        out.set(name, { stride: 1, rf: 1 });
        break;
      case "conv":
      case "pool":
        out.set(name, { stride: s!.stride * op.stride, rf: s!.rf + (op.kernel - 1) * s!.stride });
        break;
      case "fc":
        out.set(name, { stride: s!.stride * op.window, rf: s!.rf + (op.window - 1) * s!.stride });
        break;
      case "deconv":
        out.set(name, { stride: s!.stride / op.stride, rf: s!.rf + (Math.ceil(op.kernel / op.stride) - 1) * s!.stride });
        break;
      case "sum":
        out.set(name, { stride: s!.stride, rf: Math.max(...srcs.map((x) => x.rf)) });
        break;
      default:
        out.set(name, s!);
    }
  }
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
    const shape = shapes.get(name)!;
    const params = countParams(specs.filter((p) => p.layer === name));
    let macs = 0;
    if (op.type === "conv" || op.type === "fc") {
      const k = op.type === "conv" ? op.kernel : op.window;
      macs = shape[0] * shape[1] * op.outChannels * k * k * op.inChannels;
    } else if (op.type === "deconv") {
      const src = shapes.get(inputs[0]!)!;
      macs = src[0] * src[1] * op.kernel * op.kernel * op.channels * op.channels;
    }
    const { stride, rf } = rfs.get(name)!;
    return { name, type: op.type, shape, params, stride, receptiveField: rf, macs, ...(op.type === "crop" ? { offset: op.offset } : {}) };
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
