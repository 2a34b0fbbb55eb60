import { describe, expect, it } from "vitest";
import { confusionMatrix, emptyConfusion, scoreSegmentation, segmentationMetrics } from "../../viz/index.js";

const lab = (data: number[], w = data.length) => ({ data: Uint8Array.from(data), shape: [data.length / w, w] });

describe("segmentation metrics (score.py)", () => {
  it("a hand-computed 3-class case", () => {
    // truth 0 0 1 1 2 2 255 / pred 0 1 1 1 2 0 2: the ignore pixel is not scored.
    const conf = confusionMatrix(lab([0, 0, 1, 1, 2, 2, 255]), lab([0, 1, 1, 1, 2, 0, 2]), 3);
    expect([...conf.counts]).toEqual([1, 1, 0, 0, 2, 0, 1, 0, 1]);
    const m = segmentationMetrics(conf);
    expect(m.total).toBe(6);
    expect(m.pixelAccuracy).toBeCloseTo(4 / 6, 12);
    expect(m.meanAccuracy).toBeCloseTo((1 / 2 + 1 + 1 / 2) / 3, 12);
    // IU: 1/(2+2-1), 2/(2+3-2), 1/(2+1-1)
    expect(m.classIU[0]).toBeCloseTo(1 / 3, 12);
    expect(m.classIU[1]).toBeCloseTo(2 / 3, 12);
    expect(m.classIU[2]).toBeCloseTo(1 / 2, 12);
    expect(m.meanIU).toBeCloseTo(0.5, 12);
    expect(m.frequencyWeightedIU).toBeCloseTo((2 / 6) * (1 / 3) + (2 / 6) * (2 / 3) + (2 / 6) * (1 / 2), 12);
  });
  it("leaves classes absent from truth and prediction out of the means (nanmean)", () => {
    const m = scoreSegmentation(lab([0, 0, 1, 1]), lab([0, 0, 1, 1]), 4);
    expect(m.classIU[2]).toBeNaN();
    expect(m.classAccuracy[3]).toBeNaN();
    expect(m.meanIU).toBe(1);
    expect(m.meanAccuracy).toBe(1);
    expect(m.frequencyWeightedIU).toBe(1);
  });
  it("counts a predicted-but-absent class as IU 0, but not in mean accuracy", () => {
    // truth all 0; prediction has one pixel of class 1.
    const m = scoreSegmentation(lab([0, 0, 0, 0]), lab([0, 0, 0, 1]), 2);
    expect(m.classAccuracy[1]).toBeNaN();
    expect(m.classIU[1]).toBe(0);
    expect(m.classIU[0]).toBeCloseTo(3 / 4, 12);
    expect(m.meanIU).toBeCloseTo((3 / 4 + 0) / 2, 12);
    expect(m.meanAccuracy).toBeCloseTo(3 / 4, 12);
    expect(m.pixelAccuracy).toBeCloseTo(3 / 4, 12);
    expect(m.frequencyWeightedIU).toBeCloseTo(3 / 4, 12); // f_1 = 0
  });
  it("accumulates over images like one concatenated image", () => {
    const t1 = [0, 1, 1, 2];
    const p1 = [0, 1, 2, 2];
    const t2 = [2, 2, 0, 255];
    const p2 = [2, 0, 0, 1];
    const acc = emptyConfusion(3);
    confusionMatrix(lab(t1), lab(p1), 3, { into: acc });
    confusionMatrix(lab(t2), lab(p2), 3, { into: acc });
    const whole = confusionMatrix(lab([...t1, ...t2]), lab([...p1, ...p2]), 3);
    expect([...acc.counts]).toEqual([...whole.counts]);
  });
  it("checks its inputs", () => {
    expect(() => confusionMatrix(lab([0, 1]), lab([0, 1, 1]), 2)).toThrow(/2×1|truth is/);
    expect(() => confusionMatrix(lab([0, 1]), lab([0, 7]), 2)).toThrow(/not a class/);
  });
});
