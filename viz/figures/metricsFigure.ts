import { colorScale } from "../colors.js";
import { drawColorBar, drawTitle, measureColorBar, measureTitle, pct } from "../components.js";
import type { Figure } from "../figure.js";
import { segmentationMetrics, type Confusion } from "../../core/metrics.js";
import { labelColors } from "../../core/palette.js";
import { VOC_CLASS_NAMES } from "../../core/class-names/voc.js";
import { scalarRaster } from "../raster.js";
import { ACCENT, FONT, INK, MAX_WIDTH, SPACE } from "../style.js";
import { createSvg, frame, image, line, r, text } from "../svg.js";
import { fitText, textWidth } from "../text.js";

export interface MetricsFigureOptions {
  readonly classNames?: readonly string[];
  /** CSS colour of each class, label order (default classColors(classNames): the digit models' categorical palette for their names, else VOC's colours). */
  readonly classColors?: readonly string[];
  /** "present" (default): only classes in the truth or the predictions; "all": every class. */
  readonly classes?: "present" | "all";
  /** Cell size in px (default 22; less when the figure would not fit MAX_WIDTH; values are written in cells of 22 px and more). */
  readonly cellSize?: number;
  /** Name of the model for the title. */
  readonly model?: string;
  readonly title?: string;
}

/**
 * A confusion matrix (rows: true class, normalized per row so each row reads as "where
 * the pixels of this class went"), per-class IU bars aligned with the rows, and the
 * paper's four numbers: pixel accuracy, mean accuracy, mean IU, frequency weighted IU.
 */
