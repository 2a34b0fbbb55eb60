import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PNG } from "pngjs";
import type { AnyFigure } from "../../viz/index.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const OUT = join(ROOT, "out", "viz");

/** Writes the figure's PNG (and SVG) to out/viz/<name>.{png,svg} for looking at. */
export function writeOut(name: string, fig: AnyFigure): Buffer {
  mkdirSync(OUT, { recursive: true });
  const png = fig.toPNG();
  writeFileSync(join(OUT, `${name}.png`), png);
  writeFileSync(join(OUT, `${name}.svg`), fig.toSVG());
  return png;
}

export interface PngStats {
  width: number;
  height: number;
  /** Variance of the grey level. */
  variance: number;
  /** Distinct RGB colours. */
  colors: number;
  /** Share of pixels that are not white. */
  inked: number;
}

export function pngStats(buf: Buffer): PngStats {
  const png = PNG.sync.read(buf);
  const n = png.width * png.height;
  let s = 0;
  let s2 = 0;
  let inked = 0;
  const colors = new Set<number>();
  for (let i = 0; i < n; i++) {
    const r = png.data[4 * i]!;
    const g = png.data[4 * i + 1]!;
    const b = png.data[4 * i + 2]!;
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    s += y;
    s2 += y * y;
    if (r < 250 || g < 250 || b < 250) inked++;
    if (colors.size < 100000) colors.add((r << 16) | (g << 8) | b);
  }
  const mean = s / n;
  return { width: png.width, height: png.height, variance: s2 / n - mean * mean, colors: colors.size, inked: inked / n };
}
