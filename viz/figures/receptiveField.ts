import { drawLegend, drawTitle, fmt, fmtCoordMap, fmtPos, measureLegend, measureTitle, type LegendItem } from "../components.js";
import type { Figure } from "../figure.js";
import { blobRect, fitView, imageRect, union } from "../geometry.js";
import { toImage, type CoordMap } from "../../core/coord-map.js";
import { imageRaster } from "../raster.js";
import { ACCENT, INK, SPACE } from "../style.js";
import { createSvg, frame, image, r } from "../svg.js";
import { asRGB, type ImageInput } from "../../core/image.js";

export interface ReceptiveFieldOptions {
  /** Output cell [row, col] (default: the middle cell). */
  readonly cell?: readonly [number, number];
  /** The tap's grid size [h, w] (its shape). */
  readonly gridSize: readonly [number, number];
  /** The tap's coordinate map, blob = a * image + b. */
  readonly coordMap: CoordMap;
  /** Theoretical receptive field (px per side), e.g. 404 for score_fr. */
  readonly receptiveField: number;
  /** Stride in px (default 1 / coordMap.a). */
  readonly stride?: number;
  readonly image?: ImageInput;
  /** Input size [H, W] when no image is given. */
  readonly imageSize?: readonly [number, number];
  /** Tap name for the title (default "score_fr"). */
  readonly name?: string;
  /** Drawing size in px (default 440). */
  readonly size?: number;
  readonly title?: string;
}

/**
 * One output cell seen from the input: its centre, its stride cell (the input area it
 * "stands for"), its theoretical receptive field (what it can see), and the lattice of
 * all cell centres.
 */
export function receptiveFieldFigure(o: ReceptiveFieldOptions): Figure {
  const img = o.image ? asRGB(o.image) : undefined;
  const H = img?.height ?? o.imageSize?.[0];
  const W = img?.width ?? o.imageSize?.[1];
  if (H === undefined || W === undefined) throw new Error("receptiveFieldFigure: give imageSize [H, W] or image");
  const [gh, gw] = o.gridSize;
  const [ci, cj] = o.cell ?? [Math.floor(gh / 2), Math.floor(gw / 2)];
  if (!(ci >= 0 && ci < gh && cj >= 0 && cj < gw)) throw new Error(`receptiveFieldFigure: cell ${fmtPos(ci, cj)} is outside the ${gh}×${gw} grid (rows × cols)`);
  const cm = o.coordMap;
  const stride = o.stride ?? 1 / cm.a;
  const rf = o.receptiveField;
  const cx = toImage(cm, cj);
  const cy = toImage(cm, ci);
  const rfRect = { x0: cx - rf / 2, y0: cy - rf / 2, x1: cx + rf / 2, y1: cy + rf / 2 };
  const ext = union(imageRect(H, W), rfRect, blobRect(cm, gh, gw));
  const pad = 0.03 * Math.max(ext.x1 - ext.x0, ext.y1 - ext.y0);
  const view = { x0: ext.x0 - pad, y0: ext.y0 - pad, x1: ext.x1 + pad, y1: ext.y1 + pad };
  const S = o.size ?? 440;
  const name = o.name ?? "score_fr";
  const inside = rfRect.x0 >= -0.5 && rfRect.y0 >= -0.5 && rfRect.x1 <= W - 0.5 && rfRect.y1 <= H - 0.5;
  const items: LegendItem[] = [
    { label: `receptive field ${fmt(rf)}×${fmt(rf)} px`, color: ACCENT.field },
    { label: `stride cell ${fmt(stride)}×${fmt(stride)} px`, color: ACCENT.crop },
    { label: `centre of cell ${fmtPos(ci, cj)}`, color: ACCENT.centre },
    { label: `centres of all ${gh}×${gw} cells`, color: INK.text },
    { label: `the ${H}×${W} input`, color: INK.panel },
  ];
  const legend = measureLegend(items, 320, 1);
  const v0 = fitView(view, 0, 0, S, S);
  const dw = v0.box.w;
  const dh = v0.box.h;
  const contentW = dw + SPACE.gap + legend.width;
  const width = contentW + 2 * SPACE.margin;
  const title = {
    title: o.title ?? `Receptive field of ${name} cell ${fmtPos(ci, cj)}`,
    subtitle: `Neighbouring cells are ${fmt(stride)} px apart, but each sees ${fmt(rf)}×${fmt(rf)} px${inside ? "" : " — more than the image: the part outside is padding (zeros)"}. The cell is centred on input pixel ${fmtPos(cy, cx)}, from the coordinate map ${fmtCoordMap(name, cm.a, cm.b)}.`,
  };
  const titleH = measureTitle(title, contentW);
  const height = SPACE.margin + titleH + Math.max(dh, legend.height) + SPACE.margin;
  const root = createSvg(width, height);
  const { svg } = root;
  drawTitle(svg, SPACE.margin, SPACE.margin, title, contentW);
  const top = SPACE.margin + titleH;
  const v = fitView(view, SPACE.margin, top, dw, dh);
  svg.append("rect").attr("x", r(v.box.x)).attr("y", r(v.box.y)).attr("width", r(v.box.w)).attr("height", r(v.box.h)).attr("fill", "#fbfbfb").attr("stroke", INK.grid);
  const ix = v.x(-0.5);
  const iy = v.y(-0.5);
  if (img) image(svg, ix, iy, W * v.k, H * v.k, imageRaster(img, W * v.k, H * v.k), true);
  else svg.append("rect").attr("x", r(ix)).attr("y", r(iy)).attr("width", r(W * v.k)).attr("height", r(H * v.k)).attr("fill", INK.panel);
  frame(svg, ix, iy, W * v.k, H * v.k, INK.text, 1);
  // Lattice of centres (thinned to at most ~40 per side).
  const step = Math.max(1, Math.ceil(Math.max(gh, gw) / 40));
  const dots: string[] = [];
  const dr = Math.max(0.8, Math.min(2, (stride * v.k) / 6));
  for (let i = 0; i < gh; i += step) for (let j = 0; j < gw; j += step) dots.push(`M${r(v.x(toImage(cm, j)) - dr)},${r(v.y(toImage(cm, i)))}a${r(dr)},${r(dr)} 0 1,0 ${r(2 * dr)},0a${r(dr)},${r(dr)} 0 1,0 ${r(-2 * dr)},0`);
  svg.append("path").attr("d", dots.join("")).attr("fill", INK.text).attr("fill-opacity", 0.55);
  // Receptive field, stride cell, centre.
  svg.append("rect").attr("x", r(v.x(rfRect.x0))).attr("y", r(v.y(rfRect.y0))).attr("width", r(rf * v.k)).attr("height", r(rf * v.k)).attr("fill", ACCENT.field).attr("fill-opacity", 0.12).attr("stroke", ACCENT.field).attr("stroke-width", 2);
  svg.append("rect").attr("x", r(v.x(cx - stride / 2))).attr("y", r(v.y(cy - stride / 2))).attr("width", r(stride * v.k)).attr("height", r(stride * v.k)).attr("fill", ACCENT.crop).attr("fill-opacity", 0.35).attr("stroke", ACCENT.crop).attr("stroke-width", 2);
  svg.append("circle").attr("cx", r(v.x(cx))).attr("cy", r(v.y(cy))).attr("r", 4).attr("fill", ACCENT.centre).attr("stroke", "#ffffff").attr("stroke-width", 1.2);
  drawLegend(svg, SPACE.margin + dw + SPACE.gap, top, items, 320, 1);
  return root.figure(`${title.title}: ${title.subtitle}`);
}
