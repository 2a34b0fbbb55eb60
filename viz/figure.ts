/**
 * Figure values. A `Figure` is a finished SVG (d3, server-side) that can also become a
 * PNG; a `PlotlyFigure` is an interactive plotly spec that carries an equivalent d3
 * `Figure` as its static fallback (PNG/SVG), since plotly has no headless renderer here.
 * Neither needs a running kernel: `viz/tslab.ts` is the only place that displays them.
 * PNGs and files need Node (node-only.ts); the SVG is all a browser uses.
 */
import type { Resvg as ResvgClass } from "@resvg/resvg-js";
import { resvgFontOptions } from "./fonts.js";
import { nodeBuiltin, nodeRequire } from "./node-only.js";
import { plotlyHTML, type PlotlyHTMLOptions, type PlotlySpec } from "./plotly.js";

let Resvg: typeof ResvgClass | undefined;
/** resvg (a native Node addon), loaded by the first PNG. */
function resvg(): typeof ResvgClass {
  return (Resvg ??= (nodeRequire("PNG rasterizing (resvg)")("@resvg/resvg-js") as { Resvg: typeof ResvgClass }).Resvg);
}

function writeFileSync(path: string, data: string | Uint8Array): void {
  nodeBuiltin("node:fs", "save()").writeFileSync(path, data);
}

export interface PngOptions {
  /** Pixels per SVG px (default 1: the figure's visible resolution). */
  readonly scale?: number;
}

export class Figure {
  readonly kind = "svg" as const;
  constructor(
    /** The SVG document (standalone, no ids, no scripts). */
    readonly svg: string,
    /** Size in px. */
    readonly width: number,
    readonly height: number,
    /** One-line plain-text description (text/plain, alt text). */
    readonly description: string,
  ) {}

  toSVG(): string {
    return this.svg;
  }

  /** Rasterizes the SVG with resvg (fonts: see fonts.ts). */
  toPNG(o: PngOptions = {}): Buffer {
    const scale = o.scale ?? 1;
    const renderer = new (resvg())(this.svg, {
      font: resvgFontOptions(),
      fitTo: scale === 1 ? { mode: "original" } : { mode: "zoom", value: scale },
      imageRendering: 1,
      logLevel: "off",
    });
    return renderer.render().asPng();
  }

  /** `<img>` with the SVG as a base64 data URI: renders even where inline SVG is sanitized. */
  toImgHTML(): string {
    const b64 = Buffer.from(this.svg, "utf8").toString("base64");
    return `<img src="data:image/svg+xml;base64,${b64}" width="${this.width}" height="${this.height}" alt="${escapeAttr(this.description)}">`;
  }

  /** Writes .svg or .png by the file's extension. */
  save(path: string, o: PngOptions = {}): void {
    if (path.toLowerCase().endsWith(".svg")) writeFileSync(path, this.svg);
    else if (path.toLowerCase().endsWith(".png")) writeFileSync(path, this.toPNG(o));
    else throw new Error(`save(): use a .svg or .png file name, got ${path}`);
  }

  toString(): string {
    return this.description;
  }
}

export class PlotlyFigure {
  readonly kind = "plotly" as const;
  constructor(
    /** data + layout + config, as JSON-ready objects. */
    readonly spec: PlotlySpec,
    /** The same figure drawn with d3, for PNG/SVG and static viewers. */
    readonly fallback: Figure,
  ) {}

  get description(): string {
    return this.fallback.description;
  }
  get width(): number {
    return this.spec.layout.width;
  }
  get height(): number {
    return this.spec.layout.height;
  }
  toPlotly(): PlotlySpec {
    return this.spec;
  }
  toSVG(): string {
    return this.fallback.toSVG();
  }
  toPNG(o: PngOptions = {}): Buffer {
    return this.fallback.toPNG(o);
  }
  /** Self-contained HTML (plotly.js inlined unless told otherwise). */
  toHTML(o: PlotlyHTMLOptions = {}): string {
    return plotlyHTML(this.spec, o);
  }
  save(path: string, o: PngOptions = {}): void {
    if (path.toLowerCase().endsWith(".html")) writeFileSync(path, this.toHTML());
    else if (path.toLowerCase().endsWith(".json")) writeFileSync(path, JSON.stringify(this.spec));
    else this.fallback.save(path, o);
  }
  toString(): string {
    return this.description;
  }
}

export type AnyFigure = Figure | PlotlyFigure;

export function escapeAttr(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
