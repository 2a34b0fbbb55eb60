import { drawLegend, drawTitle, measureLegend, measureTitle, pct, type LegendItem } from "../components.js";
import type { Figure } from "../figure.js";
import { IGNORE_LABEL, labelCss, labelName, VOC_CLASSES } from "../palette.js";
import { imageRaster, labelRaster } from "../raster.js";
import { INK, SPACE } from "../style.js";
import { createSvg, frame, image } from "../svg.js";
import { asLabels, asRGB, type ArrayND, type ImageInput } from "../tensor.js";

export interface OverlayOptions {
  /** Label opacity over the image, 0..1 (default 0.55). */
  readonly opacity?: number;
  /** Leave background (label 0) transparent (default true). */
  readonly hideBackground?: boolean;
  /** White lines on class boundaries (default true). */
  readonly outline?: boolean;
  /** Also show the plain image on the left (default false). */
  readonly sideBySide?: boolean;
  /** Displayed width of the image in px (default: the image's width, at most 480). */
  readonly width?: number;
  readonly classNames?: readonly string[];
  readonly title?: string;
}

/**
 * An image with its label map laid over it in VOC colours, a legend of the classes
 * present (with their share of pixels), ignore (255) drawn as stripes.
 */
export function segmentationOverlay(img: ImageInput, labels: ArrayND, o: OverlayOptions = {}): Figure {
  const im = asRGB(img, "segmentationOverlay image");
  const lab = asLabels(labels, "segmentationOverlay labels");
  if (lab.h !== im.h || lab.w !== im.w) throw new Error(`segmentationOverlay: labels are ${lab.h}×${lab.w} but the image is ${im.h}×${im.w}`);
  const names = o.classNames ?? VOC_CLASSES;
  const opacity = o.opacity ?? 0.55;
  if (!(opacity >= 0 && opacity <= 1)) throw new Error(`segmentationOverlay: opacity must be in 0..1, got ${opacity}`);
  const dw = Math.round(o.width ?? Math.min(im.w, 480));
  const dh = Math.round((dw * im.h) / im.w);
  const counts = new Map<number, number>();
  for (let i = 0; i < lab.data.length; i++) counts.set(lab.data[i]!, (counts.get(lab.data[i]!) ?? 0) + 1);
  const total = lab.data.length;
  const present = [...counts.keys()].sort((a, b) => (a === IGNORE_LABEL ? 1 : b === IGNORE_LABEL ? -1 : counts.get(b)! - counts.get(a)! || a - b));
  const hideBg = o.hideBackground ?? true;
  const items: LegendItem[] = present.map((l) =>
    l === IGNORE_LABEL
      ? { label: "ignore (255)", hatch: true, note: pct(counts.get(l)! / total) }
      : { label: labelName(l, names) + (l === 0 && hideBg ? " (not tinted)" : ""), color: labelCss(l), note: pct(counts.get(l)! / total) },
  );
  const panels = o.sideBySide ? 2 : 1;
  const imgsW = panels * dw + (panels - 1) * SPACE.gap;
  const legend = measureLegend(items, 260, 1);
  const contentW = imgsW + SPACE.gap + 4 + legend.width;
  const width = contentW + 2 * SPACE.margin;
  const title = {
    title: o.title ?? "Segmentation overlay",
    subtitle: `${im.w}×${im.h} image · labels at ${Math.round(opacity * 100)}% opacity · VOC palette${hideBg ? ", background left clear" : ""}${counts.has(IGNORE_LABEL) ? " · stripes: ignore (255)" : ""}`,
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
  const uri = labelRaster(lab, dw, dh, { image: im, opacity, outline: o.outline ?? true, ...(hideBg ? { skip: new Set([0]) } : {}) });
  image(svg, x, y, dw, dh, uri, true);
  frame(svg, x, y, dw, dh, INK.grid, 0.6);
  drawLegend(svg, x + dw + SPACE.gap + 4, y, items, 260, 1);
  return root.figure(`${title.title}: ${title.subtitle}; classes: ${present.map((l) => `${labelName(l, names)} ${pct(counts.get(l)! / total)}`).join(", ")}`);
}
