/**
 * viz reads plain data, but its inputs are meant to come straight from src/: this
 * checks that today's summarize() rows and spec coordinate maps fit viz's types and
 * draw, and that the stored fixtures (test/viz/fixtures) still match the live specs.
 */
import { describe, expect, it } from "vitest";
import { fcn8sSpec } from "../../src/models/fcn8s.js";
import { fcn32sSpec } from "../../src/models/fcn32s.js";
import { vgg16Spec } from "../../src/models/vgg16.js";
import { summarize } from "../../src/net/geometry.js";
import { architectureDiagram, receptiveFieldFigure, type ArchRow, type CoordMap } from "../../viz/index.js";
import { geometry } from "./figures.js";
import { pngStats, writeOut } from "./helpers.js";

describe("viz on live src geometry", () => {
  for (const [name, spec] of [["fcn8s", fcn8sSpec()], ["fcn32s", fcn32sSpec()]] as const) {
    it(`${name}: summary rows + spec inputs draw, and the fixture is current`, () => {
      const s = summarize(spec, 500, 500);
      const rows: ArchRow[] = s.rows.map((r, i) => ({ ...r, inputs: spec.nodes[i]!.inputs }));
      const svg = architectureDiagram(rows, { model: name, input: [500, 500] }).toSVG();
      for (const r of s.rows.filter((r) => !/^conv\d_[2-9]$/.test(r.name))) expect(svg).toContain(r.name);
      const fixture = geometry(name);
      expect(rows.map((r) => [r.name, [...r.shape], r.stride, r.receptiveField, r.params, [...(r.inputs ?? [])]])).toEqual(
        fixture.rows.map((r) => [r.name, r.shape, r.stride, r.receptiveField, r.params, r.inputs]),
      );
      const cm: CoordMap = spec.coords.get("score_fr")!;
      expect(cm).toEqual(fixture.coords["score_fr"]);
      const fr = s.rows.find((r) => r.name === "score_fr")!;
      receptiveFieldFigure({ gridSize: [fr.shape[0], fr.shape[1]], coordMap: cm, receptiveField: fr.receptiveField, imageSize: [500, 500] });
    });
  }

  it("vgg16 (the classifier, fc layers, 224×224) draws too", () => {
    const spec = vgg16Spec();
    const s = summarize(spec, 224, 224);
    const fig = architectureDiagram(s.rows.map((r, i) => ({ ...r, inputs: spec.nodes[i]!.inputs })), { model: "VGG16", input: [224, 224] });
    expect(fig.toSVG()).toContain("138,357,544");
    expect(pngStats(writeOut("architectureVgg16", fig)).variance).toBeGreaterThan(50);
  });
});
