import { describe, expect, it } from "vitest";
import { modelSpec } from "../src/models/index.js";
import { blobShapes, minInputSize, receptiveFields, summarize, InputSizeError } from "../src/net/geometry.js";
import { countParams, paramSpecs } from "../src/net/params.js";
import type { NetSpec } from "../src/net/spec.js";

function cropOffsets(spec: NetSpec): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of spec.nodes) if (n.op.type === "crop") out[n.name] = n.op.offset;
  return out;
}

describe("crop offsets derived from coordinate maps", () => {
  // REFERENCE.md: FCN-32s crop 19; FCN-16s 5 and 27; FCN-8s 5, 9 and 31.
  it("FCN-32s: 19", () => {
    expect(cropOffsets(modelSpec("fcn32s"))).toEqual({ score: 19 });
  });
  it("FCN-16s: 5 and 27", () => {
    expect(cropOffsets(modelSpec("fcn16s"))).toEqual({ score_pool4c: 5, score: 27 });
  });
  it("FCN-8s: 5, 9 and 31", () => {
    expect(cropOffsets(modelSpec("fcn8s"))).toEqual({ score_pool4c: 5, score_pool3c: 9, score: 31 });
  });
  it("do not depend on width or class count", () => {
    expect(cropOffsets(modelSpec("fcn8s", { width: 1 / 16, classes: 3 }))).toEqual({ score_pool4c: 5, score_pool3c: 9, score: 31 });
  });
  it("the at-once variant has the same offsets", () => {
    expect(cropOffsets(modelSpec("fcn8s", { atOnce: true }))).toEqual({ score_pool4c: 5, score_pool3c: 9, score: 31 });
  });
});

/**
 * Sizes by the Caffe formulas, written out independently of the library: conv1_1 with
 * pad 100 adds 198, each pool rounds up, fc6 (7x7 valid) takes 6, a k4 s2 deconv gives
 * 2n + 2, the k16 s8 one 8n + 8.
 */
function referenceChain(h: number) {
  const conv1 = h + 198;
  const pool1 = Math.ceil(conv1 / 2);
  const pool2 = Math.ceil(pool1 / 2);
  const pool3 = Math.ceil(pool2 / 2);
  const pool4 = Math.ceil(pool3 / 2);
  const pool5 = Math.ceil(pool4 / 2);
  const fc6 = pool5 - 6;
  const upscore2 = 2 * fc6 + 2;
  const upscore_pool4 = 2 * upscore2 + 2;
  const upscore8 = 8 * upscore_pool4 + 8;
  return { conv1_1: conv1, conv1_2: conv1, pool1, pool2, pool3, pool4, pool5, fc6, fc7: fc6, score_fr: fc6, upscore2, score_pool4: pool4, score_pool4c: upscore2, fuse_pool4: upscore2, upscore_pool4, score_pool3: pool3, score_pool3c: upscore_pool4, fuse_pool3: upscore_pool4, upscore8, score: h };
}

describe("FCN-8s blob sizes", () => {
  it("500x500 matches the worked chain in REFERENCE.md", () => {
    const s = blobShapes(modelSpec("fcn8s"), 500, 500);
    const side = (n: string) => s.get(n)![0];
    expect([side("conv1_1"), side("pool1"), side("pool2"), side("pool3"), side("pool4"), side("pool5")]).toEqual([698, 349, 175, 88, 44, 22]);
    expect([side("fc6"), side("upscore2"), side("upscore_pool4"), side("upscore8"), side("score")]).toEqual([16, 34, 70, 568, 500]);
    expect(s.get("score")).toEqual([500, 500, 21]);
  });

  for (const [h, w] of [[224, 224], [375, 500], [500, 500], [97, 131], [1, 1], [33, 2048]] as const) {
    it(`${h}x${w}: every tap matches the Caffe formulas and the output is the input size`, () => {
      const s = blobShapes(modelSpec("fcn8s"), h, w);
      const rh = referenceChain(h) as Record<string, number>;
      const rw = referenceChain(w) as Record<string, number>;
      for (const name of Object.keys(rh)) {
        expect([name, s.get(name)![0], s.get(name)![1]]).toEqual([name, rh[name], rw[name]]);
      }
      expect(s.get("score")!.slice(0, 2)).toEqual([h, w]);
    });
  }

  it("FCN-32s and FCN-16s also return the input size, over a range of sizes", () => {
    for (const name of ["fcn32s", "fcn16s", "fcn8s"]) {
      const spec = modelSpec(name);
      for (let n = 1; n <= 600; n += 7) {
        expect(blobShapes(spec, n, n + 3).get("score")!.slice(0, 2)).toEqual([n, n + 3]);
      }
    }
  });
});

