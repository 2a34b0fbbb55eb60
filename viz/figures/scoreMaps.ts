import { autoScale, extent } from "../colors.js";
import { cellGridPath, drawColorBar, drawLegend, drawTitle, fmt, fmtCoordMap, fmtPos, fmtPx, measureColorBar, measureLegend, measureTitle, PANEL_TITLE_H, panelTitle, type LegendItem } from "../components.js";
import type { Figure } from "../figure.js";
import { blobRect, fitView, imageRect, union } from "../geometry.js";
import { toImage, type CoordMap } from "../../core/coord-map.js";
import { labelColors, labelName } from "../../core/palette.js";
import { VOC_CLASS_NAMES } from "../../core/class-names/voc.js";
import { imageRaster, labelRaster, scalarRaster } from "../raster.js";
import { INK, MAX_WIDTH, SPACE } from "../style.js";
import { createSvg, frame, group, image, r, type G } from "../svg.js";
import { argmax, asHWC, channel, type ArrayND } from "../../core/arrays.js";
import { asRGB, type ImageInput } from "../../core/image.js";

export interface ScoreMapsOptions {
  /** Tap name (default "score_fr"). */
  readonly name?: string;
  /** Class names (default the 21 VOC classes). */
  readonly classNames?: readonly string[];
  /** CSS colour of each class, label order (default classColors(classNames): the digit models' categorical palette for their names, else VOC's colours). */
  readonly classColors?: readonly string[];
  /** Classes to show as heat maps (default: those present in the argmax, most cells first). */
  readonly classes?: readonly number[];
  /** At most this many heat maps when `classes` is not given (default 4). */
  readonly maxClasses?: number;
  /** The tap's coordinate map, blob = a * image + b (from the net spec): places cell centres on the input. */
  readonly coordMap?: CoordMap;
  /** The input image, drawn under the cell centres. */
  readonly image?: ImageInput;
  /** Input size [H, W] when no image is given. */
  readonly imageSize?: readonly [number, number];
  /** Panel size in px (default about 170, less when the row would not fit MAX_WIDTH; rounded to whole px per cell). */
  readonly panelSize?: number;
  /** Panels per row (default 4). */
  readonly columns?: number;
  readonly title?: string;
}

/** Draws the lines between cells over a map panel. */
function cellLines(g: G, x: number, y: number, w: number, h: number, rows: number, cols: number, stroke: string, opacity: number): void {
  if (w / cols < 4 || h / rows < 4) return;
  g.append("path").attr("d", cellGridPath(x, y, w, h, rows, cols)).attr("fill", "none").attr("stroke", stroke).attr("stroke-opacity", opacity).attr("stroke-width", 0.6);
}

/**
 * The coarse class scores the net actually computes (score_fr, stride 32): per-class
 * heat maps on the cell grid, the argmax in class colours with a legend of the classes
 * present, and where each cell's centre lands on the input.
 */
