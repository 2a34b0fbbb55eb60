import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { DIGIT_CLASS_NAMES } from "../../core/class-names/digits.js";
import { PASCAL_CONTEXT_CLASS_NAMES } from "../../core/class-names/pascal-context.js";
import {
  CATEGORICAL_PALETTE,
  classColors,
  compareModels,
  cssToRgb,
  IGNORE_LABEL,
  interactiveScores,
  labelCss,
  labelName,
  metricsFigure,
  paletteFor,
  scoreMaps,
  segmentationOverlay,
  VOC_CLASS_NAMES,
  VOC_PALETTE,
  vocColor,
} from "../../viz/index.js";
import { syntheticScores } from "../../viz/synthetic.js";
import { closestPair, deltaE2000, labOf, MACHADO_2009, simulate, VISIONS, type RGB } from "../support/color-vision.js";

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
    expect(VOC_CLASS_NAMES).toHaveLength(21);
    expect(VOC_CLASS_NAMES[0]).toBe("background");
    expect(VOC_CLASS_NAMES[1]).toBe("aeroplane");
    expect(VOC_CLASS_NAMES[15]).toBe("person");
    expect(VOC_CLASS_NAMES[20]).toBe("tvmonitor");
    expect(labelName(255)).toBe("ignore (255)");
    expect(labelCss(15)).toBe("#c08080");
  });
  it("rejects labels outside 0..255", () => {
    expect(() => vocColor(256)).toThrow(/0..255/);
    expect(() => vocColor(-1)).toThrow();
  });
});

