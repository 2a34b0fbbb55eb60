/**
 * Figure geometry in input coordinates: the rectangles blobs and images cover (from the
 * tap's coordinate map, core/coord-map.ts) and the view that fits them into a panel.
 * Nothing here knows the network.
 */
import { blobExtent, type CoordMap } from "../core/coord-map.js";

/** An axis-aligned rectangle in input coordinates. */
export interface Rect {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

export function union(...rs: Rect[]): Rect {
  return {
    x0: Math.min(...rs.map((r) => r.x0)),
    y0: Math.min(...rs.map((r) => r.y0)),
    x1: Math.max(...rs.map((r) => r.x1)),
    y1: Math.max(...rs.map((r) => r.y1)),
  };
}

/** The image's own extent (pixel edges) for an H x W input. */
export function imageRect(h: number, w: number): Rect {
  return { x0: -0.5, y0: -0.5, x1: w - 0.5, y1: h - 0.5 };
}

/** The extent of an h x w blob on the input. */
export function blobRect(m: CoordMap, h: number, w: number): Rect {
  const [x0, x1] = blobExtent(m, w);
  const [y0, y1] = blobExtent(m, h);
  return { x0, y0, x1, y1 };
}

/** Maps input coordinates into a box of the figure: uniform scale, centred. */
export interface View {
  readonly x: (ix: number) => number;
  readonly y: (iy: number) => number;
  /** px per input pixel. */
  readonly k: number;
  /** The box actually used (x, y, w, h in figure px). */
  readonly box: { x: number; y: number; w: number; h: number };
}

export function fitView(r: Rect, bx: number, by: number, bw: number, bh: number): View {
  const k = Math.min(bw / (r.x1 - r.x0), bh / (r.y1 - r.y0));
  const w = (r.x1 - r.x0) * k;
  const h = (r.y1 - r.y0) * k;
  const ox = bx + (bw - w) / 2;
  const oy = by + (bh - h) / 2;
  return { x: (ix) => ox + (ix - r.x0) * k, y: (iy) => oy + (iy - r.y0) * k, k, box: { x: ox, y: oy, w, h } };
}
