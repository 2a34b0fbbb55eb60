/**
 * Colour maps from d3-scale-chromatic, sampled into 256-entry lookup tables so rasters
 * are coloured with typed-array loops. Sequential maps (viridis) for activations, a
 * diverging map (RdBu, reversed: blue < 0 < red, white at 0) for signed scores.
 */
import { interpolateBlues, interpolateRdBu, interpolateViridis, rgb } from "d3";

export type ColorMapName = "viridis" | "RdBu" | "Blues";

const INTERPOLATORS: Record<ColorMapName, (t: number) => string> = {
  viridis: interpolateViridis,
  RdBu: (t) => interpolateRdBu(1 - t),
  Blues: interpolateBlues,
};

/** What a map is called in colour-bar captions. */
export const COLOR_MAP_LABEL: Record<ColorMapName, string> = {
  viridis: "viridis",
  RdBu: "RdBu, diverging: blue < 0 < red",
  Blues: "Blues",
};

const luts = new Map<ColorMapName, Uint8Array>();

/** 256 x RGB lookup table of a colour map. */
export function lut(name: ColorMapName): Uint8Array {
  let t = luts.get(name);
  if (!t) {
    t = new Uint8Array(256 * 3);
    for (let i = 0; i < 256; i++) {
      const c = rgb(INTERPOLATORS[name](i / 255));
      t[3 * i] = Math.round(c.r);
      t[3 * i + 1] = Math.round(c.g);
      t[3 * i + 2] = Math.round(c.b);
    }
    luts.set(name, t);
  }
  return t;
}

/** A colour map over a value domain. Values outside are clamped. */
export interface ColorScale {
  readonly map: ColorMapName;
  readonly domain: readonly [number, number];
  readonly diverging: boolean;
  /** 0..255 index into the map's lookup table. */
  index(v: number): number;
  /** CSS hex colour of a value. */
  css(v: number): string;
}

export function colorScale(map: ColorMapName, lo: number, hi: number): ColorScale {
  if (!(hi > lo)) hi = lo + 1; // a constant map: everything at the bottom of the map
  const k = 255 / (hi - lo);
  const table = lut(map);
  const index = (v: number) => {
    if (!(v === v)) return 0; // NaN
    const i = Math.round((v - lo) * k);
    return i < 0 ? 0 : i > 255 ? 255 : i;
  };
  return {
    map,
    domain: [lo, hi],
    diverging: map === "RdBu",
    index,
    css(v: number) {
      const i = 3 * index(v);
      return "#" + [table[i]!, table[i + 1]!, table[i + 2]!].map((x) => x.toString(16).padStart(2, "0")).join("");
    },
  };
}

/** Min and max of the finite values. */
export function extent(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return [0, 1];
  return [lo, hi];
}

/**
 * The scale for a set of values: diverging and symmetric about 0 when they have both
 * signs (or `signed` says so), else viridis over their range.
 */
export function autoScale(lo: number, hi: number, signed?: boolean, map?: ColorMapName): ColorScale {
  const isSigned = signed ?? (lo < 0 && hi > 0);
  if (map) return isSigned && map === "RdBu" ? symmetric(map, lo, hi) : colorScale(map, lo, hi);
  if (isSigned) return symmetric("RdBu", lo, hi);
  return colorScale("viridis", lo, hi);
}

function symmetric(map: ColorMapName, lo: number, hi: number): ColorScale {
  const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  return colorScale(map, -m, m);
}
