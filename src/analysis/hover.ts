/**
 * Everything the hover panel shows for one output pixel, as numbers: its class scores
 * (logits and softmax), each stream's contribution to every logit, and where each
 * stream's cell sits on the input (stride cell, receptive field). Pure: the explorer page
 * draws it when the mouse is over a pixel, a notebook can print it, the tests check it
 * against the taps.
 */
import { receptiveFields } from "../net/geometry.js";
import type { NetSpec } from "../net/spec.js";
import { streamContributions, type DeconvWeights, type HostMap, type Stream } from "./streams.js";

export interface ClassScore {
  readonly cls: number;
  readonly name: string;
  /** The net's output at the pixel (the `score` tap). */
  readonly logit: number;
  readonly p: number;
  /** Per stream (coarsest first), summing to `logit`. */
  readonly streams: readonly number[];
}

export interface StreamCell {
  readonly stream: Stream;
  /** The cell of the stream's score map whose centre is nearest the pixel, (row, col). */
  readonly cell: readonly [number, number];
  /** That cell's centre on the input, (row, col) like the cell, from the coordinate map. */
  readonly centre: readonly [number, number];
  /** Theoretical receptive field side of the stream's score layer, px. */
  readonly rf: number;
}

export interface HoverInfo {
  readonly x: number;
  readonly y: number;
  /** Classes by logit, best first. */
  readonly scores: readonly ClassScore[];
  readonly cells: readonly StreamCell[];
  /** The output pixel's own theoretical receptive field (all streams, through the upsampling). */
  readonly outputRf: number;
  /** max over classes of |sum of streams - logit|, and of |logit|: the decomposition check. */
  readonly residual: number;
  readonly scale: number;
}

export interface HoverSource {
  readonly spec: NetSpec;
  readonly inputSize: readonly [number, number];
  readonly taps: ReadonlyMap<string, HostMap>;
  readonly deconv: DeconvWeights;
  readonly streams: readonly Stream[];
  readonly classNames: readonly string[];
}

export function hoverInfo(src: HoverSource, x: number, y: number): HoverInfo {
  const { spec } = src;
  const score = src.taps.get(spec.output)!;
  const [h, w, c] = score.shape;
  if (!(x >= 0 && y >= 0 && x < w && y < h)) throw new Error(`pixel (row ${y}, col ${x}) is outside the ${h}×${w} output`);
  const logits = Array.from({ length: c }, (_, k) => score.data[(y * w + x) * c + k]!);
  const contrib = streamContributions(spec, src.inputSize, src.taps, src.deconv, y, x);
  const mx = Math.max(...logits);
  const z = logits.reduce((s, v) => s + Math.exp(v - mx), 0);
  let residual = 0;
  const scores: ClassScore[] = logits.map((logit, cls) => {
    const streams = contrib.map((v) => v[cls]!);
    residual = Math.max(residual, Math.abs(streams.reduce((a, b) => a + b, 0) - logit));
    return { cls, name: src.classNames[cls] ?? `class ${cls}`, logit, p: Math.exp(logit - mx) / z, streams };
  });
  scores.sort((a, b) => b.logit - a.logit || a.cls - b.cls);
  const rfs = receptiveFields(spec);
  const cells: StreamCell[] = src.streams.map((stream) => {
    const cm = spec.coords.get(stream.source)!;
    const [gh, gw] = src.taps.get(stream.source)!.shape;
    const i = Math.max(0, Math.min(gh - 1, Math.round(cm.a * y + cm.b)));
    const j = Math.max(0, Math.min(gw - 1, Math.round(cm.a * x + cm.b)));
    return { stream, cell: [i, j], centre: [(i - cm.b) / cm.a, (j - cm.b) / cm.a], rf: rfs.get(stream.source)!.rf };
  });
  return {
    x,
    y,
    scores,
    cells,
    outputRf: rfs.get(spec.output)!.rf,
    residual,
    scale: Math.max(...logits.map(Math.abs)),
  };
}
