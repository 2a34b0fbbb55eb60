/**
 * Shared pieces of every figure: title block, colour bar, legend, panel titles, number
 * formatting. Each has a `measure` companion so layouts are computed before drawing.
 */
import { format, scaleLinear } from "d3";
import { COLOR_MAP_LABEL, type ColorScale } from "./colors.js";
import { hatchSwatch, colorStrip } from "./raster.js";
import { frame, group, image, line, r, text, type G } from "./svg.js";
import { FONT, INK, SPACE } from "./style.js";
import { fitText, textWidth } from "./text.js";

const fmtSmall = format(".2~e");
const fmtMid = format(".3~g");
const fmtBig = format(",.0f");

/** Fixed, locale-free number formatting for labels (Unicode minus). */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return fmtSmall(v);
  if (a >= 1000) return fmtBig(v);
  return fmtMid(v);
}

/** "12.3%" style percentage with one decimal. */
export function pct(v: number, digits = 1): string {
  return Number.isFinite(v) ? `${(100 * v).toFixed(digits)}%` : "–";
}

/** A pixel coordinate: at most one decimal ("12.5", "-3", "508.5"), Unicode minus. */
export function fmtPx(v: number): string {
  const s = (Math.round(v * 10) / 10).toFixed(1).replace(/\.0$/, "");
  if (s === "-0") return "0";
  return s.startsWith("-") ? "−" + s.slice(1) : s;
}

/**
 * A position, rows first as the arrays index it: "(row 5, col 7)". Every figure writes
 * cells and pixels this way (and sizes as H×W, like shapes): see viz/README.md.
 */
export function fmtPos(row: number | string, col: number | string): string {
  const f = (v: number | string) => (typeof v === "number" ? fmtPx(v) : v);
  return `(row ${f(row)}, col ${f(col)})`;
}

/** A coordinate map as a formula: "score_fr = input/32 − 0.391". */
export function fmtCoordMap(name: string, a: number, b: number): string {
  const inv = 1 / a;
  const lin = Number.isInteger(a) ? (a === 1 ? "input" : `${a}·input`) : Math.abs(inv - Math.round(inv)) < 1e-9 ? `input/${Math.round(inv)}` : `${fmt(a)}·input`;
  return b === 0 ? `${name} = ${lin}` : `${name} = ${lin} ${b < 0 ? "−" : "+"} ${fmt(Math.abs(b))}`;
}

/** Greedy word wrap to `width` px. */
export function wrap(s: string, width: number, size: number, bold = false): string[] {
  const words = s.split(/ +/).filter(Boolean);
  const lines: string[] = [];
  let cur = "";
  for (const w of words) {
    const next = cur ? cur + " " + w : w;
    if (cur && textWidth(next, size, bold) > width) {
      lines.push(cur);
      cur = w;
    } else cur = next;
  }
  if (cur) lines.push(cur);
  return lines;
}

export interface TitleSpec {
  readonly title: string;
  readonly subtitle?: string | readonly string[];
}

const TITLE_LINE = FONT.title * 1.3;
const SUB_LINE = FONT.subtitle * 1.4;

/** Wrapped lines of a title block for a given width. */
function titleLines(t: TitleSpec, width: number): { title: string[]; sub: string[] } {
  const subs = t.subtitle === undefined ? [] : typeof t.subtitle === "string" ? [t.subtitle] : t.subtitle;
  return {
    title: wrap(t.title, width, FONT.title, true),
    sub: subs.flatMap((s) => wrap(s, width, FONT.subtitle)),
  };
}

/** Height of the title block (including the gap under it). */
export function measureTitle(t: TitleSpec, width: number): number {
  const { title, sub } = titleLines(t, width);
  return title.length * TITLE_LINE + sub.length * SUB_LINE + SPACE.gap - 4;
}

/** Minimum width a title needs so that it wraps to at most 2 lines. */
export function titleWidth(t: TitleSpec): number {
  return Math.min(textWidth(t.title, FONT.title, true), 620);
}

