import { describe, expect, it } from "vitest";
import { IGNORE_LABEL, labelCss, labelName, VOC_CLASSES, VOC_PALETTE, vocColor } from "../../viz/index.js";

/** The reference definition, transcribed independently (bitget, as in the VOC devkit's labelcolormap). */
function reference(n: number): [number, number, number] {
  const bitget = (v: number, i: number) => (v >> i) & 1;
  let r = 0;
  let g = 0;
  let b = 0;
  let c = n;
  for (let j = 0; j < 8; j++) {
    r = r | (bitget(c, 0) << (7 - j));
    g = g | (bitget(c, 1) << (7 - j));
    b = b | (bitget(c, 2) << (7 - j));
    c = c >> 3;
  }
  return [r, g, b];
}

describe("VOC palette", () => {
  it("matches the reference values", () => {
    expect(vocColor(0)).toEqual([0, 0, 0]);
    expect(vocColor(1)).toEqual([128, 0, 0]);
    expect(vocColor(2)).toEqual([0, 128, 0]);
    expect(vocColor(3)).toEqual([128, 128, 0]);
    expect(vocColor(12)).toEqual([64, 0, 128]);
    expect(vocColor(15)).toEqual([192, 128, 128]);
    expect(vocColor(20)).toEqual([0, 64, 128]);
    expect(vocColor(IGNORE_LABEL)).toEqual([224, 224, 192]);
  });
  it("agrees with the bit-interleaving definition for all 256 labels", () => {
    for (let i = 0; i < 256; i++) {
      expect(vocColor(i)).toEqual(reference(i));
      expect([...VOC_PALETTE.subarray(3 * i, 3 * i + 3)]).toEqual(reference(i));
    }
    // The first 21 colours are distinct.
    expect(new Set(Array.from({ length: 21 }, (_, i) => labelCss(i))).size).toBe(21);
  });
  it("has the 21 VOC classes in order", () => {
    expect(VOC_CLASSES).toHaveLength(21);
    expect(VOC_CLASSES[0]).toBe("background");
    expect(VOC_CLASSES[1]).toBe("aeroplane");
    expect(VOC_CLASSES[15]).toBe("person");
    expect(VOC_CLASSES[20]).toBe("tvmonitor");
    expect(labelName(255)).toBe("ignore (255)");
    expect(labelCss(15)).toBe("#c08080");
  });
  it("rejects labels outside 0..255", () => {
    expect(() => vocColor(256)).toThrow(/0..255/);
    expect(() => vocColor(-1)).toThrow();
  });
});
