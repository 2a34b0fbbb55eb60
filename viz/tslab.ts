/**
 * The one place that talks to a notebook kernel. `show(fig)` sends ONE display_data
 * output carrying several mime types, so the figure renders everywhere (see the table
 * in shared/TOOLCHAIN.md):
 *   d3 figures:     image/svg+xml + image/png + text/html (<img> of the SVG as a data
 *                   URI, which an untrusted JupyterLab still shows) + text/plain
 *   plotly figures: application/vnd.plotly.v1+json + text/html + text/plain, and NO
 *                   image/png: JupyterLab's plotly renderer (the plotly pip package) shows
 *                   a bundle's PNG as a still picture and draws the interactive plot only
 *                   when the mouse enters it. The static view lives inside the HTML instead
 *                   (an <img> of the d3 fallback that the HTML's script replaces with the
 *                   plot; plotly.js inlined only in the first plotly output of the kernel
 *                   session), so a viewer without the plotly renderer that does not run
 *                   scripts (an untrusted notebook) still shows the figure, and one that runs
 *                   them (nbconvert HTML, a trusted notebook) gets the plot.
 * tslab's public display API sends one mime type per call, so this uses its internal
 * writer (tslab/dist/jupyter's lastWriteDisplayData, tested with tslab 1.0.22). Nothing
 * is loaded until show() is called, and the figures never need this module.
 */
import type { AnyFigure } from "./figure.js";
import { nodeRequire } from "./node-only.js";
import { plotlyHTML } from "./plotly.js";

export interface DisplayBundle {
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly transient: Record<string, unknown>;
}

export interface ShowOptions {
  /** Include image/svg+xml for d3 figures (default true; false keeps notebooks smaller). */
  readonly svg?: boolean;
  /**
   * Include image/png (default: true for d3 figures, false for plotly figures, whose PNG
   * would keep JupyterLab's plotly renderer on a still picture until the mouse enters).
   */
  readonly png?: boolean;
  /** PNG pixels per figure px (default 1, the visible resolution). */
  readonly pngScale?: number;
  /** plotly.js in the HTML: "auto" (default: inline once per kernel session), "inline", "none". */
  readonly plotlyJs?: "auto" | "inline" | "none";
}

type Writer = (data: DisplayBundle, update: boolean) => void;

let plotlyInlined = false;

/** Forget that plotly.js was sent (e.g. after clearing that output): the next plotly figure inlines it again. */
export function resetPlotlySession(): void {
  plotlyInlined = false;
}

/** The multi-mime bundle for a figure (pure: no kernel needed). */
export function displayBundle(fig: AnyFigure, o: ShowOptions & { plotlyJs?: "inline" | "none" | "auto" } = {}): DisplayBundle {
  // Richest first (the order is only a hint: Jupyter front ends choose by their own ranks).
  const data: Record<string, unknown> = {};
  const metadata: Record<string, unknown> = {};
  if (fig.kind === "plotly") {
    data["application/vnd.plotly.v1+json"] = fig.spec;
    data["text/html"] = plotlyHTML(fig.spec, { plotlyJs: o.plotlyJs === "none" ? "none" : "inline", fallback: fig.fallback.toImgHTML() });
  } else if (o.svg ?? true) data["image/svg+xml"] = fig.svg;
  const scale = o.pngScale ?? 1;
  if (o.png ?? fig.kind === "svg") {
    data["image/png"] = fig.toPNG({ scale }).toString("base64");
    if (scale !== 1) metadata["image/png"] = { width: fig.width, height: fig.height };
  }
  if (fig.kind === "svg") data["text/html"] = fig.toImgHTML();
  data["text/plain"] = fig.description;
  return { data, metadata, transient: {} };
}

/** tslab's display writer of the running kernel, or a clear error. */
function kernelWriter(): Writer {
  const req = nodeRequire("show()");
  // The kernel has tslab's jupyter module loaded already; find it in the module cache
  // (this also finds a tslab installed elsewhere than this package's node_modules).
  let found = false;
  for (const [key, mod] of Object.entries(req.cache)) {
    if (!/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(key)) continue;
    found = true;
    const exp = mod?.exports as { lastWriteDisplayData?: Writer | null } | undefined;
    if (typeof exp?.lastWriteDisplayData === "function") {
      const w = exp.lastWriteDisplayData;
      return (d, u) => w(d, u);
    }
  }
  throw new Error(
    found
      ? "show(): tslab is loaded but has no running cell to display into; call show() from a notebook cell, and await it if it is in async code."
      : "show() needs a running tslab kernel (a Jupyter notebook with the TypeScript kernel). Outside a notebook use fig.toSVG(), fig.toPNG() or fig.save('figure.png').",
  );
}

/** Shows a figure in the notebook as one output with several mime types. */
export function show(fig: AnyFigure, o: ShowOptions = {}): void {
  const write = kernelWriter();
  const inline = fig.kind === "plotly" && (o.plotlyJs === "inline" || ((o.plotlyJs ?? "auto") === "auto" && !plotlyInlined));
  write(displayBundle(fig, { ...o, plotlyJs: inline ? "inline" : "none" }), false);
  if (inline) plotlyInlined = true;
}