/** Draws the title block at (x, y) = top-left; returns its height. */
export function drawTitle(parent: G, x: number, y: number, t: TitleSpec, width: number): number {
  const { title, sub } = titleLines(t, width);
  let yy = y + FONT.title;
  for (const l of title) {
    text(parent, x, yy, l, { size: FONT.title, bold: true });
    yy += TITLE_LINE;
  }
  yy += SUB_LINE - TITLE_LINE + 1;
  for (const l of sub) {
    text(parent, x, yy - FONT.subtitle * 0.25, l, { size: FONT.subtitle, fill: INK.muted });
    yy += SUB_LINE;
  }
  return measureTitle(t, width);
}

/** A panel's title, centred (or left-aligned) above a box at (x, y) of width w. */
export function panelTitle(parent: G, x: number, y: number, w: number, s: string, o: { align?: "middle" | "start"; bold?: boolean; size?: number } = {}): void {
  const size = o.size ?? FONT.label;
  const s2 = fitText(s, w + 20, size, o.bold ?? false);
  if ((o.align ?? "middle") === "middle") text(parent, x + w / 2, y - SPACE.titleGap - 2, s2, { size, anchor: "middle", bold: o.bold ?? false });
  else text(parent, x, y - SPACE.titleGap - 2, s2, { size, bold: o.bold ?? false });
}

/** Height reserved above a panel for its title. */
export const PANEL_TITLE_H = FONT.label + SPACE.titleGap + 4;

// ---------------------------------------------------------------- colour bar

export interface ColorBarOptions {
  /** Caption along the bar (default: the map's name). */
  readonly caption?: string;
  /** Per-channel scales: the bar shows "min" .. "max" instead of values. */
  readonly relative?: boolean;
  readonly barWidth?: number;
}

const BAR_W = 12;

function barTicks(scale: ColorScale, height: number, o: ColorBarOptions): Array<{ v: number; label: string }> {
  const [lo, hi] = scale.domain;
  if (o.relative) return [{ v: lo, label: "min" }, { v: hi, label: "max" }];
  const s = scaleLinear().domain([lo, hi]);
  const n = Math.max(2, Math.min(6, Math.floor(height / 28)));
  const tf = s.tickFormat(n);
  const ticks = s.ticks(n).map((v) => ({ v, label: tf(v) }));
  if (scale.diverging && !ticks.some((t) => t.v === 0)) ticks.push({ v: 0, label: "0" });
  return ticks;
}

function caption(scale: ColorScale, o: ColorBarOptions): string {
  return o.caption ?? COLOR_MAP_LABEL[scale.map];
}

/** The caption in at most two lines along a bar of this height. */
function captionLines(scale: ColorScale, height: number, o: ColorBarOptions): string[] {
  const lines = wrap(caption(scale, o), height, FONT.small);
  if (lines.length <= 2) return lines;
  return [lines[0]!, fitText(lines.slice(1).join(" "), height, FONT.small)];
}

/** Width a colour bar of this height takes (bar, ticks, caption). */
export function measureColorBar(scale: ColorScale, height: number, o: ColorBarOptions = {}): number {
  const ticks = barTicks(scale, height, o);
  const tw = Math.max(...ticks.map((t) => textWidth(t.label, FONT.tick)));
  return (o.barWidth ?? BAR_W) + 5 + tw + 8 + captionLines(scale, height, o).length * FONT.small * 1.25 + 2;
}

