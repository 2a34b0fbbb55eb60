import { autoScale, extent } from "../colors.js";
import { drawColorBar, drawTitle, fmt, fmtPx, measureColorBar, measureTitle, PANEL_TITLE_H, panelTitle } from "../components.js";
import type { Figure } from "../figure.js";
import { blobRect, fitView, imageRect, union, type Rect } from "../geometry.js";
import type { CoordMap } from "../../core/coord-map.js";
import { VOC_CLASS_NAMES } from "../../core/class-names/voc.js";
import { imageRaster, scalarRaster } from "../raster.js";
import { ACCENT, FONT, INK, MAX_WIDTH, SPACE } from "../style.js";
import { arrow, createSvg, frame, image, r, text } from "../svg.js";
import { asHWC, channel, type ArrayND } from "../../core/arrays.js";
import { asRGB, type ImageInput } from "../../core/image.js";
import { fitText } from "../text.js";

/** One blob of the upsampling path. */
export interface UpsamplingStage {
  /** Blob name, e.g. "upscore2". */
  readonly name: string;
  /** Its data, [1, H, W, classes]. */
  readonly tap: ArrayND;
  /** Its coordinate map, blob = a * image + b (from the net spec). */
  readonly coordMap: CoordMap;
  /** What made it from the previous stage, written on the arrow (e.g. "×2, k4 s2"). */
  readonly op?: string;
  /** Crop offset taken from this blob onto the input (draws the crop rectangle). */
  readonly crop?: number;
}

export interface UpsamplingOptions {
  /** The class drawn in every panel (default 15, person). */
  readonly classIndex?: number;
  readonly classNames?: readonly string[];
  /** Input size [H, W]; with `image`, taken from it. */
  readonly imageSize?: readonly [number, number];
  /** Draws the input as the first panel, in the same frame. */
  readonly image?: ImageInput;
  /** Panel size in px (default 190, less when the row would not fit MAX_WIDTH). */
  readonly panelSize?: number;
  /** Panels per row (default 4). */
  readonly columns?: number;
  /** "shared" (default): one colour scale for all panels; "per-panel": each its own. */
  readonly scale?: "shared" | "per-panel";
  readonly title?: string;
}

const ARROW_W = 44;

/**
 * The upsampling path one class at a time (score_fr -> upscore2 -> ... -> score), every
 * blob placed where its coordinate map puts it on the input, so the panels line up; the
 * input's rectangle is dashed in each, and the final crop is marked.
 */
