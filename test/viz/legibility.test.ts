/**
 * Figures read at the notebook's width: none is wider than MAX_WIDTH (JupyterLab would
 * shrink it, text and all), and no text is smaller than 10 px (SVG text and plotly fonts).
 * Every figure of the gallery, at both sizes.
 */
import { describe, expect, it } from "vitest";
import { featureGrid, receptiveFieldFigure, scoreMaps, type AnyFigure } from "../../viz/index.js";
import { syntheticScores } from "../../viz/synthetic.js";
import { FONT, MAX_WIDTH } from "../../viz/style.js";
import { figureBuilders } from "./figures.js";

/** font-size of every <text> (the root sets FONT.label for text without its own). */
function fontSizes(svg: string): number[] {
  const root = Number(svg.match(/^<svg[^>]*font-size="([\d.]+)"/)?.[1] ?? NaN);
  return [...svg.matchAll(/<text\b([^>]*)>/g)].map((m) => Number(m[1]!.match(/font-size="([\d.]+)"/)?.[1] ?? root));
}

/** Every font size in a plotly spec (layout.font, title fonts, ...). */
function plotlyFontSizes(x: unknown, out: number[] = []): number[] {
  if (Array.isArray(x)) for (const v of x) plotlyFontSizes(v, out);
  else if (x && typeof x === "object") {
    for (const [k, v] of Object.entries(x)) {
      if (k === "font" && v && typeof v === "object" && typeof (v as { size?: unknown }).size === "number") out.push((v as { size: number }).size);
      plotlyFontSizes(v, out);
    }
  }
  return out;
}

describe("legible at the notebook's width", () => {
  for (const size of ["small", "full"] as const) {
    for (const [name, build] of Object.entries(figureBuilders(size))) {
      it(`${name} (${size})`, () => {
        const fig: AnyFigure = build();
        const svgFig = fig.kind === "plotly" ? fig.fallback : fig;
        expect(svgFig.width, "width of the SVG").toBeLessThanOrEqual(MAX_WIDTH);
        expect(fig.width, "width").toBeLessThanOrEqual(MAX_WIDTH);
        const sizes = fontSizes(svgFig.svg);
        expect(sizes.length).toBeGreaterThan(0);
        expect(Math.min(...sizes), "smallest SVG text").toBeGreaterThanOrEqual(10);
        if (fig.kind === "plotly") expect(Math.min(...plotlyFontSizes(fig.spec)), "smallest plotly font").toBeGreaterThanOrEqual(10);
      });
    }
  }
  it("the smallest font is 10 px", () => expect(Math.min(...Object.values(FONT))).toBe(10));
});

describe("single-map feature grids", () => {
  it("say nothing about channels when the tap has one", () => {
    const fig = featureGrid({ data: Float32Array.from({ length: 16 }, (_, i) => i), shape: [4, 4, 1] }, { name: "relative L2 per cell" });
    expect(fig.description).toBe("relative L2 per cell · 4×4×1: colour scale 0 to 15");
    expect(fig.svg).not.toMatch(/>#0</);
    expect(fig.svg).not.toMatch(/channel/);
  });
  it("keep the channel number when one channel of several is chosen", () => {
    const fig = featureGrid({ data: new Float32Array(4 * 4 * 3), shape: [4, 4, 3] }, { channels: [2] });
    expect(fig.description).toContain("1 chosen channel of 3");
    expect(fig.svg).toMatch(/>#2</);
  });
});

describe("one convention for positions: (row, col), sizes H×W", () => {
  // FCN-32s's score_fr: a = 1/32, b = -12.5/32, so cell (i, j) is centred on input pixel
  // row 32i + 12.5, col 32j + 12.5 (notebook 02's derivation).
  const coordMap = { a: 1 / 32, b: -12.5 / 32 };
  it("the receptive-field figure names the cell and its input pixel rows first", () => {
    const fig = receptiveFieldFigure({ gridSize: [3, 5], coordMap, receptiveField: 404, cell: [1, 2], imageSize: [96, 160] });
    expect(fig.description).toContain("Receptive field of score_fr cell (row 1, col 2)");
    expect(fig.description).toContain("centred on input pixel (row 44.5, col 76.5)");
    expect(fig.svg).toContain("the 96×160 input");
    expect(fig.svg).not.toMatch(/\(x, y\)|\(i, j\)/);
  });
  it("the score-map subtitle writes the same formula rows first", () => {
    const fig = scoreMaps(syntheticScores(3, 5), { coordMap, imageSize: [96, 160] });
    expect(fig.description).toContain("cell (row i, col j) is centred on input pixel (row 32·i + 12.5, col 32·j + 12.5)");
    expect(fig.svg).toContain("input 96×160 · cell centres");
  });
});