describe("colour-difference check (test/support/color-vision.ts)", () => {
  it("CIEDE2000 gives Sharma, Wu & Dalal's (2005) published test values", () => {
    const pairs: Array<[[number, number, number], [number, number, number], number]> = [
      [[50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425],
      [[50, 3.1571, -77.2803], [50, 0, -82.7485], 2.8615],
      [[50, 2.8361, -74.02], [50, 0, -82.7485], 3.4412],
      [[50, -1.3802, -84.2814], [50, 0, -82.7485], 1.0],
      [[50, 0, 0], [50, -1, 2], 2.3669],
      [[50, 2.49, -0.001], [50, -2.49, 0.0009], 7.1792],
      [[50, 2.49, -0.001], [50, -2.49, 0.0011], 7.2195],
      [[50, 2.5, 0], [73, 25, -18], 27.1492],
      [[60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387], 1.2644],
      [[2.0776, 0.0795, -1.135], [0.9033, -0.0636, -0.5514], 0.9082],
    ];
    for (const [a, b, want] of pairs) {
      expect(deltaE2000(a, b)).toBeCloseTo(want, 4);
      expect(deltaE2000(b, a)).toBeCloseTo(want, 4);
    }
  });
  it("sRGB -> CIELAB: white is L* 100, black 0, sRGB red (53.24, 80.09, 67.20)", () => {
    const w = labOf([255, 255, 255]);
    expect(w[0]).toBeCloseTo(100, 2);
    expect(Math.hypot(w[1], w[2])).toBeLessThan(0.01);
    expect(labOf([0, 0, 0])[0]).toBeCloseTo(0, 6);
    const red = labOf([255, 0, 0]);
    expect(red[0]).toBeCloseTo(53.24, 1);
    expect(red[1]).toBeCloseTo(80.09, 1);
    expect(red[2]).toBeCloseTo(67.2, 1);
  });
  it("the Machado matrices keep greys grey, and merge the pairs each deficiency is known to merge", () => {
    for (const m of Object.values(MACHADO_2009)) for (const row of m) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    for (const v of VISIONS) expect(deltaE2000(labOf([128, 128, 128], v), labOf([128, 128, 128]))).toBeLessThan(0.01);
    // Red and green of equal-ish lightness: far apart in normal vision, close for red-green dichromats.
    const red: RGB = [200, 60, 40];
    const green: RGB = [110, 110, 40];
    const d = (v: (typeof VISIONS)[number]) => deltaE2000(labOf(red, v), labOf(green, v));
    expect(d("normal")).toBeGreaterThan(30);
    expect(d("protanopia")).toBeLessThan(d("normal") / 3);
    expect(d("deuteranopia")).toBeLessThan(d("normal") / 3);
    // Tritanopes lose blue-yellow, not red-green.
    expect(d("tritanopia")).toBeGreaterThan(d("normal") / 2);
    expect(simulate([255, 255, 255], "tritanopia").every((c) => Math.abs(c - 1) < 1e-5)).toBe(true);
  });
});

describe("categorical palette for the digit models", () => {
  const all = [...CATEGORICAL_PALETTE];
  it("is 11 colours: background black, then one per digit, light enough for thin strokes on black", () => {
    expect(all).toHaveLength(11);
    expect(all[0]).toEqual([0, 0, 0]);
    for (const c of all.slice(1)) expect(labOf(c)[0]).toBeGreaterThanOrEqual(50);
  });
  it("keeps every two classes >= 14 CIEDE2000 apart in normal vision and under protanopia, deuteranopia, tritanopia", () => {
    for (const v of VISIONS) {
      const p = closestPair(all, v);
      expect(p.d, `${v}: classes ${p.i} and ${p.j}`).toBeGreaterThanOrEqual(14);
    }
  });
  it("keeps every class >= 10 from the ignore stripes' colour", () => {
    const ignore = vocColor(IGNORE_LABEL);
    for (const v of VISIONS) for (const c of all.slice(1)) expect(deltaE2000(labOf(c, v), labOf(ignore, v))).toBeGreaterThanOrEqual(10);
  });
  it("the same check fails for VOC's colours of labels 0..10 (what the digit figures used)", () => {
    const voc = Array.from({ length: 11 }, (_, l) => vocColor(l));
    expect(closestPair(voc, "normal").d).toBeLessThan(6);
    expect(closestPair(voc, "protanopia").d).toBeLessThan(2);
  });
});

describe("class colours follow the class names", () => {
  const hex = (c: RGB) => "#" + c.map((v) => v.toString(16).padStart(2, "0")).join("");
  it("digit names get the categorical palette, every other list VOC's colours by label", () => {
    expect(paletteFor(DIGIT_CLASS_NAMES)).toBe("categorical");
    expect(classColors(DIGIT_CLASS_NAMES)).toEqual(CATEGORICAL_PALETTE.map(hex));
    expect(paletteFor(VOC_CLASS_NAMES)).toBe("voc");
    expect(classColors(VOC_CLASS_NAMES)).toEqual(VOC_CLASS_NAMES.map((_, l) => labelCss(l)));
    expect(classColors(PASCAL_CONTEXT_CLASS_NAMES)).toHaveLength(60);
    expect(classColors(PASCAL_CONTEXT_CLASS_NAMES)[59]).toBe(hex(vocColor(59)));
    // Eleven classes with other names are not the digits.
    expect(paletteFor(Array.from({ length: 11 }, (_, i) => `class ${i}`))).toBe("voc");
  });
  it("the palette can be chosen, and a list too long for the categorical one is refused", () => {
    expect(classColors(DIGIT_CLASS_NAMES, "voc")[1]).toBe("#800000");
    expect(classColors(["background", "a", "b"], "categorical")).toEqual(CATEGORICAL_PALETTE.slice(0, 3).map(hex));
    expect(() => classColors(VOC_CLASS_NAMES, "categorical")).toThrow(/11 colours, 21 classes need palette "voc"/);
    expect(cssToRgb("#2277ff")).toEqual([0x22, 0x77, 0xff]);
    expect(() => cssToRgb("not a colour")).toThrow(/not a CSS colour/);
  });

  /** Colours of the first embedded PNG of an SVG (the label raster), as "#rrggbb". */
  function rasterColors(svg: string, nth = 0): Set<string> {
    const b64 = [...svg.matchAll(/href="data:image\/png;base64,([^"]+)"/g)][nth]![1]!;
    const png = PNG.sync.read(Buffer.from(b64, "base64"));
    const out = new Set<string>();
    for (let i = 0; i < png.width * png.height; i++) out.add(hex([png.data[4 * i]!, png.data[4 * i + 1]!, png.data[4 * i + 2]!]));
    return out;
  }
  // Scores whose argmax is label (x + y) % 11: every class present.
  const scores = (() => {
    const h = 6;
    const w = 6;
    const data = new Float32Array(h * w * 11);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[(y * w + x) * 11 + ((x + y) % 11)] = 5;
    return { data, shape: [h, w, 11] };
  })();
  const digitCss = classColors(DIGIT_CLASS_NAMES);

  it("figures given the digit names draw the digit palette (rasters, legends, plotly colour scale)", () => {
    const sm = scoreMaps(scores, { classNames: DIGIT_CLASS_NAMES, panelSize: 60 }).toSVG();
    expect([...rasterColors(sm)].sort()).toEqual([...digitCss].sort());
    for (const c of digitCss.slice(1)) expect(sm).toContain(`fill="${c}"`);
    const labels = { data: Uint8Array.from({ length: 36 }, (_, i) => i % 11), shape: [6, 6] };
    const img = { data: new Uint8Array(36 * 3), shape: [6, 6, 3] };
    const cmp = compareModels([{ image: img, predictions: { "FCN-8s": labels }, truth: labels }], { classNames: DIGIT_CLASS_NAMES, panelWidth: 60 }).toSVG();
    expect([...rasterColors(cmp, 0)].sort()).toEqual([...digitCss].sort());
    const ov = segmentationOverlay(img, labels, { classNames: DIGIT_CLASS_NAMES, opacity: 1, outline: false, hideBackground: false });
    expect(ov.description).toContain("categorical palette");
    expect([...rasterColors(ov.toSVG())].sort()).toEqual([...digitCss].sort());
    const conf = { n: 11, counts: Float64Array.from({ length: 121 }, (_, i) => (i % 12 === 0 ? 10 : 1)) };
    const mf = metricsFigure(conf, { classNames: DIGIT_CLASS_NAMES }).toSVG();
    for (const c of digitCss) expect(mf).toContain(`fill="${c}"`);
    const spec = interactiveScores(scores, { classNames: DIGIT_CLASS_NAMES }).spec;
    const scale = (spec.data[0] as { colorscale: Array<[number, string]> }).colorscale;
    expect([...new Set(scale.map((s) => s[1]))]).toEqual(digitCss);
  });
  it("VOC names keep VOC's colours, and explicit classColors win over the names", () => {
    const sm = scoreMaps(scores, { classNames: VOC_CLASS_NAMES.slice(0, 11), panelSize: 60 }).toSVG();
    expect([...rasterColors(sm)].sort()).toEqual(Array.from({ length: 11 }, (_, l) => labelCss(l)).sort());
    const mine = Array.from({ length: 11 }, (_, l) => hex([l * 20, 255 - l * 20, 7]));
    const given = scoreMaps(scores, { classNames: DIGIT_CLASS_NAMES, classColors: mine, panelSize: 60 }).toSVG();
    expect([...rasterColors(given)].sort()).toEqual([...mine].sort());
    expect(() => scoreMaps(syntheticScores(4, 4), { classColors: ["#12345"] })).toThrow(/not a CSS colour/);
  });
});