export function scoreMaps(scores: ArrayND, o: ScoreMapsOptions = {}): Figure {
  const m = asHWC(scores, "scoreMaps scores");
  const names = o.classNames ?? VOC_CLASS_NAMES;
  const colors = labelColors(names, o.classColors);
  const labels = argmax(scores);
  const counts = new Map<number, number>();
  for (const l of labels.data) counts.set(l, (counts.get(l) ?? 0) + 1);
  const present = [...counts.keys()].sort((p, q) => counts.get(q)! - counts.get(p)! || p - q);
  const classes = o.classes ? [...o.classes] : present.slice(0, o.maxClasses ?? 4);
  for (const c of classes) if (!Number.isInteger(c) || c < 0 || c >= m.c) throw new Error(`scoreMaps: class ${c} out of range (0..${m.c - 1})`);
  const maps = classes.map((c) => channel(m, c));
  const lo = Math.min(...maps.map((v) => extent(v)[0]));
  const hi = Math.max(...maps.map((v) => extent(v)[1]));
  const scale = autoScale(lo, hi, lo < 0 && hi > 0);

  const img = o.image ? asRGB(o.image) : undefined;
  const inH = img?.height ?? o.imageSize?.[0];
  const inW = img?.width ?? o.imageSize?.[1];
  const showInput = o.coordMap !== undefined && inH !== undefined && inW !== undefined;
  const stride = o.coordMap ? 1 / o.coordMap.a : undefined;

  // Panel geometry: whole px per cell, the row within MAX_WIDTH beside the colour bar (widest when shortest).
  const nPanels = classes.length + 1 + (showInput ? 1 : 0);
  const cols = Math.max(1, Math.min(nPanels, o.columns ?? 5));
  const rows = Math.ceil(nPanels / cols);
  const barCaption = "class score";
  const room = MAX_WIDTH - 2 * SPACE.margin - SPACE.gap - measureColorBar(scale, 60, { caption: barCaption }) - (cols - 1) * SPACE.gap;
  const target = Math.min(o.panelSize ?? 170, Math.floor(room / cols));
  const cell = Math.max(1, Math.floor(target / Math.max(m.h, m.w)));
  const pw = m.w * cell;
  const ph = m.h * cell;
  const gridW = cols * pw + (cols - 1) * SPACE.gap;
  const rowH = PANEL_TITLE_H + ph;
  const gridH = rows * rowH + (rows - 1) * SPACE.gap;
  const barH = Math.min(ph, 200);
  const barW = measureColorBar(scale, barH, { caption: barCaption });
  const items: LegendItem[] = present.map((l) => ({ label: labelName(l, names), color: colors.css(l), note: `${counts.get(l)} cells` }));
  const contentW = gridW + SPACE.gap + barW;
  const width = contentW + 2 * SPACE.margin;
  const legend = measureLegend(items, contentW);
  const name = o.name ?? "score_fr";
  const sub: string[] = [`${m.h}×${m.w} cells × ${m.c} classes${stride !== undefined ? ` · stride ${fmt(stride)} px` : ""} · heat maps share one colour scale`];
  if (o.coordMap && stride !== undefined) {
    const x0 = toImage(o.coordMap, 0);
    const off = `${x0 < 0 ? "−" : "+"} ${fmtPx(Math.abs(x0))}`;
    sub.push(`cell ${fmtPos("i", "j")} is centred on input pixel ${fmtPos(`${fmt(stride)}·i ${off}`, `${fmt(stride)}·j ${off}`)}, from the coordinate map ${fmtCoordMap(name, o.coordMap.a, o.coordMap.b)}`);
  }
  const title = { title: o.title ?? `${name}: class scores on the coarse grid`, subtitle: sub };
  const titleH = measureTitle(title, width - 2 * SPACE.margin);
  const height = SPACE.margin + titleH + gridH + SPACE.gap + legend.height + SPACE.margin;

  const root = createSvg(width, height);
  const { svg } = root;
  drawTitle(svg, SPACE.margin, SPACE.margin, title, width - 2 * SPACE.margin);
  const top = SPACE.margin + titleH;
  const slot = (i: number) => ({ x: SPACE.margin + (i % cols) * (pw + SPACE.gap), y: top + Math.floor(i / cols) * (rowH + SPACE.gap) + PANEL_TITLE_H });
  let k = 0;

  if (showInput) {
    const { x, y } = slot(k++);
    const cm = o.coordMap!;
    const ext = union(imageRect(inH!, inW!), blobRect(cm, m.h, m.w));
    const v = fitView(ext, x, y, pw, ph);
    const g = group(svg, 0, 0);
    g.append("rect").attr("x", r(v.box.x)).attr("y", r(v.box.y)).attr("width", r(v.box.w)).attr("height", r(v.box.h)).attr("fill", INK.panel);
    const ix = v.x(-0.5);
    const iy = v.y(-0.5);
    const iw = inW! * v.k;
    const ih = inH! * v.k;
    if (img) image(g, ix, iy, iw, ih, imageRaster(img, iw, ih), true);
    // Cell boundaries on the input, then the centres coloured by argmax.
    const b = blobRect(cm, m.h, m.w);
    cellLines(g, v.x(b.x0), v.y(b.y0), (b.x1 - b.x0) * v.k, (b.y1 - b.y0) * v.k, m.h, m.w, "#ffffff", 0.55);
    frame(g, ix, iy, iw, ih, INK.text, 1);
    const rad = Math.max(1.2, Math.min(3, (v.k * stride!) / 5));
    for (let i = 0; i < m.h; i++) {
      for (let j = 0; j < m.w; j++) {
        g.append("circle")
          .attr("cx", r(v.x(toImage(cm, j))))
          .attr("cy", r(v.y(toImage(cm, i))))
          .attr("r", r(rad))
          .attr("fill", colors.css(labels.data[i * m.w + j]!))
          .attr("stroke", "#ffffff")
          .attr("stroke-width", 0.6);
      }
    }
    panelTitle(svg, x, y, pw, `input ${inH}×${inW} · cell centres`);
  }

  {
    const { x, y } = slot(k++);
    image(svg, x, y, pw, ph, labelRaster({ data: labels.data, h: m.h, w: m.w }, pw, ph, { colors: colors.table }));
    cellLines(svg, x, y, pw, ph, m.h, m.w, "#ffffff", 0.35);
    frame(svg, x, y, pw, ph, INK.line, 0.6);
    panelTitle(svg, x, y, pw, "argmax over classes", { bold: true });
  }
  classes.forEach((c, i) => {
    const { x, y } = slot(k++);
    image(svg, x, y, pw, ph, scalarRaster(maps[i]!, m.h, m.w, scale, pw, ph));
    cellLines(svg, x, y, pw, ph, m.h, m.w, "#000000", 0.12);
    frame(svg, x, y, pw, ph, INK.line, 0.6);
    panelTitle(svg, x, y, pw, `${c} ${names[c] ?? `class ${c}`}`);
  });
  drawColorBar(svg, SPACE.margin + gridW + SPACE.gap, top + PANEL_TITLE_H, barH, scale, { caption: barCaption });
  drawLegend(svg, SPACE.margin, top + gridH + SPACE.gap, items, contentW);
  return root.figure(`${title.title}: ${sub.join("; ")}; classes present: ${present.map((l) => labelName(l, names)).join(", ")}`);
}
