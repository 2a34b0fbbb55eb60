/**
 * viz reads plain data, but its inputs are meant to come straight from src/: this
 * checks that today's describeNet() descriptions and spec coordinate maps fit viz's
 * types and draw, and that the stored fixtures (test/viz/fixtures) still match the live specs.
 */
import { describe, expect, it } from "vitest";
import { fcn16sSpec } from "../../src/models/fcn16s.js";
import { fcn8sSpec } from "../../src/models/fcn8s.js";
import { fcn32sSpec } from "../../src/models/fcn32s.js";
import { vgg16FcnSpec, vgg16Spec } from "../../src/models/vgg16.js";
import { describeNet } from "../../src/net/describe.js";
import { architectureDiagram, receptiveFieldFigure, type CoordMap, type NetDescription } from "../../viz/index.js";
import { geometry } from "./figures.js";
import { pngStats, writeOut } from "./helpers.js";

describe("viz on live src geometry", () => {
  for (const [name, spec] of [["fcn8s", fcn8sSpec()], ["fcn16s", fcn16sSpec()], ["fcn32s", fcn32sSpec()]] as const) {
    it(`${name}: its description draws, and the fixture is current`, () => {
      const net: NetDescription = describeNet(spec, 500, 500);
      const svg = architectureDiagram(net).toSVG();
      for (const l of net.layers.filter((l) => !/^conv\d_[2-9]$/.test(l.name))) expect(svg).toContain(l.name);
      const fixture = geometry(name);
      expect(JSON.parse(JSON.stringify(net))).toEqual(fixture.net);
      const cm: CoordMap = spec.coords.get("score_fr")!;
      expect(cm).toEqual(fixture.coords["score_fr"]);
      const fr = net.layers.find((l) => l.name === "score_fr")!;
      receptiveFieldFigure({ gridSize: [fr.shape[0], fr.shape[1]], coordMap: cm, receptiveField: fr.receptiveField, imageSize: [500, 500] });
    });
  }

  it("roles and paths come from the graph: score layers feed an upsampling, fc layers as convs follow the last pool", () => {
    const role = (net: NetDescription) => Object.fromEntries(net.layers.filter((l) => l.kind === "conv" && l.role !== "feature").map((l) => [l.name, l.role]));
    expect(role(describeNet(fcn8sSpec(), 500, 500))).toEqual({ fc6: "fc-as-conv", fc7: "fc-as-conv", score_fr: "score", score_pool4: "score", score_pool3: "score" });
    expect(role(describeNet(vgg16FcnSpec(), 224, 224))).toEqual({ fc6: "fc-as-conv", fc7: "fc-as-conv", fc8: "fc-as-conv" });
    const atOnce = describeNet(fcn8sSpec({ atOnce: true }), 500, 500);
    expect(atOnce.layers.filter((l) => l.path === "skip").map((l) => l.name)).toEqual(["scale_pool4", "score_pool4", "score_pool4c", "scale_pool3", "score_pool3", "score_pool3c"]);
    expect(atOnce.layers.find((l) => l.name === "scale_pool4")!.op).toEqual({ factor: 0.01 });
  });

  it("vgg16 (the classifier, fc layers, 224×224) draws too", () => {
    const fig = architectureDiagram(describeNet(vgg16Spec(), 224, 224), { model: "VGG16" });
    expect(fig.toSVG()).toContain("138,357,544");
    expect(pngStats(writeOut("architectureVgg16", fig)).variance).toBeGreaterThan(50);
  });
});
