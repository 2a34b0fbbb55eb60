import { drawLegend, drawTitle, measureLegend, measureTitle, type LegendItem } from "../components.js";
import { PlotlyFigure } from "../figure.js";
import { labelColors, labelName } from "../../core/palette.js";
import { VOC_CLASS_NAMES } from "../../core/class-names/voc.js";
import { plotlyTitle, type PlotlySpec } from "../plotly.js";
import { labelRaster, reduceArea } from "../raster.js";
import { INK, SPACE } from "../style.js";
import { createSvg, frame, image, text } from "../svg.js";
import { asHWC, channel, type ArrayND } from "../../core/arrays.js";

export interface InteractiveScoresOptions {
  /** Tap name for the title (default "score"). */
  readonly name?: string;
  readonly classNames?: readonly string[];
  /** CSS colour of each class, label order (default classColors(classNames): the digit models' categorical palette for their names, else VOC's colours). */
  readonly classColors?: readonly string[];
  /** Larger maps are averaged down to at most this many cells per side (default 96): hover text per cell keeps notebooks small. */
  readonly maxSize?: number;
  /** Classes listed in the hover text, best first (default 5). */
  readonly topK?: number;
  /** Plot size in px (default 520). */
  readonly size?: number;
  readonly title?: string;
}

/**
 * The argmax of class scores as a plotly heat map in class colours; hovering a cell lists
 * its top classes with their scores and softmax probabilities. Static fallback: the
 * same map drawn by d3.
 */
export function interactiveScores(scores: ArrayND, o: InteractiveScoresOptions = {}): PlotlyFigure {
  const m = asHWC(scores, "interactiveScores scores");
  const names = o.classNames ?? VOC_CLASS_NAMES;
  const colors = labelColors(names, o.classColors);
  const maxSize = o.maxSize ?? 96;
  const f = Math.max(1, Math.ceil(Math.max(m.h, m.w) / maxSize));
  const h = Math.ceil(m.h / f);
  const w = Math.ceil(m.w / f);
  const planes = Array.from({ length: m.c }, (_, c) => reduceArea(channel(m, c), m.h, m.w, h, w));
  const topK = Math.max(1, Math.min(o.topK ?? 5, m.c));
  const labels = new Uint8Array(h * w);
  const z: number[][] = [];
  const hover: string[][] = [];
  const order = new Array<number>(topK).fill(0);
  const present = new Map<number, number>();
  for (let y = 0; y < h; y++) {
    const zr: number[] = [];
    const tr: string[] = [];
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      // Top k by insertion (k is small): order[0..k) best first, ties by class index.
      let n = 0;
      for (let c = 0; c < m.c; c++) {
        const v = planes[c]![i]!;
        if (n === topK && v <= planes[order[n - 1]!]![i]!) continue;
        let j = n < topK ? n++ : n - 1;
        while (j > 0 && planes[order[j - 1]!]![i]! < v) {
          order[j] = order[j - 1]!;
          j--;
        }
        order[j] = c;
      }
      const mx = planes[order[0]!]![i]!;
      let sum = 0;
      for (let c = 0; c < m.c; c++) sum += Math.exp(planes[c]![i]! - mx);
      const best = order[0]!;
      labels[i] = best;
      present.set(best, (present.get(best) ?? 0) + 1);
      zr.push(best);
      tr.push(
        order
          .slice(0, topK)
          .map((c) => `${names[c] ?? `class ${c}`}: ${planes[c]![i]!.toFixed(2)} (p ${(Math.exp(planes[c]![i]! - mx) / sum).toFixed(2)})`)
          .join("<br>"),
      );
    }
    z.push(zr);
    hover.push(tr);
  }
  const C = m.c;
  const colorscale: Array<[number, string]> = [];
  for (let l = 0; l < C; l++) {
    colorscale.push([Number((l / C).toFixed(6)), colors.css(l)], [Number(((l + 1) / C).toFixed(6)), colors.css(l)]);
  }
  const classes = [...present.keys()].sort((a, b) => a - b);
  const name = o.name ?? "score";
  const S = o.size ?? 520;
  const note = f > 1 ? ` (averaged ${f}×${f} → ${h}×${w})` : "";
  const title = o.title ?? `${name}: argmax of ${m.h}×${m.w}×${m.c} class scores${note}; hover for per-class scores`;
  const W = S + 180;
  const head = plotlyTitle(title, W);
  const spec: PlotlySpec = {
    data: [
      {
        type: "heatmap",
        z,
        text: hover,
        hovertemplate: "row %{y}, col %{x}<br>%{text}<extra></extra>",
        colorscale,
        zmin: -0.5,
        zmax: C - 0.5,
        showscale: false,
        ...(f > 1 ? { x0: (f - 1) / 2, dx: f, y0: (f - 1) / 2, dy: f } : {}),
      },
      ...classes.map((c) => ({
        type: "scatter",
        x: [null],
        y: [null],
        mode: "markers",
        marker: { color: colors.css(c), symbol: "square", size: 12 },
        name: labelName(c, names),
        hoverinfo: "skip",
      })),
    ],
    layout: {
      width: W,
      height: S + head.top + 10,
      title: head.title,
      margin: { l: 50, r: 10, t: head.top, b: 40 },
      xaxis: { title: { text: "column" }, constrain: "domain" },
      yaxis: { title: { text: "row" }, autorange: "reversed", scaleanchor: "x" },
      legend: { title: { text: "classes present" } },
      font: { family: "DejaVu Sans, Verdana, sans-serif", size: 11 },
      plot_bgcolor: "#ffffff",
    },
    config: { responsive: false, displaylogo: false },
  };
  // Static fallback.
  const items: LegendItem[] = classes.map((c) => ({ label: labelName(c, names), color: colors.css(c) }));
  const legend = measureLegend(items, 200, 1);
  const dw = Math.min(S, w * Math.max(1, Math.floor(S / Math.max(h, w)))) || S;
  const k = dw / w;
  const dh = h * k;
  const contentW = dw + SPACE.gap + legend.width;
  const tspec = { title, subtitle: "Static view (this viewer has no plotly renderer): with plotly, hovering a cell lists its top classes." };
  const titleH = measureTitle(tspec, contentW);
  const root = createSvg(contentW + 2 * SPACE.margin, SPACE.margin + titleH + Math.max(dh, legend.height) + SPACE.margin);
  drawTitle(root.svg, SPACE.margin, SPACE.margin, tspec, contentW);
  const y0 = SPACE.margin + titleH;
  image(root.svg, SPACE.margin, y0, dw, dh, labelRaster({ data: labels, h, w }, dw, dh, { colors: colors.table }));
  frame(root.svg, SPACE.margin, y0, dw, dh, INK.line, 0.6);
  drawLegend(root.svg, SPACE.margin + dw + SPACE.gap, y0, items, 200, 1);
  if (!classes.length) text(root.svg, SPACE.margin, y0, "(empty)");
  return new PlotlyFigure(spec, root.figure(`${title}; classes present: ${items.map((i) => i.label).join(", ")}`));
}