export function upsamplingStages(stages: readonly UpsamplingStage[], o: UpsamplingOptions = {}): Figure {
  if (!stages.length) throw new Error("upsamplingStages: no stages");
  const cls = o.classIndex ?? 15;
  const names = o.classNames ?? VOC_CLASS_NAMES;
  const img = o.image ? asRGB(o.image) : undefined;
  const inH = img?.height ?? o.imageSize?.[0];
  const inW = img?.width ?? o.imageSize?.[1];
  if (inH === undefined || inW === undefined) throw new Error("upsamplingStages: give imageSize [H, W] or image");
  const ms = stages.map((s) => asHWC(s.tap, `stage ${s.name}`));
  const maps = ms.map((m, i) => {
    if (cls >= m.c) throw new Error(`upsamplingStages: class ${cls} out of range for ${stages[i]!.name} (${m.c} channels)`);
    return channel(m, cls);
  });
  const rects = stages.map((s, i) => blobRect(s.coordMap, ms[i]!.h, ms[i]!.w));
  const ext: Rect = union(imageRect(inH, inW), ...rects);
  const ranges = maps.map((v) => extent(v));
  const lo = Math.min(...ranges.map((x) => x[0]));
  const hi = Math.max(...ranges.map((x) => x[1]));
  const perPanel = o.scale === "per-panel";
  const shared = autoScale(lo, hi);

  const ar = (ext.x1 - ext.x0) / (ext.y1 - ext.y0);
  const nPanels = stages.length + (img ? 1 : 0);
  const cols = Math.max(1, Math.min(nPanels, o.columns ?? 4));
  const rows = Math.ceil(nPanels / cols);
  const barCaption = perPanel ? "per-panel scale" : `${names[cls] ?? `class ${cls}`} score`;
  // Panels as large as fit in MAX_WIDTH beside the colour bar (widest when shortest), at most 190 px.
  const room = MAX_WIDTH - 2 * SPACE.margin - SPACE.gap - measureColorBar(shared, 60, { caption: barCaption, relative: perPanel }) - (cols - 1) * ARROW_W;
  const P = Math.max(60, Math.min(o.panelSize ?? 190, Math.floor(room / cols / Math.min(1, ar))));
  const pw = ar >= 1 ? P : P * ar;
  const ph = ar >= 1 ? P / ar : P;
  // Caption lines under a panel: stride, span, crop (or range), and "from the row above" when the path wraps.
  const capLines = 2 + (stages.some((s) => s.crop !== undefined) || perPanel ? 1 : 0) + (rows > 1 ? 1 : 0);
  const capH = FONT.small * 1.35 * capLines;
  const rowH = PANEL_TITLE_H + ph + 4 + capH;
  const gridW = cols * pw + (cols - 1) * ARROW_W;
  const gridH = rows * rowH + (rows - 1) * SPACE.gap;
  const barH = Math.min(ph, 190);
  const barW = measureColorBar(shared, barH, { caption: barCaption, relative: perPanel });
  const width = gridW + SPACE.gap + barW + 2 * SPACE.margin;
  const title = {
    title: o.title ?? `Upsampling, class "${names[cls] ?? cls}": each blob placed on the input by its coordinate map`,
    subtitle: [
      `Frame: input coordinates ${fmtPx(ext.x0)} to ${fmtPx(ext.x1)} px; dashed: the ${inH}×${inW} input. Blobs overhang the input (conv1_1's pad 100) until the final crop.`,
    ],
  };
  const titleH = measureTitle(title, width - 2 * SPACE.margin);
  const height = SPACE.margin + titleH + gridH + SPACE.margin;
  const root = createSvg(width, height);
  const { svg } = root;
  drawTitle(svg, SPACE.margin, SPACE.margin, title, width - 2 * SPACE.margin);
  const top = SPACE.margin + titleH;
  const slot = (i: number) => ({ x: SPACE.margin + (i % cols) * (pw + ARROW_W), y: top + Math.floor(i / cols) * (rowH + SPACE.gap) + PANEL_TITLE_H });

  const panels: Array<() => void> = [];
  let k = 0;
  if (img) {
    const { x, y } = slot(k++);
    panels.push(() => {
      const v = fitView(ext, x, y, pw, ph);
      svg.append("rect").attr("x", r(x)).attr("y", r(y)).attr("width", r(pw)).attr("height", r(ph)).attr("fill", INK.panel);
      image(svg, v.x(-0.5), v.y(-0.5), inW * v.k, inH * v.k, imageRaster(img, inW * v.k, inH * v.k), true);
      frame(svg, x, y, pw, ph, INK.grid, 0.6);
      panelTitle(svg, x, y, pw, `input ${inH}×${inW}`, { bold: true });
    });
  }
  stages.forEach((s, i) => {
    const { x, y } = slot(k);
    const first = k === 0;
    const rowStart = k % cols === 0;
    k++;
    const m = ms[i]!;
    panels.push(() => {
      const v = fitView(ext, x, y, pw, ph);
      svg.append("rect").attr("x", r(x)).attr("y", r(y)).attr("width", r(pw)).attr("height", r(ph)).attr("fill", INK.panel);
      const b = rects[i]!;
      const bw = (b.x1 - b.x0) * v.k;
      const bh = (b.y1 - b.y0) * v.k;
      const sc = perPanel ? autoScale(ranges[i]![0], ranges[i]![1]) : shared;
      image(svg, v.x(b.x0), v.y(b.y0), bw, bh, scalarRaster(maps[i]!, m.h, m.w, sc, bw, bh));
      const inRect = imageRect(inH, inW);
      frame(svg, v.x(inRect.x0), v.y(inRect.y0), (inRect.x1 - inRect.x0) * v.k, (inRect.y1 - inRect.y0) * v.k, INK.text, 1).attr("stroke-dasharray", "4 3");
      if (s.crop !== undefined) {
        frame(svg, v.x(inRect.x0), v.y(inRect.y0), (inRect.x1 - inRect.x0) * v.k, (inRect.y1 - inRect.y0) * v.k, ACCENT.crop, 2);
      }
      frame(svg, x, y, pw, ph, INK.grid, 0.6);
      const stride = 1 / s.coordMap.a;
      panelTitle(svg, x, y, pw, `${s.name} · ${m.h}×${m.w}`, { bold: true });
      const caps: Array<[string, string]> = [
        [`stride ${fmt(stride)}`, INK.muted],
        [`spans ${fmtPx(b.x0)} to ${fmtPx(b.x1)}`, INK.muted],
      ];
      if (s.crop !== undefined) caps.push([`crop offset ${s.crop} → ${inH}×${inW}`, ACCENT.crop]);
      else if (perPanel) caps.push([`range ${fmt(ranges[i]![0])}..${fmt(ranges[i]![1])}`, INK.muted]);
      caps.forEach(([c, fill], ci) => text(svg, x + pw / 2, y + ph + 4 + FONT.small * (1 + 1.35 * ci), fitText(c, pw + ARROW_W - 8, FONT.small), { size: FONT.small, anchor: "middle", fill }));
      if (!first && !rowStart) {
        const ax = x - ARROW_W + 6;
        arrow(svg, ax, y + ph / 2, x - 6, y + ph / 2, INK.muted);
        if (s.op) {
          const parts = s.op.split("\n");
          parts.forEach((p, pi) => text(svg, x - ARROW_W / 2, y + ph / 2 - 6 - (parts.length - 1 - pi) * FONT.small * 1.2, fitText(p, ARROW_W + 10, FONT.small), { size: FONT.small, anchor: "middle", fill: INK.muted }));
        }
      } else if (!first && s.op) {
        text(svg, x, y + ph + 4 + FONT.small * (1 + 1.35 * (capLines - 1)), fitText(`↑ from the row above: ${s.op.replace(/\n/g, " ")}`, pw + ARROW_W - 8, FONT.small), { size: FONT.small, fill: INK.muted });
      }
    });
  });
  for (const p of panels) p();
  drawColorBar(svg, SPACE.margin + gridW + SPACE.gap, top + PANEL_TITLE_H, barH, shared, { caption: barCaption, relative: perPanel });
  return root.figure(`${title.title}; stages: ${stages.map((s) => s.name).join(" → ")}`);
}
