import { scaleLinear } from "d3";
import { colorScale, extent, lut } from "../colors.js";
import { drawColorBar, drawTitle, fmt, measureColorBar, measureTitle, PANEL_TITLE_H, panelTitle } from "../components.js";
import { bilinearKernelInfo } from "../../core/bilinear.js";
import { PlotlyFigure, type Figure } from "../figure.js";
import { plotlyTitle } from "../plotly.js";
import { scalarRaster } from "../raster.js";
import { ACCENT, FONT, INK, SPACE } from "../style.js";
import { createSvg, frame, group, image, line, pathData, r, text } from "../svg.js";

export interface BilinearOptions {
  /** Weights to draw instead of the ideal kernel (e.g. a learned one), size * size row-major. */
  readonly weights?: ArrayLike<number>;
  /** Upsampling stride, drawn as a grid over the kernel (default: the bilinear factor). */
  readonly stride?: number;
  /** Heat-map size in px (default 260). */
  readonly panelSize?: number;
  /** Layer name for the title, e.g. "upscore8". */
  readonly name?: string;
  readonly title?: string;
}

function resolve(size: number, o: BilinearOptions) {
  const ideal = bilinearKernelInfo(size);
  const w = o.weights ? Float32Array.from(o.weights) : ideal.weights;
  if (w.length !== size * size) throw new Error(`bilinear: ${w.length} weights for a ${size}×${size} kernel`);
  return { ideal, w };
}

/**
 * The k x k bilinear kernel as a heat map (values written in the cells when k <= 8),
 * its centre and stride grid, and the 1D profile through the centre. Given other
 * weights (a learned kernel), it draws those, and their centre row against the
 * bilinear kernel's (dashed).
 */
export function bilinearKernelFigure(size: number, o: BilinearOptions = {}): Figure {
  const { ideal, w } = resolve(size, o);
  const stride = o.stride ?? ideal.factor;
  const [lo, hi] = extent(w);
  const scale = colorScale("viridis", Math.min(0, lo), Math.max(hi, 1e-9));
  const P = o.panelSize ?? 260;
  const cell = Math.max(1, Math.floor(P / size));
  const hp = cell * size;
  const plotW = 300;
  const barH = hp;
  const barW = measureColorBar(scale, barH, { caption: "weight (viridis)" });
  const width = hp + SPACE.gap + barW + 36 + plotW + 2 * SPACE.margin;
  const title = {
    title: o.title ?? `${o.name ? o.name + ": " : ""}bilinear kernel, k = ${size}`,
    subtitle: `factor f = ⌊(k+1)/2⌋ = ${ideal.factor}, centre c = ${fmt(ideal.centre)}; w[i][j] = (1 − |i − c|/f)·(1 − |j − c|/f)${o.weights ? " (drawn: the given weights)" : ""}. As a transposed conv with stride ${stride}, every output pixel away from the border gets weights summing to 1.`,
  };
  const titleH = measureTitle(title, width - 2 * SPACE.margin);
  const height = SPACE.margin + titleH + PANEL_TITLE_H + hp + 34 + SPACE.margin;
  const root = createSvg(width, height);
  const { svg } = root;
  drawTitle(svg, SPACE.margin, SPACE.margin, title, width - 2 * SPACE.margin);
  const y = SPACE.margin + titleH + PANEL_TITLE_H;
  const x = SPACE.margin;
  image(svg, x, y, hp, hp, scalarRaster(w, size, size, scale, hp, hp));
  if (cell >= 6) {
    svg.append("path").attr("d", gridPath(x, y, hp, size, 1)).attr("fill", "none").attr("stroke", "#ffffff").attr("stroke-opacity", 0.25).attr("stroke-width", 0.6);
  }
  if (stride > 1 && stride < size) {
    svg.append("path").attr("d", gridPath(x, y, hp, size, stride)).attr("fill", "none").attr("stroke", "#ffffff").attr("stroke-opacity", 0.8).attr("stroke-width", 1).attr("stroke-dasharray", "3 3");
  }
  if (size <= 8) {
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        const v = w[i * size + j]!;
        text(svg, x + (j + 0.5) * cell, y + (i + 0.5) * cell, v.toFixed(size <= 4 ? 4 : 3), { size: FONT.tick, anchor: "middle", baseline: "middle", fill: scale.index(v) > 150 ? INK.text : "#ffffff" });
      }
    }
  }
  // Centre marker.
  const cx = x + (ideal.centre + 0.5) * cell;
  const cy = y + (ideal.centre + 0.5) * cell;
  svg.append("path").attr("d", `M${r(cx - 5)},${r(cy)}H${r(cx + 5)}M${r(cx)},${r(cy - 5)}V${r(cy + 5)}`).attr("stroke", ACCENT.centre).attr("stroke-width", 1.5);
  frame(svg, x, y, hp, hp, INK.line, 0.6);
  panelTitle(svg, x, y, hp, `${size}×${size} weights (+ centre${stride > 1 && stride < size ? `, dashed: stride ${stride}` : ""})`);
  text(svg, x + hp / 2, y + hp + 14, "col j", { size: FONT.tick, anchor: "middle", fill: INK.muted });
  drawColorBar(svg, x + hp + SPACE.gap, y, barH, scale, { caption: "weight (viridis)" });

  // 1D profile: the separable factor (ideal kernel), or the centre row(s) of given weights.
  const px = x + hp + SPACE.gap + barW + 36;
  const a = Math.floor(ideal.centre);
  const b = Math.ceil(ideal.centre);
  const centreRow = (k: ArrayLike<number>) => Array.from({ length: size }, (_, j) => (k[a * size + j]! + k[b * size + j]!) / 2);
  const prof = o.weights ? centreRow(w) : Array.from(ideal.profile);
  // Given weights: the bilinear kernel's centre row too (dashed), read the same way, to compare.
  const ref = o.weights ? centreRow(ideal.weights) : null;
  const g = group(svg, px, y);
  const sx = scaleLinear().domain([-0.5, size - 0.5]).range([0, plotW]);
  const [plo, phi] = extent(ref ? [...prof, ...ref] : prof);
  const sy = scaleLinear().domain([Math.min(0, plo), Math.max(1, phi)]).range([hp, 0]).nice();
  for (const t of sy.ticks(5)) {
    line(g, 0, sy(t), plotW, sy(t), INK.grid, 0.6);
    text(g, -5, sy(t), sy.tickFormat(5)(t), { size: FONT.tick, anchor: "end", baseline: "middle", fill: INK.muted });
  }
  const xt = sx.ticks(Math.min(size, 8)).filter((t) => Number.isInteger(t));
  for (const t of xt) text(g, sx(t), hp + 14, String(t), { size: FONT.tick, anchor: "middle", fill: INK.muted });
  line(g, 0, hp, plotW, hp, INK.line, 1);
  line(g, sx(ideal.centre), 0, sx(ideal.centre), hp, ACCENT.centre, 1).attr("stroke-dasharray", "3 3");
  if (ref) g.append("path").attr("d", pathData(ref.map((v, j) => [sx(j), sy(v)] as const))).attr("fill", "none").attr("stroke", INK.muted).attr("stroke-width", 1.5).attr("stroke-dasharray", "5 3");
  g.append("path").attr("d", pathData(prof.map((v, j) => [sx(j), sy(v)] as const))).attr("fill", "none").attr("stroke", ACCENT.field).attr("stroke-width", 2);
  const dotR = size <= 32 ? 3 : 0;
  if (dotR) prof.forEach((v, j) => g.append("circle").attr("cx", r(sx(j))).attr("cy", r(sy(v))).attr("r", dotR).attr("fill", ACCENT.field));
  panelTitle(svg, px, y, plotW, o.weights ? "centre row: given weights (solid), bilinear (dashed)" : "1D profile 1 − |j − c|/f (the separable factor)");
  text(svg, px + plotW / 2, y + hp + 28, "j", { size: FONT.tick, anchor: "middle", fill: INK.muted });
  return root.figure(`${title.title}: ${title.subtitle}`);
}

