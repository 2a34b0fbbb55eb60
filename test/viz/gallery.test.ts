/**
 * Renders every figure at realistic sizes to out/viz/*.png (and .svg) and checks each
 * PNG: the figure's size, not blank (grey-level variance, several distinct colours,
 * ink coverage), and text present.
 */
import { describe, expect, it } from "vitest";
import { figureBuilders } from "./figures.js";
import { pngStats, writeOut } from "./helpers.js";

const builders = figureBuilders("full");

describe("PNG gallery (out/viz)", () => {
  for (const [name, build] of Object.entries(builders)) {
    it(name, () => {
      const fig = build();
      const png = writeOut(name, fig);
      const s = pngStats(png);
      expect([s.width, s.height]).toEqual([fig.kind === "plotly" ? fig.fallback.width : fig.width, fig.kind === "plotly" ? fig.fallback.height : fig.height]);
      expect(s.width).toBeLessThanOrEqual(1400);
      expect(s.height).toBeLessThanOrEqual(1400);
      expect(s.variance).toBeGreaterThan(50);
      expect(s.colors).toBeGreaterThan(8);
      expect(s.inked).toBeGreaterThan(0.02);
      // Every figure has a title: text must be in the SVG...
      expect(fig.toSVG()).toMatch(/<text[^>]*>[^<]{3,}<\/text>/);
    });
  }
});
