import { drawTitle, measureTitle, panelTitle, PANEL_TITLE_H } from "../components.js";
import type { Figure } from "../figure.js";
import { imageRaster } from "../raster.js";
import { INK, MAX_WIDTH, SPACE } from "../style.js";
import { createSvg, frame, image } from "../svg.js";
import { asRGB, type ImageInput } from "../../core/image.js";

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
 * downsampled and upsampled versions, or crops of them, pixel for pixel. Images that do
 * not fit in MAX_WIDTH continue on the next row (zooms are kept: pixels stay square; only
 * an image wider than MAX_WIDTH by itself is drawn smaller).
 */
export function imageRow(items: readonly ImageRowItem[], o: ImageRowOptions = {}): Figure {
  if (items.length === 0) throw new Error("imageRow: give at least one image");
  const room = MAX_WIDTH - 2 * SPACE.margin;
  const panels = items.map((it, i) => {
    const im = asRGB(it.image, `imageRow image ${i} ("${it.title}")`);
    const zoom = it.zoom ?? 1;
    if (!(zoom > 0 && Number.isFinite(zoom))) throw new Error(`imageRow: zoom of "${it.title}" must be a positive number, got ${zoom}`);
    // An image wider than the figure can be is drawn at the figure's width.
    const z = Math.min(zoom, room / im.width);
    return { im, title: it.title, w: Math.max(1, Math.round(im.width * z)), h: Math.max(1, Math.round(im.height * z)) };
  });
  // Rows: as many images as fit in MAX_WIDTH (at least one per row).
  const rows: (typeof panels)[] = [[]];
  let used = 0;
  for (const p of panels) {
    const row = rows[rows.length - 1]!;
    if (row.length && used + SPACE.gap + p.w > room) {
      rows.push([p]);
      used = p.w;
    } else {
      used += (row.length ? SPACE.gap : 0) + p.w;
      row.push(p);
    }
  }
  const rowW = Math.max(...rows.map((row) => row.reduce((a, p) => a + p.w, 0) + (row.length - 1) * SPACE.gap));
  const rowHs = rows.map((row) => Math.max(...row.map((p) => p.h)));
  const title = { title: o.title ?? "Images", ...(o.subtitle !== undefined ? { subtitle: o.subtitle } : {}) };
  const titleH = measureTitle(title, rowW);
  const width = rowW + 2 * SPACE.margin;
  const height = SPACE.margin + titleH + rowHs.reduce((a, h) => a + PANEL_TITLE_H + h, 0) + (rows.length - 1) * SPACE.gap + SPACE.margin;
  const root = createSvg(width, height);
  const { svg } = root;
  drawTitle(svg, SPACE.margin, SPACE.margin, title, rowW);
  let y = SPACE.margin + titleH + PANEL_TITLE_H;
  rows.forEach((row, ri) => {
    let x = SPACE.margin;
    for (const p of row) {
      panelTitle(svg, x, y, p.w, p.title, { bold: true });
      // Raster at most at the displayed size; zoomed-in panels stay pixelated.
      image(svg, x, y, p.w, p.h, imageRaster(p.im, p.w, p.h), p.w < p.im.width);
      frame(svg, x, y, p.w, p.h, INK.grid, 0.6);
      x += p.w + SPACE.gap;
    }
    y += rowHs[ri]! + SPACE.gap + PANEL_TITLE_H;
  });
  return root.figure(`${title.title}: ${panels.map((p) => `${p.title} (${p.im.height}×${p.im.width})`).join(" | ")}`);
}
