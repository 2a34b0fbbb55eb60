/**
 * Plotly specs and self-contained HTML for them. plotly.js itself is read from
 * node_modules (plotly.js-dist-min if installed, else plotly.js-dist) only when HTML
 * with an inlined copy is asked for.
 */
import { nodeBuiltin, nodeRequire } from "./node-only.js";
import { textWidth } from "./text.js";

/** A plotly figure as JSON-ready objects (the application/vnd.plotly.v1+json payload). */
export interface PlotlySpec {
  readonly data: ReadonlyArray<Record<string, unknown>>;
  readonly layout: Record<string, unknown> & { readonly width: number; readonly height: number };
  readonly config: Record<string, unknown>;
}

export interface PlotlyHTMLOptions {
  /**
   * "inline" (default): the whole plotly.js in a <script> before the plot (several MB:
   * once per page is enough); "none": assume `window.Plotly` is already loaded (the
   * plot waits for it).
   */
  readonly plotlyJs?: "inline" | "none";
  /**
   * HTML shown in the plot's place until plotly draws (e.g. the static figure as an
   * `<img>`): where scripts do not run (an untrusted notebook without the plotly
   * renderer, a sanitizing viewer) it is what the reader sees.
   */
  readonly fallback?: string;
}

let source: { name: string; code: string } | undefined;

/** plotly.js source, escaped for a <script> element, and which package it came from. */
export function plotlyJsSource(): { name: string; code: string } {
  if (source) return source;
  const req = nodeRequire("inlining plotly.js");
  const { readFileSync } = nodeBuiltin("node:fs", "inlining plotly.js");
  for (const name of ["plotly.js-dist-min", "plotly.js-dist"]) {
    let file: string;
    try {
      file = req.resolve(name);
    } catch {
      continue;
    }
    const code = readFileSync(file, "utf8").replace(/<\/script/gi, "<\\/script");
    return (source = { name, code });
  }
  throw new Error("plotly.js not found: install plotly.js-dist (or plotly.js-dist-min) to get self-contained plotly HTML");
}

/** JSON for embedding in a <script>: no "</" can close the element. */
function scriptJSON(x: unknown): string {
  return JSON.stringify(x).replace(/</g, "\\u003c");
}

/**
 * HTML that draws the figure. The plot finds its <div> from its own <script> element
 * (no generated ids), and waits for window.Plotly if plotly.js is loaded elsewhere.
 */
export function plotlyHTML(spec: PlotlySpec, o: PlotlyHTMLOptions = {}): string {
  const lib = (o.plotlyJs ?? "inline") === "inline" ? `<script type="text/javascript">${plotlyJsSource().code}</script>\n` : "";
  const { width, height } = spec.layout;
  // With a fallback the box takes the fallback's size until plotly replaces it.
  const box = o.fallback ? `min-width:${width}px;min-height:${height}px` : `width:${width}px;height:${height}px`;
  return (
    lib +
    `<div class="fcn-viz-plotly" style="${box}">${o.fallback ?? ""}</div>\n` +
    `<script type="text/javascript">(function () {\n` +
    `  var div = document.currentScript && document.currentScript.previousElementSibling;\n` +
    `  var spec = ${scriptJSON(spec)};\n` +
    `  var tries = 0;\n` +
    `  function draw() {\n` +
    `    if (window.Plotly && div) {\n` +
    `      div.textContent = "";\n` +
    `      div.style.width = "${width}px"; div.style.height = "${height}px";\n` +
    `      window.Plotly.newPlot(div, spec.data, spec.layout, spec.config);\n` +
    `      return;\n` +
    `    }\n` +
    `    if (++tries < 200) setTimeout(draw, 50);\n` +
    `    else if (div) div.insertAdjacentText("beforeend", "plotly.js is not loaded on this page: re-run the first plotly figure's cell.");\n` +
    `  }\n` +
    `  draw();\n` +
    `})();</script>`
  );
}

/**
 * Plotly's mode bar (zoom, pan, save: the toolbar at the top right, shown while the
 * mouse is over the plot) ends 24 px below the top (measured in chromium); titles start
 * below it, with a little air.
 */
export const MODEBAR_HEIGHT = 30;

/**
 * A plotly title that the mode bar cannot cover: left-aligned, below the mode bar's band,
 * wrapped to the figure's width (plotly does not wrap titles). `top` is the top margin
 * the layout needs for it.
 */
export function plotlyTitle(text: string, width: number, size = 14): { title: Record<string, unknown>; top: number } {
  const pad = 12;
  const lines: string[] = [];
  let cur = "";
  for (const word of text.split(/ +/).filter(Boolean)) {
    const next = cur ? `${cur} ${word}` : word;
    if (cur && textWidth(next, size) > width - 2 * pad) {
      lines.push(cur);
      cur = word;
    } else cur = next;
  }
  if (cur) lines.push(cur);
  return {
    title: {
      text: lines.join("<br>"),
      font: { size },
      x: 0,
      xref: "container",
      xanchor: "left",
      y: 1,
      yref: "container",
      yanchor: "top",
      // pad.t places the first line's baseline: one line height below the mode bar.
      pad: { l: pad, t: MODEBAR_HEIGHT + size },
    },
    top: Math.ceil(MODEBAR_HEIGHT + lines.length * size * 1.3 + 14),
  };
}