function gridPath(x: number, y: number, s: number, n: number, every: number): string {
  const parts: string[] = [];
  const c = s / n;
  for (let k = every; k < n; k += every) {
    parts.push(`M${r(x + k * c)},${r(y)}V${r(y + s)}`, `M${r(x)},${r(y + k * c)}H${r(x + s)}`);
  }
  return parts.join("");
}

/** Plotly colour scale (list of [t, css]) sampled from a d3 map. */
function plotlyColorscale(n = 11): Array<[number, string]> {
  const t = lut("viridis");
  return Array.from({ length: n }, (_, i) => {
    const k = 3 * Math.round((i / (n - 1)) * 255);
    return [Number((i / (n - 1)).toFixed(3)), `rgb(${t[k]},${t[k + 1]},${t[k + 2]})`] as [number, string];
  });
}

/**
 * The kernel as a plotly 3D surface (rotate it in JupyterLab), with a static fallback:
 * the same surface drawn by d3 in an oblique projection.
 */
export function bilinearSurface(size: number, o: BilinearOptions = {}): PlotlyFigure {
  const { ideal, w } = resolve(size, o);
  const z = Array.from({ length: size }, (_, i) => Array.from(w.subarray(i * size, (i + 1) * size), (v) => Number(v.toFixed(5))));
  const title = o.title ?? `${o.name ? o.name + ": " : ""}bilinear kernel k = ${size} as a surface (f = ${ideal.factor}, c = ${fmt(ideal.centre)})`;
  const head = plotlyTitle(title, 560);
  const spec = {
    data: [{ type: "surface", z, colorscale: plotlyColorscale(), colorbar: { title: { text: "weight" }, len: 0.7 }, hovertemplate: "row i %{y}, col j %{x}<br>w = %{z:.4f}<extra></extra>" }],
    layout: {
      width: 560,
      height: 410 + head.top,
      title: head.title,
      margin: { l: 10, r: 10, t: head.top, b: 10 },
      scene: { xaxis: { title: { text: "col j" } }, yaxis: { title: { text: "row i" }, autorange: "reversed" }, zaxis: { title: { text: "w" }, range: [0, 1] }, camera: { eye: { x: 1.5, y: 1.5, z: 1.0 } } },
      font: { family: "DejaVu Sans, Verdana, sans-serif" },
    },
    config: { responsive: false, displaylogo: false },
  };
  return new PlotlyFigure(spec, surfaceFallback(w, size, title));
}

