import { autoScale, extent } from "../colors.js";
import { drawColorBar, drawTitle, fmt, measureColorBar, measureTitle, PANEL_TITLE_H, panelTitle } from "../components.js";
import type { Figure } from "../figure.js";
import { VOC_CLASS_NAMES } from "../../core/class-names/voc.js";
import { scalarRaster } from "../raster.js";
import { FONT, INK, SPACE } from "../style.js";
import { createSvg, frame, image, text } from "../svg.js";
import { asHWC, channel, type ArrayND } from "../../core/arrays.js";

/** One named blob of a fusion. */
export interface NamedTap {
  readonly name: string;
  readonly tap: ArrayND;
}

/** sum = a + b, all on the same grid (e.g. fuse_pool4 = upscore2 + score_pool4c). */
export interface FusionStep {
  readonly a: NamedTap;
  readonly b: NamedTap;
  readonly sum: NamedTap;
}

export interface SkipFusionOptions {
  /** The class shown (default 15, person). */
  readonly classIndex?: number;
  readonly classNames?: readonly string[];
  /** Panel size in px (default 170). */
  readonly panelSize?: number;
  readonly title?: string;
  /** Replaces the default subtitle (what a fusion is). */
  readonly subtitle?: string;
}

const OP_W = 34;

/**
 * Skip fusion as a sum of pictures, one row per step: A + B = C for one class, all
 * panels on one colour scale so the picture arithmetic is honest.
 */
export function skipFusion(steps: readonly FusionStep[], o: SkipFusionOptions = {}): Figure {
  if (!steps.length) throw new Error("skipFusion: no steps");
  const cls = o.classIndex ?? 15;
  const names = o.classNames ?? VOC_CLASS_NAMES;
  const rows = steps.map((s, si) => {
    const parts = [s.a, s.b, s.sum].map((t) => ({ name: t.name, m: asHWC(t.tap, `${t.name}`) }));
    const [pa, pb, ps] = parts;
    if (pa!.m.h !== pb!.m.h || pa!.m.w !== pb!.m.w || pa!.m.h !== ps!.m.h || pa!.m.w !== ps!.m.w) {
      throw new Error(`skipFusion step ${si}: ${parts.map((p) => `${p.name} ${p.m.h}×${p.m.w}`).join(", ")} are not on one grid (crop first)`);
    }
    return parts.map((p) => {
      if (cls >= p.m.c) throw new Error(`skipFusion: class ${cls} out of range for ${p.name} (${p.m.c} channels)`);
      return { ...p, v: channel(p.m, cls) };
    });
  });
  const all = rows.flat();
  const lo = Math.min(...all.map((p) => extent(p.v)[0]));
  const hi = Math.max(...all.map((p) => extent(p.v)[1]));
  const scale = autoScale(lo, hi);
  const P = o.panelSize ?? 170;
  const sizes = rows.map((row) => {
    const { h, w } = row[0]!.m;
    // Whole px per cell for small grids (even cells); otherwise exactly P.
    const k = Math.max(h, w) <= P / 4 ? Math.max(1, Math.floor(P / Math.max(h, w))) : P / Math.max(h, w);
    return { pw: Math.round(w * k), ph: Math.round(h * k) };
  });
  const pw = Math.max(...sizes.map((s) => s.pw));
  const rowW = 3 * pw + 2 * OP_W;
  const capH = FONT.small * 1.6;
  const rowH = sizes.map((s) => PANEL_TITLE_H + s.ph + capH);
  const gridH = rowH.reduce((a, b) => a + b, 0) + (rows.length - 1) * SPACE.gap;
  const barH = Math.min(Math.max(...sizes.map((s) => s.ph)), 200);
  const clsName = names[cls] ?? `class ${cls}`;
  const barCaption = `${clsName} score, all panels`;
  const barW = measureColorBar(scale, barH, { caption: barCaption });
  const width = rowW + SPACE.gap + barW + 2 * SPACE.margin;
  const title = {
    title: o.title ?? `Skip fusion, class "${clsName}": ${steps.map((s) => `${s.sum.name} = ${s.a.name} + ${s.b.name}`).join("; ")}`,
    subtitle: o.subtitle ?? "Coarse, confident scores from deep layers plus finer scores from a shallower pool, summed cell by cell on one grid; one colour scale for every panel.",
  };
  const titleH = measureTitle(title, width - 2 * SPACE.margin);
  const height = SPACE.margin + titleH + gridH + SPACE.margin;
  const root = createSvg(width, height);
  const { svg } = root;
  drawTitle(svg, SPACE.margin, SPACE.margin, title, width - 2 * SPACE.margin);
  let y = SPACE.margin + titleH + PANEL_TITLE_H;
  rows.forEach((row, ri) => {
    const { pw: w, ph: h } = sizes[ri]!;
    row.forEach((p, i) => {
      const x = SPACE.margin + i * (pw + OP_W) + (pw - w) / 2;
      image(svg, x, y, w, h, scalarRaster(p.v, p.m.h, p.m.w, scale, w, h));
      frame(svg, x, y, w, h, INK.line, 0.6);
      panelTitle(svg, x, y, w, p.name, { bold: true });
      const [a, b] = extent(p.v);
      text(svg, x + w / 2, y + h + FONT.small + 3, `${p.m.h}×${p.m.w} · ${fmt(a)}..${fmt(b)}`, { size: FONT.small, anchor: "middle", fill: INK.muted });
      if (i < 2) text(svg, SPACE.margin + (i + 1) * pw + i * OP_W + OP_W / 2, y + h / 2, i === 0 ? "+" : "=", { size: 26, anchor: "middle", baseline: "middle", fill: INK.text });
    });
    y += rowH[ri]! + SPACE.gap;
  });
  drawColorBar(svg, SPACE.margin + rowW + SPACE.gap, SPACE.margin + titleH + PANEL_TITLE_H, barH, scale, { caption: barCaption });
  return root.figure(title.title);
}