describe("input size errors", () => {
  it("the classifier wants exactly 224x224 and says so", () => {
    expect(() => blobShapes(modelSpec("vgg16"), 225, 224)).toThrow(/exactly 224x224.*vgg16-fcn/);
  });
  it("the convolutionalized classifier names the smallest input", () => {
    const spec = modelSpec("vgg16-fcn");
    // fc6 reads a 7x7 block of pool5; with ceil-mode pools that needs ceil(n/32) >= 7, n >= 193.
    expect(minInputSize(spec)).toBe(193);
    expect(() => blobShapes(spec, 150, 300)).toThrow(InputSizeError);
    expect(() => blobShapes(spec, 150, 300)).toThrow(/too small.*fc6.*193x193/);
  });
  it("pad 100 lets the FCNs take any size from 1x1", () => {
    expect(minInputSize(modelSpec("fcn8s"))).toBe(1);
  });
});

describe("receptive field and stride", () => {
  it("score_fr sees 404 pixels at stride 32 (the paper's Table 1)", () => {
    const rf = receptiveFields(modelSpec("fcn8s"));
    expect(rf.get("score_fr")).toEqual({ stride: 32, rf: 404 });
    expect(rf.get("pool5")).toEqual({ stride: 32, rf: 212 });
    expect(rf.get("pool4")!.stride).toBe(16);
    expect(rf.get("pool3")!.stride).toBe(8);
    expect(rf.get("score")!.stride).toBe(1);
  });
});

describe("parameter counts", () => {
  it("VGG16 classifier: 138,357,544 (REFERENCE.md)", () => {
    expect(countParams(paramSpecs(modelSpec("vgg16")))).toBe(138_357_544);
    expect(summarize(modelSpec("vgg16"), 224, 224).totalParams).toBe(138_357_544);
  });
  it("the convolutionalized classifier has exactly the classifier's parameters", () => {
    expect(countParams(paramSpecs(modelSpec("vgg16-fcn")))).toBe(138_357_544);
  });
  it("FCN-8s (21 classes) is VGG16 without fc8, plus score layers and upsampling: about 134M", () => {
    const vggNoFc8 = 138_357_544 - (4096 * 1000 + 1000);
    const scores = (4096 + 1) * 21 + (512 + 1) * 21 + (256 + 1) * 21;
    const deconvs = 4 * 4 * 21 * 21 * 2 + 16 * 16 * 21 * 21;
    const n = countParams(paramSpecs(modelSpec("fcn8s")));
    expect(n).toBe(vggNoFc8 + scores + deconvs);
    expect(Math.round(n / 1e6)).toBe(134);
  });
  it("fc6 alone holds 103M", () => {
    const fc6 = paramSpecs(modelSpec("vgg16")).filter((p) => p.layer === "fc6");
    expect(countParams(fc6)).toBe(7 * 7 * 512 * 4096 + 4096);
  });
  it("FCN-8s at 500x500 costs 363 GFLOP (the issue's figure)", () => {
    const s = summarize(modelSpec("fcn8s"), 500, 500);
    expect(Math.round((2 * s.totalMacs) / 1e9)).toBe(363);
  });
});