/** Painter's-algorithm surface in a fixed oblique view (at most 32 x 32 facets). */
function surfaceFallback(w: Float32Array, size: number, titleText: string): Figure {
  const step = Math.max(1, Math.ceil((size - 1) / 32));
  const idx: number[] = [];
  for (let i = 0; i < size; i += step) idx.push(i);
  if (idx[idx.length - 1] !== size - 1) idx.push(size - 1);
  const n = idx.length;
  const W = 560;
  const title = { title: titleText, subtitle: "Static view (this viewer has no plotly renderer): with plotly, drag to rotate, hover for values." };
  const titleH = measureTitle(title, W - 2 * SPACE.margin);
  const H = SPACE.margin + titleH + 10 + 320 + 10 + SPACE.margin;
  const root = createSvg(W, H);
  const { svg } = root;
  drawTitle(svg, SPACE.margin, SPACE.margin, title, W - 2 * SPACE.margin);
  const [, zmax] = extent(w);
  const scale = colorScale("viridis", 0, Math.max(zmax, 1e-9));
  const ang = Math.PI / 6;
  const zs = 0.55; // surface height relative to the base's side
  const raw = (i: number, j: number, v: number): [number, number] => {
    const u = j / (size - 1) - 0.5;
    const t = i / (size - 1) - 0.5;
    return [(u - t) * Math.cos(ang), (u + t) * Math.sin(ang) - (v / Math.max(zmax, 1e-9)) * zs];
  };
  // Fit the base corners and the top into the drawing box.
  const pts = [raw(0, 0, 0), raw(0, size - 1, 0), raw(size - 1, 0, 0), raw(size - 1, size - 1, 0), raw((size - 1) / 2, (size - 1) / 2, zmax)];
  const bx0 = Math.min(...pts.map((p) => p[0]));
  const bx1 = Math.max(...pts.map((p) => p[0]));
  const by0 = Math.min(...pts.map((p) => p[1]));
  const by1 = Math.max(...pts.map((p) => p[1]));
  const boxW = W - 2 * SPACE.margin - 90;
  const boxH = 320;
  const kk = Math.min(boxW / (bx1 - bx0), boxH / (by1 - by0));
  const ox = SPACE.margin + 10 + (boxW - (bx1 - bx0) * kk) / 2;
  const oy = SPACE.margin + titleH + 10 + (boxH - (by1 - by0) * kk) / 2;
  const proj = (i: number, j: number, v: number): [number, number] => {
    const [x, y] = raw(i, j, v);
    return [ox + (x - bx0) * kk, oy + (y - by0) * kk];
  };
  // Base square.
  svg.append("path").attr("d", pathData([proj(0, 0, 0), proj(0, size - 1, 0), proj(size - 1, size - 1, 0), proj(size - 1, 0, 0)], true)).attr("fill", INK.panel).attr("stroke", INK.grid);
  // Back to front: larger i + j is nearer the viewer.
  const quads: Array<{ d: number; p: string; c: string }> = [];
  for (let a = 0; a < n - 1; a++) {
    for (let b = 0; b < n - 1; b++) {
      const [i0, i1, j0, j1] = [idx[a]!, idx[a + 1]!, idx[b]!, idx[b + 1]!];
      const vs = [w[i0 * size + j0]!, w[i0 * size + j1]!, w[i1 * size + j1]!, w[i1 * size + j0]!];
      const mean = (vs[0]! + vs[1]! + vs[2]! + vs[3]!) / 4;
      quads.push({ d: i0 + j0, p: pathData([proj(i0, j0, vs[0]!), proj(i0, j1, vs[1]!), proj(i1, j1, vs[2]!), proj(i1, j0, vs[3]!)], true), c: scale.css(mean) });
    }
  }
  quads.sort((p, q) => p.d - q.d);
  const g = group(svg, 0, 0).attr("stroke", "#ffffff").attr("stroke-width", 0.3).attr("stroke-opacity", 0.6);
  for (const q of quads) g.append("path").attr("d", q.p).attr("fill", q.c);
  const [ax, ay] = proj(size - 1, 0, 0);
  text(svg, ax - 8, ay + 14, "row i", { size: FONT.tick, fill: INK.muted, anchor: "end" });
  const [bx, by] = proj(0, size - 1, 0);
  text(svg, bx + 8, by + 14, "col j", { size: FONT.tick, fill: INK.muted });
  drawColorBar(svg, W - SPACE.margin - measureColorBar(scale, 160, { caption: "weight (viridis)" }), SPACE.margin + titleH + 40, 160, scale, { caption: "weight (viridis)" });
  return root.figure(`${titleText} (static view)`);
}
