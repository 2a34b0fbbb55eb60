/**
 * The stage figures of one pass, from viz/ (the same pure functions the notebooks use):
 * the 1/32 coarse scores, the upsampling path, the skip fusions, the final overlay, and
 * the receptive field of a chosen cell. Plain arrays in, SVG strings out; no DOM needed
 * (in the browser viz's d3 draws into a detached document).
 */
import { receptiveFields, type HostMap, type NetSpec, type RgbImage } from "fcn-viz";
import { argmax, fmtPos, receptiveFieldFigure, scoreMaps, segmentationOverlay, skipFusion, upsamplingStages, type FusionStep, type UpsamplingStage } from "fcn-viz/viz";

export interface StageFigure {
  readonly id: "coarse" | "upsampling" | "fusion" | "overlay" | "receptive-field";
  readonly title: string;
  /** One or two sentences under the title. */
  readonly caption: string;
  readonly svg: string;
  readonly width: number;
  readonly height: number;
}

export interface FigureInput {
  readonly spec: NetSpec;
  readonly image: RgbImage;
  readonly taps: ReadonlyMap<string, HostMap>;
  readonly classNames: readonly string[];
  /** The class drawn in the single-class figures (upsampling, fusion). */
  readonly classIndex: number;
  /** A note for the titles ("random weights: the scores mean nothing"). */
  readonly note?: string;
}

const arr = (m: HostMap) => ({ data: m.data, shape: [...m.shape] });
const img = (i: RgbImage) => ({ data: i.rgb, shape: [i.height, i.width, 3] });

/** The path from score_fr to the output through the first input of each op: the main (upsampling) line. */
export function mainPath(spec: NetSpec): string[] {
  const byName = new Map(spec.nodes.map((n) => [n.name, n]));
  const path: string[] = [];
  for (let n = byName.get(spec.output); n; n = byName.get(n.inputs[0] ?? "")) {
    path.unshift(n.name);
    if (n.name === "score_fr") break;
  }
  if (path[0] !== "score_fr") throw new Error(`${spec.model}: no path from score_fr to ${spec.output}`);
  return path;
}

/** The class shown by default: the one covering most output pixels, background only if nothing else shows. */
export function defaultClass(score: HostMap): number {
  const labels = argmax(arr(score)).data;
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return (ranked.find(([l]) => l !== 0) ?? ranked[0] ?? [0])[0];
}

/** The four stage figures of a pass. */
export function stageFigures(o: FigureInput): StageFigure[] {
  const { spec, taps, classNames } = o;
  const tap = (n: string) => {
    const t = taps.get(n);
    if (!t) throw new Error(`stage figures: tap ${n} missing`);
    return t;
  };
  const byName = new Map(spec.nodes.map((n) => [n.name, n]));
  const figs: StageFigure[] = [];
  const suffix = o.note ? ` (${o.note})` : "";
  const cls = o.classIndex;
  const clsName = classNames[cls] ?? `class ${cls}`;

  const coarse = scoreMaps(arr(tap("score_fr")), {
    coordMap: spec.coords.get("score_fr")!,
    image: img(o.image),
    classNames,
    maxClasses: 3,
    panelSize: 170,
    title: `score_fr: the 1/32 coarse class scores${suffix}`,
  });
  figs.push({
    id: "coarse",
    title: "1. The coarse map (stride 32)",
    caption: "What the convolutionalized classifier computes: one score per class for each 32 px cell. Everything finer comes from upsampling and the skips.",
    svg: coarse.toSVG(),
    width: coarse.width,
    height: coarse.height,
  });

  const path = mainPath(spec);
  const stages: UpsamplingStage[] = path.map((name, i) => {
    const node = byName.get(name)!;
    const op = node.op;
    let label: string | undefined;
    let crop: number | undefined;
    if (i > 0) {
      if (op.type === "deconv") label = `×${op.stride}\nk${op.kernel} s${op.stride}`;
      else if (op.type === "sum") label = `+ ${node.inputs.slice(1).map((n) => n.replace(/^score_(pool\d+)c?$/, "$1")).join(" + ")}`;
      else if (op.type === "crop") {
        label = `crop ${op.offset}`;
        crop = op.offset;
      }
    }
    return { name, tap: arr(tap(name)), coordMap: spec.coords.get(name)!, ...(label ? { op: label } : {}), ...(crop !== undefined ? { crop } : {}) };
  });
  const up = upsamplingStages(stages, { classIndex: cls, classNames, image: img(o.image), panelSize: 180, columns: 4 });
  figs.push({
    id: "upsampling",
    title: `2. Upsampling, class "${clsName}"`,
    caption: "Each blob placed on the input by its coordinate map: transposed convolutions (initialized bilinear) double the resolution, the skips add finer scores, and the final crop aligns the result with the image.",
    svg: up.toSVG(),
    width: up.width,
    height: up.height,
  });

  const steps: FusionStep[] = path
    .map((n) => byName.get(n)!)
    .filter((n) => n.op.type === "sum")
    .map((n) => ({
      a: { name: n.inputs[0]!, tap: arr(tap(n.inputs[0]!)) },
      b: { name: n.inputs[1]!, tap: arr(tap(n.inputs[1]!)) },
      sum: { name: n.name, tap: arr(tap(n.name)) },
    }));
  if (steps.length) {
    const fuse = skipFusion(steps, { classIndex: cls, classNames, panelSize: 170 });
    figs.push({
      id: "fusion",
      title: `3. Skip fusion, class "${clsName}"`,
      caption: "Each fusion adds the scores of a shallower pool (cropped onto the same grid) to the upsampled deeper scores: coarse and confident plus fine and local.",
      svg: fuse.toSVG(),
      width: fuse.width,
      height: fuse.height,
    });
  }

  const labels = argmax(arr(tap(spec.output)));
  const overlay = segmentationOverlay(img(o.image), labels, {
    classNames,
    sideBySide: true,
    width: Math.min(Math.max(o.image.width, 240), 400),
    title: `Final segmentation: argmax of ${spec.output}${suffix}`,
  });
  figs.push({
    id: "overlay",
    title: "4. The final overlay",
    caption: "The argmax over classes at every pixel, laid over the input (background left clear).",
    svg: overlay.toSVG(),
    width: overlay.width,
    height: overlay.height,
  });
  return figs;
}

/** The receptive field and stride cell of the score_fr cell under input pixel (row y, col x). */
export function receptiveFieldStage(spec: NetSpec, image: RgbImage, scoreFr: HostMap, x: number, y: number): StageFigure {
  const cm = spec.coords.get("score_fr")!;
  const [gh, gw] = scoreFr.shape;
  const cell: [number, number] = [clamp(Math.round(cm.a * y + cm.b), gh), clamp(Math.round(cm.a * x + cm.b), gw)];
  const rf = receptiveFields(spec).get("score_fr")!;
  const fig = receptiveFieldFigure({ gridSize: [gh, gw], coordMap: cm, receptiveField: rf.rf, stride: rf.stride, cell, image: img(image), name: "score_fr", size: 380 });
  return {
    id: "receptive-field",
    title: `5. Receptive field of the coarse cell under pixel ${fmtPos(y, x)}`,
    caption: `Neighbouring coarse cells are ${rf.stride} px apart, yet each sees a ${rf.rf} px square: most of it context, and near the border much of it padding.`,
    svg: fig.toSVG(),
    width: fig.width,
    height: fig.height,
  };
}

function clamp(i: number, n: number): number {
  return Math.max(0, Math.min(n - 1, i));
}
