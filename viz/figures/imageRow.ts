import { drawTitle, measureTitle, panelTitle, PANEL_TITLE_H } from "../components.js";
import type { Figure } from "../figure.js";
import { imageRaster } from "../raster.js";
import { INK, SPACE } from "../style.js";
import { createSvg, frame, image } from "../svg.js";
import { asRGB, type ImageInput } from "../tensor.js";

export interface ImageRowItem {
  /** An RGB image: { data, shape: [h, w, 3] } (0..255) or { width, height, data }. */
  readonly image: ImageInput;
  /** Panel title. */
  readonly title: string;
  /**
   * Display scale (default 1). Above 1 every pixel becomes a zoom x zoom square (no
   * smoothing), so a small array shows its real pixels; below 1 the image is area-averaged.
   */
  readonly zoom?: number;
}

export interface ImageRowOptions {
  readonly title?: string;
  readonly subtitle?: string;
}

/**
 * Images side by side, each with a title, drawn at its own zoom: photos next to their
 * downsampled and upsampled versions, or crops of them, pixel for pixel.
 */
export function imageRow(items: readonly ImageRowItem[], o: ImageRowOptions = {}): Figure {
  if (items.length === 0) throw new Error("imageRow: give at least one image");
  const panels = items.map((it, i) => {
    const im = asRGB(it.image, `imageRow image ${i} ("${it.title}")`);
    const zoom = it.zoom ?? 1;
    if (!(zoom > 0 && Number.isFinite(zoom))) throw new Error(`imageRow: zoom of "${it.title}" must be a positive number, got ${zoom}`);
    return { im, title: it.title, w: Math.max(1, Math.round(im.w * zoom)), h: Math.max(1, Math.round(im.h * zoom)) };
  });
  const rowW = panels.reduce((a, p) => a + p.w, 0) + (panels.length - 1) * SPACE.gap;
  const rowH = Math.max(...panels.map((p) => p.h));
  const title = { title: o.title ?? "Images", ...(o.subtitle !== undefined ? { subtitle: o.subtitle } : {}) };
  const titleH = measureTitle(title, rowW);
  const width = rowW + 2 * SPACE.margin;
  const height = SPACE.margin + titleH + PANEL_TITLE_H + rowH + SPACE.margin;
  const root = createSvg(width, height);
  const { svg } = root;
  drawTitle(svg, SPACE.margin, SPACE.margin, title, rowW);
  const y = SPACE.margin + titleH + PANEL_TITLE_H;
  let x = SPACE.margin;
  for (const p of panels) {
    panelTitle(svg, x, y, p.w, p.title, { bold: true });
    // Raster at most at the displayed size; zoomed-in panels stay pixelated.
    image(svg, x, y, p.w, p.h, imageRaster(p.im, p.w, p.h), p.w < p.im.w);
    frame(svg, x, y, p.w, p.h, INK.grid, 0.6);
    x += p.w + SPACE.gap;
  }
  return root.figure(`${title.title}: ${panels.map((p) => `${p.title} (${p.im.w}×${p.im.h})`).join(" | ")}`);
}
