/**
 * Plotly specs and self-contained HTML for them. plotly.js itself is read from
 * node_modules (plotly.js-dist-min if installed, else plotly.js-dist) only when HTML
 * with an inlined copy is asked for.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

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
}

let source: { name: string; code: string } | undefined;

/** plotly.js source, escaped for a <script> element, and which package it came from. */
export function plotlyJsSource(): { name: string; code: string } {
  if (source) return source;
  const req = createRequire(import.meta.url);
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
  return (
    lib +
    `<div class="fcn-viz-plotly" style="width:${width}px;height:${height}px"></div>\n` +
    `<script type="text/javascript">(function () {\n` +
    `  var div = document.currentScript && document.currentScript.previousElementSibling;\n` +
    `  var spec = ${scriptJSON(spec)};\n` +
    `  var tries = 0;\n` +
    `  function draw() {\n` +
    `    if (window.Plotly && div) { window.Plotly.newPlot(div, spec.data, spec.layout, spec.config); return; }\n` +
    `    if (++tries < 200) setTimeout(draw, 50);\n` +
    `    else if (div) div.textContent = "plotly.js is not loaded on this page: re-run the first plotly figure's cell.";\n` +
    `  }\n` +
    `  draw();\n` +
    `})();</script>`
  );
}
