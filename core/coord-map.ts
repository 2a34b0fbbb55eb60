/**
 * Blob <-> input coordinates, as Caffe's coord_map: per spatial axis,
 * blob = a * image + b, with pixel centres at integer coordinates. The net spec computes
 * one per blob (src/net/builder.ts); the figures draw with the map of the tap they show.
 */

/** blob = a * image + b (a = 1 / stride; b places the blob's pixel centres on the image). */
export interface CoordMap {
  readonly a: number;
  readonly b: number;
}

/** Input coordinate of a blob coordinate. */
export function toImage(m: CoordMap, blob: number): number {
  return (blob - m.b) / m.a;
}

/** Input-space extent [lo, hi] covered by n blob pixels (pixel edges at +-0.5). */
export function blobExtent(m: CoordMap, n: number): [number, number] {
  const p = toImage(m, -0.5);
  const q = toImage(m, n - 0.5);
  return p < q ? [p, q] : [q, p];
}
