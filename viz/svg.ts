/**
 * Server-side d3: one lazily created jsdom document (the page's DOM in a browser), SVG
 * roots built with d3 and serialized with XMLSerializer. No ids are ever generated (several figures may be
 * inlined into one page), and every coordinate goes through `r()`, so output is
 * byte-for-byte reproducible.
 */
import { select, type Selection } from "d3";
import { Figure } from "./figure.js";
import { inNode, nodeRequire } from "./node-only.js";
import { FONT, FONT_FAMILY, INK } from "./style.js";

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * The slice of jsdom used here. jsdom is loaded with require and typed locally: its
 * @types need TypeScript >= 5.3, and `npx tsc` in this repo may resolve to the older
 * compiler tslab bundles.
 */
interface MiniDom {
  readonly window: { readonly document: Document; readonly XMLSerializer: typeof XMLSerializer };
}

let dom: MiniDom | undefined;
/** jsdom's document in Node; in a browser, a detached document of the page's own DOM. */
function jsdom(): MiniDom {
  if (!dom) {
    if (inNode()) {
      const { JSDOM } = nodeRequire("drawing a figure with jsdom")("jsdom") as { JSDOM: new (html: string) => MiniDom };
      dom = new JSDOM("<!DOCTYPE html><html><body></body></html>");
    } else {
      dom = { window: { document: document.implementation.createHTMLDocument(""), XMLSerializer } };
    }
  }
  return dom;
}

/** d3 selection of an SVG element (root or group). */
export type G = Selection<SVGElement, unknown, null, undefined>;

/** Round a coordinate to 2 decimals (fixed, locale-free formatting of every attribute). */
export function r(x: number): number {
  const v = Math.round(x * 100) / 100;
  return Object.is(v, -0) ? 0 : v;
}

export interface SvgRoot {
  readonly svg: G;
  /** Whole px. */
  readonly width: number;
  readonly height: number;
  /** Serializes the finished drawing. */
  serialize(): string;
  /** The finished drawing as a Figure. */
  figure(description: string): Figure;
}

/** A new `<svg>` of width x height px with a white background and the figure font. */
export function createSvg(w: number, h: number): SvgRoot {
  const width = Math.ceil(w - 1e-6);
  const height = Math.ceil(h - 1e-6);
  const el = jsdom().window.document.createElementNS(SVG_NS, "svg") as unknown as SVGElement;
  const svg = select(el)
    .attr("width", r(width))
    .attr("height", r(height))
    .attr("viewBox", `0 0 ${r(width)} ${r(height)}`)
    .attr("font-family", FONT_FAMILY)
    .attr("font-size", FONT.label)
    .attr("fill", INK.text) as G;
  svg.append("rect").attr("width", r(width)).attr("height", r(height)).attr("fill", INK.background);
  const serialize = () => new (jsdom().window.XMLSerializer)().serializeToString(el as unknown as Node);
  return { svg, width, height, serialize, figure: (description) => new Figure(serialize(), width, height, description) };
}

/** Appends `<g transform="translate(x,y)">`. */
export function group(parent: G, x: number, y: number): G {
  const g = parent.append("g") as unknown as G;
  if (x !== 0 || y !== 0) g.attr("transform", `translate(${r(x)},${r(y)})`);
  return g;
}

export interface TextStyle {
  size?: number;
  bold?: boolean;
  fill?: string;
  anchor?: "start" | "middle" | "end";
  /** Vertical alignment of y: the baseline (default), or the middle of lowercase+caps. */
  baseline?: "alphabetic" | "middle" | "hanging";
  italic?: boolean;
}

/**
 * Appends a text element. "middle"/"hanging" baselines are done with a dy shift rather
 * than dominant-baseline, which renderers disagree on.
 */
export function text(parent: G, x: number, y: number, s: string, style: TextStyle = {}): G {
  const size = style.size ?? FONT.label;
  let dy = 0;
  if (style.baseline === "middle") dy = 0.35 * size;
  else if (style.baseline === "hanging") dy = 0.76 * size;
  const t = parent.append("text").attr("x", r(x)).attr("y", r(y + dy)) as unknown as G;
  if (size !== FONT.label) t.attr("font-size", size);
  if (style.bold) t.attr("font-weight", "bold");
  if (style.italic) t.attr("font-style", "italic");
  if (style.fill && style.fill !== INK.text) t.attr("fill", style.fill);
  if (style.anchor && style.anchor !== "start") t.attr("text-anchor", style.anchor);
  t.text(s);
  return t;
}

/** An embedded raster at (x, y), shown w x h px; pixelated unless `smooth`. */
export function image(parent: G, x: number, y: number, w: number, h: number, dataUri: string, smooth = false): G {
  const im = parent
    .append("image")
    .attr("x", r(x))
    .attr("y", r(y))
    .attr("width", r(w))
    .attr("height", r(h))
    .attr("preserveAspectRatio", "none") as unknown as G;
  if (!smooth) im.attr("image-rendering", "optimizeSpeed").attr("style", "image-rendering:pixelated");
  im.attr("href", dataUri);
  return im;
}

/** Frame rectangle (no fill). */
export function frame(parent: G, x: number, y: number, w: number, h: number, stroke: string = INK.line, width = 1): G {
  return parent
    .append("rect")
    .attr("x", r(x))
    .attr("y", r(y))
    .attr("width", r(w))
    .attr("height", r(h))
    .attr("fill", "none")
    .attr("stroke", stroke)
    .attr("stroke-width", width) as unknown as G;
}

/** A straight line. */
export function line(parent: G, x1: number, y1: number, x2: number, y2: number, stroke: string = INK.line, width = 1): G {
  return parent
    .append("line")
    .attr("x1", r(x1))
    .attr("y1", r(y1))
    .attr("x2", r(x2))
    .attr("y2", r(y2))
    .attr("stroke", stroke)
    .attr("stroke-width", width) as unknown as G;
}

/** Path data from points, rounded. */
export function pathData(points: ReadonlyArray<readonly [number, number]>, close = false): string {
  const d = points.map(([x, y], i) => `${i ? "L" : "M"}${r(x)},${r(y)}`).join("");
  return close ? d + "Z" : d;
}

/** An arrow from (x1,y1) to (x2,y2) with a filled head drawn as a path (no <marker> ids). */
export function arrow(parent: G, x1: number, y1: number, x2: number, y2: number, stroke: string = INK.muted, width = 1.2, head = 6): G {
  const g = parent.append("g") as unknown as G;
  const ang = Math.atan2(y2 - y1, x2 - x1);
  const bx = x2 - head * Math.cos(ang);
  const by = y2 - head * Math.sin(ang);
  line(g, x1, y1, bx, by, stroke, width);
  const px = (head / 2) * Math.sin(ang);
  const py = (head / 2) * -Math.cos(ang);
  g.append("path").attr("d", pathData([[x2, y2], [bx + px, by + py], [bx - px, by - py]], true)).attr("fill", stroke);
  return g;
}