export function metricsFigure(conf: Confusion, o: MetricsFigureOptions = {}): Figure {
  const names = o.classNames ?? VOC_CLASS_NAMES;
  const colors = labelColors(names, o.classColors);
  const met = segmentationMetrics(conf);
  const { n, counts } = conf;
  const colSum = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) colSum[j]! += counts[i * n + j]!;
  const cls = Array.from({ length: n }, (_, i) => i).filter((i) => (o.classes ?? "present") === "all" || met.support[i]! > 0 || colSum[i]! > 0);
  const k = cls.length;
  const nameOf = (i: number) => names[i] ?? `class ${i}`;
  const labW = Math.max(...cls.map((i) => textWidth(nameOf(i), FONT.tick))) + 22;
  const colLabH = Math.max(...cls.map((i) => textWidth(nameOf(i), FONT.tick))) * 0.72 + 18;
  const mat = new Float32Array(k * k);
  cls.forEach((i, a) => cls.forEach((j, b) => (mat[a * k + b] = met.support[i]! > 0 ? counts[i * n + j]! / met.support[i]! : NaN)));
  const scale = colorScale("Blues", 0, 1);
  const iuW = 150;
  const tableW = 190;
  // Beside the matrix: its colour bar (widest when shortest), the IU bars and the table.
  const beside = 10 + measureColorBar(scale, 60, { caption: "share of the true class's pixels (Blues)" }) + SPACE.gap + iuW + SPACE.gap + 10 + tableW + SPACE.margin;
  const cell = Math.max(8, Math.min(o.cellSize ?? 22, Math.floor((MAX_WIDTH - SPACE.margin - labW - beside) / k)));
  const mw = k * cell;
  const barH = Math.min(mw, 200);
  const barW = measureColorBar(scale, barH, { caption: "share of the true class's pixels (Blues)" });
  const tableRows: Array<[string, number]> = [
    ["pixel accuracy", met.pixelAccuracy],
    ["mean accuracy", met.meanAccuracy],
    ["mean IU", met.meanIU],
    ["f.w. IU", met.frequencyWeightedIU],
  ];
  const mx = SPACE.margin + labW;
  const width = mx + mw + 10 + barW + SPACE.gap + iuW + SPACE.gap + 10 + tableW + SPACE.margin;
  const title = {
    title: o.title ?? `${o.model ? o.model + ": " : ""}confusion matrix and the paper's metrics`,
    subtitle: `${met.total.toLocaleString("en-US")} scored pixels (ignore label excluded) · rows: true class, columns: predicted; each row sums to 100% · classes absent from the truth are left out of the means, as in score.py`,
  };
  const titleH = measureTitle(title, width - 2 * SPACE.margin);
  const my = SPACE.margin + titleH + colLabH;
  const height = my + mw + 30 + SPACE.margin;
  const root = createSvg(width, height);
  const { svg } = root;
  drawTitle(svg, SPACE.margin, SPACE.margin, title, width - 2 * SPACE.margin);
  image(svg, mx, my, mw, mw, scalarRaster(mat.map((v) => (Number.isNaN(v) ? 0 : v)), k, k, scale, mw, mw));
  // Absent rows: grey.
  cls.forEach((i, a) => {
    if (met.support[i] === 0) svg.append("rect").attr("x", r(mx)).attr("y", r(my + a * cell)).attr("width", r(mw)).attr("height", cell).attr("fill", INK.panel);
  });
  svg.append("path").attr("d", cls.map((_, a) => `M${r(mx + a * cell)},${r(my)}V${r(my + mw)}M${r(mx)},${r(my + a * cell)}H${r(mx + mw)}`).join("")).attr("stroke", "#ffffff").attr("stroke-width", 0.6);
  frame(svg, mx, my, mw, mw, INK.line, 0.8);
  if (cell >= 22) {
    cls.forEach((_, a) =>
      cls.forEach((__, b) => {
        const v = mat[a * k + b]!;
        if (!(v >= 0.005)) return;
        text(svg, mx + (b + 0.5) * cell, my + (a + 0.5) * cell, String(Math.round(100 * v)), { size: FONT.small, anchor: "middle", baseline: "middle", fill: v > 0.55 ? "#ffffff" : INK.text });
      }),
    );
  }
  cls.forEach((i, a) => {
    const y = my + (a + 0.5) * cell;
    svg.append("rect").attr("x", r(mx - 14)).attr("y", r(y - 4)).attr("width", 8).attr("height", 8).attr("fill", colors.css(i));
    text(svg, mx - 18, y, nameOf(i), { size: FONT.tick, anchor: "end", baseline: "middle" });
    const x = mx + (a + 0.5) * cell;
    svg.append("text").attr("transform", `translate(${r(x + 3)},${r(my - 5)}) rotate(-45)`).attr("font-size", FONT.tick).text(nameOf(i));
  });
  text(svg, mx + mw / 2, my + mw + 16, "predicted class →", { size: FONT.tick, anchor: "middle", fill: INK.muted });
  svg.append("text").attr("transform", `translate(${r(SPACE.margin + 2)},${r(my + mw / 2)}) rotate(-90)`).attr("text-anchor", "middle").attr("font-size", FONT.tick).attr("fill", INK.muted).text("true class →");
  drawColorBar(svg, mx + mw + 10, my, barH, scale, { caption: "share of the true class's pixels (Blues)" });
  // Per-class IU bars.
  const bx = mx + mw + 10 + barW + SPACE.gap;
  text(svg, bx, my - 6, "IU per class", { size: FONT.tick, bold: true });
  const valW = textWidth("100.0 %", FONT.small) + 4;
  const trackW = iuW - valW;
  cls.forEach((i, a) => {
    const y = my + a * cell + 4;
    const iu = met.classIU[i]!;
    svg.append("rect").attr("x", r(bx)).attr("y", r(y)).attr("width", r(trackW)).attr("height", r(cell - 8)).attr("fill", INK.panel);
    if (iu >= 0) svg.append("rect").attr("x", r(bx)).attr("y", r(y)).attr("width", r(trackW * iu)).attr("height", r(cell - 8)).attr("fill", ACCENT.field);
    text(svg, bx + trackW + 4, y + (cell - 8) / 2, Number.isNaN(iu) ? "–" : pct(iu), { size: FONT.small, baseline: "middle", fill: INK.muted });
  });
  // Mean IU line on the bars.
  if (met.meanIU >= 0) line(svg, bx + trackW * met.meanIU, my - 2, bx + trackW * met.meanIU, my + mw + 2, ACCENT.centre, 1).attr("stroke-dasharray", "3 2");
  // Table.
  const tx = bx + iuW + SPACE.gap + 10;
  text(svg, tx, my - 6, "metric", { size: FONT.tick, bold: true, fill: INK.muted });
  text(svg, tx + tableW, my - 6, "value", { size: FONT.tick, bold: true, fill: INK.muted, anchor: "end" });
  line(svg, tx, my - 1, tx + tableW, my - 1, INK.line, 1);
  tableRows.forEach(([label, v], i) => {
    const y = my + 16 + i * 24;
    text(svg, tx, y, label, { baseline: "middle", ...(label === "mean IU" ? { bold: true } : {}) });
    text(svg, tx + tableW, y, pct(v), { baseline: "middle", anchor: "end", ...(label === "mean IU" ? { bold: true } : {}) });
    line(svg, tx, y + 12, tx + tableW, y + 12, INK.grid, 0.8);
  });
  text(svg, tx, my + 16 + 4 * 24 + 4, fitText("dashed red: mean IU", tableW, FONT.small), { size: FONT.small, fill: ACCENT.centre });
  return root.figure(`${title.title}: ${tableRows.map(([l, v]) => `${l} ${pct(v)}`).join(", ")}`);
}