/** A vertical colour bar with its top-left at (x, y); the caption runs along its right side. */
export function drawColorBar(parent: G, x: number, y: number, height: number, scale: ColorScale, o: ColorBarOptions = {}): number {
  const g = group(parent, x, y);
  const bw = o.barWidth ?? BAR_W;
  image(g, 0, 0, bw, height, colorStrip(scale, Math.max(2, Math.min(256, Math.round(height)))), true);
  frame(g, 0, 0, bw, height, INK.line, 0.8);
  const [lo, hi] = scale.domain;
  const ticks = barTicks(scale, height, o);
  let tw = 0;
  for (const t of ticks) {
    const ty = height - ((t.v - lo) / (hi - lo)) * height;
    line(g, bw, ty, bw + 3, ty, INK.line, 0.8);
    text(g, bw + 5, ty, t.label, { size: FONT.tick, baseline: "middle", fill: INK.text });
    tw = Math.max(tw, textWidth(t.label, FONT.tick));
  }
  const caps = captionLines(scale, height, o);
  caps.forEach((cap, i) => {
    // Rotated 90°: the first line is the rightmost.
    const cx = bw + 5 + tw + 8 + FONT.small * (0.8 + 1.25 * (caps.length - 1 - i));
    g.append("text")
      .attr("transform", `translate(${r(cx)},${r(height / 2)}) rotate(90)`)
      .attr("text-anchor", "middle")
      .attr("font-size", FONT.small)
      .attr("fill", INK.muted)
      .text(cap);
  });
  return measureColorBar(scale, height, o);
}

// ---------------------------------------------------------------- legend

export interface LegendItem {
  readonly label: string;
  /** CSS colour of the swatch; omitted with `hatch` for the ignore stripes. */
  readonly color?: string;
  readonly hatch?: boolean;
  /** Small grey text after the label (e.g. pixel share). */
  readonly note?: string;
}

const SW = 12;
const ROW_H = 17;

function itemWidth(it: LegendItem): number {
  return SW + 6 + textWidth(it.label, FONT.label) + (it.note ? 5 + textWidth(it.note, FONT.tick) : 0);
}

/**
 * Layout of a legend: in `columns` columns if given, else as many as fit `maxWidth`
 * (items flow column by column).
 */
export function measureLegend(items: readonly LegendItem[], maxWidth: number, columns?: number): { width: number; height: number; columns: number; colWidth: number } {
  if (!items.length) return { width: 0, height: 0, columns: 0, colWidth: 0 };
  const colWidth = Math.max(...items.map(itemWidth)) + 16;
  const cols = Math.max(1, Math.min(items.length, columns ?? Math.floor((maxWidth + 16) / colWidth)));
  const rows = Math.ceil(items.length / cols);
  return { width: cols * colWidth - 16, height: rows * ROW_H, columns: cols, colWidth };
}

export function drawLegend(parent: G, x: number, y: number, items: readonly LegendItem[], maxWidth: number, columns?: number): { width: number; height: number } {
  const m = measureLegend(items, maxWidth, columns);
  const g = group(parent, x, y);
  const rows = Math.ceil(items.length / Math.max(1, m.columns));
  items.forEach((it, i) => {
    const cx = Math.floor(i / rows) * m.colWidth;
    const cy = (i % rows) * ROW_H;
    if (it.hatch) image(g, cx, cy + 1, SW, SW, hatchSwatch(SW, SW));
    else g.append("rect").attr("x", r(cx)).attr("y", r(cy + 1)).attr("width", SW).attr("height", SW).attr("fill", it.color ?? INK.panel);
    frame(g, cx, cy + 1, SW, SW, INK.line, 0.6);
    text(g, cx + SW + 6, cy + 1 + SW / 2, it.label, { baseline: "middle" });
    if (it.note) text(g, cx + SW + 6 + textWidth(it.label, FONT.label) + 5, cy + 1 + SW / 2, it.note, { size: FONT.tick, baseline: "middle", fill: INK.muted });
  });
  return { width: m.width, height: m.height };
}

/** Path data of the lines between cells of an h x w grid drawn in a box (x, y, bw, bh). */
export function cellGridPath(x: number, y: number, bw: number, bh: number, h: number, w: number): string {
  const parts: string[] = [];
  for (let j = 1; j < w; j++) {
    const xx = r(x + (j * bw) / w);
    parts.push(`M${xx},${r(y)}V${r(y + bh)}`);
  }
  for (let i = 1; i < h; i++) {
    const yy = r(y + (i * bh) / h);
    parts.push(`M${r(x)},${yy}H${r(x + bw)}`);
  }
  return parts.join("");
}
