import { drawLegend, drawTitle, measureLegend, measureTitle, PANEL_TITLE_H, panelTitle, pct, type LegendItem } from "../components.js";
import type { Figure } from "../figure.js";
import { scoreSegmentation } from "../../core/metrics.js";
import { IGNORE_LABEL } from "../../core/labels.js";
import { labelColors, labelName } from "../../core/palette.js";
import { VOC_CLASS_NAMES } from "../../core/class-names/voc.js";
import { imageRaster, labelRaster } from "../raster.js";
import { FONT, INK, MAX_WIDTH, SPACE } from "../style.js";
import { createSvg, frame, image, text } from "../svg.js";
import { asLabels, type ArrayND } from "../../core/arrays.js";
import { asRGB, type ImageInput } from "../../core/image.js";

/** One image of the comparison: its predictions by name, and optionally the truth. */
export interface ComparisonRow {
  readonly image: ImageInput;
  /** Label maps [H, W] by model name, e.g. { "FCN-32s": ..., "FCN-16s": ..., "FCN-8s": ... }. */
  readonly predictions: Readonly<Record<string, ArrayND>>;
  readonly truth?: ArrayND;
}

export interface CompareOptions {
  readonly classNames?: readonly string[];
  /** CSS colour of each class, label order (default classColors(classNames): the digit models' categorical palette for their names, else VOC's colours). */
  readonly classColors?: readonly string[];
  /** Panel width in px (default 170; less when the row would not fit MAX_WIDTH; height follows the image's aspect). */
  readonly panelWidth?: number;
  /** "paper" (default): predictions, ground truth, image, as in the paper's Figure 4; "image-first": image, predictions, ground truth. */
  readonly order?: "paper" | "image-first";
  /** Under each prediction: pixel accuracy and mean IU against the truth (default true when truth is given). */
  readonly scores?: boolean;
  readonly title?: string;
  /** Replaces the default subtitle (what the paper's Figure 4 shows), e.g. to say the weights are random. */
  readonly subtitle?: string;
}

/**
 * FCN-32s / 16s / 8s side by side with the ground truth and the input, one row per
 * image (the paper's Figure 4): refinement through the skips shows as sharper edges.
 */
export function compareModels(rows: readonly ComparisonRow[], o: CompareOptions = {}): Figure {
  if (!rows.length) throw new Error("compareModels: no rows");
  const names = o.classNames ?? VOC_CLASS_NAMES;
  const colors = labelColors(names, o.classColors);
  const models = Object.keys(rows[0]!.predictions);
  const hasTruth = rows.some((r) => r.truth);
  const cols: Array<{ kind: "pred" | "truth" | "image"; name: string }> = models.map((m) => ({ kind: "pred" as const, name: m }));
  if (hasTruth) cols.push({ kind: "truth", name: "Ground truth" });
  if ((o.order ?? "paper") === "paper") cols.push({ kind: "image", name: "Image" });
  else cols.unshift({ kind: "image", name: "Image" });
  const showScores = (o.scores ?? true) && hasTruth;
  // Every column in MAX_WIDTH: a wider row would be shrunk by the notebook, text and all.
  const pw = Math.max(40, Math.min(o.panelWidth ?? 170, Math.floor((MAX_WIDTH - 2 * SPACE.margin - (cols.length - 1) * 8) / cols.length)));
  const data = rows.map((r, ri) => {
    const img = asRGB(r.image, `row ${ri} image`);
    const preds = models.map((m) => {
      const p = r.predictions[m];
      if (!p) throw new Error(`compareModels: row ${ri} has no prediction "${m}"`);
      const l = asLabels(p, `row ${ri} ${m}`);
      if (l.h !== img.height || l.w !== img.width) throw new Error(`compareModels: row ${ri} ${m} is ${l.h}×${l.w}, the image ${img.height}×${img.width}`);
      return l;
    });
    const truth = r.truth ? asLabels(r.truth, `row ${ri} truth`) : undefined;
    const scores = showScores && r.truth ? models.map((m) => scoreSegmentation(r.truth!, r.predictions[m]!, Math.max(names.length, 21))) : undefined;
    return { img, preds, truth, scores, ph: Math.round((pw * img.height) / img.width) };
  });
  // Legend: every class in any panel.
  const present = new Set<number>();
  for (const d of data) for (const l of [...d.preds, ...(d.truth ? [d.truth] : [])]) for (let i = 0; i < l.data.length; i++) present.add(l.data[i]!);
  const items: LegendItem[] = [...present]
    .sort((a, b) => (a === IGNORE_LABEL ? 1 : b === IGNORE_LABEL ? -1 : a - b))
    .map((l) => (l === IGNORE_LABEL ? { label: "ignore (255, not scored)", hatch: true } : { label: labelName(l, names), color: colors.css(l) }));
  const gridW = cols.length * pw + (cols.length - 1) * 8;
  const width = gridW + 2 * SPACE.margin;
  const capH = showScores ? FONT.small * 1.35 * 2 + 4 : 0;
  const gridH = data.reduce((a, d) => a + d.ph + capH, 0) + (data.length - 1) * 10 + PANEL_TITLE_H;
  const legend = measureLegend(items, gridW);
  const title = {
    title: o.title ?? `${models.join(" / ")}${hasTruth ? " vs ground truth" : ""}`,
    subtitle: o.subtitle ?? (showScores ? "Refining with skips from finer layers (32s → 16s → 8s) sharpens the boundaries; under each prediction its pixel accuracy and mean IU on this image." : "Refining with skips from finer layers (32s → 16s → 8s) sharpens the boundaries."),
  };
  const titleH = measureTitle(title, gridW);
  const height = SPACE.margin + titleH + gridH + SPACE.gap + legend.height + SPACE.margin;
  const root = createSvg(width, height);
  const { svg } = root;
  drawTitle(svg, SPACE.margin, SPACE.margin, title, gridW);
  let y = SPACE.margin + titleH + PANEL_TITLE_H;
  cols.forEach((c, ci) => panelTitle(svg, SPACE.margin + ci * (pw + 8), y, pw, c.name, { bold: true }));
  for (const d of data) {
    cols.forEach((c, ci) => {
      const x = SPACE.margin + ci * (pw + 8);
      if (c.kind === "image") image(svg, x, y, pw, d.ph, imageRaster(d.img, pw, d.ph), true);
      else if (c.kind === "truth") {
        if (d.truth) image(svg, x, y, pw, d.ph, labelRaster(d.truth, pw, d.ph, { colors: colors.table }));
      } else {
        const mi = models.indexOf(c.name);
        image(svg, x, y, pw, d.ph, labelRaster(d.preds[mi]!, pw, d.ph, { colors: colors.table }));
        const s = d.scores?.[mi];
        if (s) {
          text(svg, x + pw / 2, y + d.ph + FONT.small + 3, `pixel acc ${pct(s.pixelAccuracy)}`, { size: FONT.small, anchor: "middle", fill: INK.muted });
          text(svg, x + pw / 2, y + d.ph + FONT.small * 2.35 + 3, `mean IU ${pct(s.meanIU)}`, { size: FONT.small, anchor: "middle", fill: INK.muted });
        }
      }
      frame(svg, x, y, pw, d.ph, INK.grid, 0.6);
    });
    y += d.ph + capH + 10;
  }
  drawLegend(svg, SPACE.margin, SPACE.margin + titleH + gridH + SPACE.gap, items, gridW);
  return root.figure(`${title.title}: ${rows.length} image${rows.length === 1 ? "" : "s"}, columns ${cols.map((c) => c.name).join(", ")}`);
}
