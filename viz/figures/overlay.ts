import { drawLegend, drawTitle, measureLegend, measureTitle, pct, type LegendItem } from "../components.js";
import type { Figure } from "../figure.js";
import { IGNORE_LABEL } from "../../core/labels.js";
import { labelColors, labelName, paletteFor } from "../../core/palette.js";
import { VOC_CLASS_NAMES } from "../../core/class-names/voc.js";
import { imageRaster, labelRaster } from "../raster.js";
import { INK, MAX_WIDTH, SPACE } from "../style.js";
import { createSvg, frame, image } from "../svg.js";
import { asLabels, type ArrayND } from "../../core/arrays.js";
import { asRGB, type ImageInput } from "../../core/image.js";

export interface OverlayOptions {
  /** Label opacity over the image, 0..1 (default 0.55). */
  readonly opacity?: number;
  /** Leave background (label 0) transparent (default true). */
  readonly hideBackground?: boolean;
  /** White lines on class boundaries (default true). */
  readonly outline?: boolean;
  /** Also show the plain image on the left (default false). */
  readonly sideBySide?: boolean;
  /** Displayed width of the image in px (default: the image's width, at most 480; less when the figure would not fit MAX_WIDTH). */
  readonly width?: number;
  readonly classNames?: readonly string[];
  /** CSS colour of each class, label order (default classColors(classNames): the digit models' categorical palette for their names, else VOC's colours). */
  readonly classColors?: readonly string[];
  readonly title?: string;
}

/**
 * An image with its label map laid over it in class colours, a legend of the classes
 * present (with their share of pixels), ignore (255) drawn as stripes.
 */
export function segmentationOverlay(img: ImageInput, labels: ArrayND, o: OverlayOptions = {}): Figure {
  const im = asRGB(img, "segmentationOverlay image");
  const lab = asLabels(labels, "segmentationOverlay labels");
  if (lab.h !== im.height || lab.w !== im.width) throw new Error(`segmentationOverlay: labels are ${lab.h}×${lab.w} but the image is ${im.height}×${im.width}`);
  const names = o.classNames ?? VOC_CLASS_NAMES;
  const colors = labelColors(names, o.classColors);
  const opacity = o.opacity ?? 0.55;
  if (!(opacity >= 0 && opacity <= 1)) throw new Error(`segmentationOverlay: opacity must be in 0..1, got ${opacity}`);
  const counts = new Map<number, number>();
  for (let i = 0; i < lab.data.length; i++) counts.set(lab.data[i]!, (counts.get(lab.data[i]!) ?? 0) + 1);
  const total = lab.data.length;
  const present = [...counts.keys()].sort((a, b) => (a === IGNORE_LABEL ? 1 : b === IGNORE_LABEL ? -1 : counts.get(b)! - counts.get(a)! || a - b));
  const hideBg = o.hideBackground ?? true;
  const items: LegendItem[] = present.map((l) =>
    l === IGNORE_LABEL
      ? { label: "ignore (255)", hatch: true, note: pct(counts.get(l)! / total) }
      : { label: labelName(l, names) + (l === 0 && hideBg ? " (not tinted)" : ""), color: colors.css(l), note: pct(counts.get(l)! / total) },
  );
  const panels = o.sideBySide ? 2 : 1;
  const legend = measureLegend(items, 260, 1);
  // The images and the legend within MAX_WIDTH.
  const room = MAX_WIDTH - 2 * SPACE.margin - SPACE.gap - 4 - legend.width - (panels - 1) * SPACE.gap;
  const dw = Math.max(40, Math.min(Math.round(o.width ?? Math.min(im.width, 480)), Math.floor(room / panels)));
  const dh = Math.round((dw * im.height) / im.width);
  const imgsW = panels * dw + (panels - 1) * SPACE.gap;
  const contentW = imgsW + SPACE.gap + 4 + legend.width;
  const width = contentW + 2 * SPACE.margin;
  const title = {
    title: o.title ?? "Segmentation overlay",
    subtitle: `${im.height}×${im.width} image · labels at ${Math.round(opacity * 100)}% opacity · ${o.classColors ? "given class colours" : paletteFor(names) === "voc" ? "VOC palette" : "categorical palette"}${hideBg ? ", background left clear" : ""}${counts.has(IGNORE_LABEL) ? " · stripes: ignore (255)" : ""}`,
  };
  const titleH = measureTitle(title, contentW);
  const height = SPACE.margin + titleH + Math.max(dh, legend.height) + SPACE.margin;
  const root = createSvg(width, height);
  const { svg } = root;
  drawTitle(svg, SPACE.margin, SPACE.margin, title, contentW);
  const y = SPACE.margin + titleH;
  let x = SPACE.margin;
  if (o.sideBySide) {
    image(svg, x, y, dw, dh, imageRaster(im, dw, dh), true);
    frame(svg, x, y, dw, dh, INK.grid, 0.6);
    x += dw + SPACE.gap;
  }
  const uri = labelRaster(lab, dw, dh, { image: im, opacity, colors: colors.table, outline: o.outline ?? true, ...(hideBg ? { skip: new Set([0]) } : {}) });
  image(svg, x, y, dw, dh, uri, true);
  frame(svg, x, y, dw, dh, INK.grid, 0.6);
  drawLegend(svg, x + dw + SPACE.gap + 4, y, items, 260, 1);
  return root.figure(`${title.title}: ${title.subtitle}; classes: ${present.map((l) => `${labelName(l, names)} ${pct(counts.get(l)! / total)}`).join(", ")}`);
}
