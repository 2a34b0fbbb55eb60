import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import {
  architectureDiagram,
  argmax,
  asHWC,
  asLabels,
  asRGB,
  bilinearSurface,
  colorScale,
  displayBundle,
  featureGrid,
  fontSetup,
  interactiveScores,
  plotlyHTML,
  resetPlotlySession,
  show,
  topChannels,
  VOC_CLASS_NAMES,
} from "../../viz/index.js";
import { createSvg, text } from "../../viz/svg.js";
import { encodePng, FIGURE_PNG } from "../../core/png.js";
import { reduceArea } from "../../viz/raster.js";
import { textWidth } from "../../viz/text.js";
import { syntheticScores } from "../../viz/synthetic.js";
import { bilinearKernelInfo } from "../../core/bilinear.js";
import { geometry } from "./figures.js";
import { pngStats } from "./helpers.js";
import { PNG } from "pngjs";

describe("bilinear kernel (surgery.py's upsample_filt)", () => {
  it("has the reference profile", () => {
    expect([...bilinearKernelInfo(4).profile]).toEqual([0.25, 0.75, 0.75, 0.25]);
    expect([...bilinearKernelInfo(3).profile]).toEqual([0.5, 1, 0.5]);
    const k16 = bilinearKernelInfo(16);
    expect([k16.factor, k16.centre]).toEqual([8, 7.5]);
    const k64 = bilinearKernelInfo(64);
    expect([k64.factor, k64.centre]).toEqual([32, 31.5]);
    expect(bilinearKernelInfo(4).weights[5]).toBeCloseTo(0.5625, 7);
  });
  it("partitions unity at its stride (k = 2s): every output pixel gets weights summing to 1", () => {
    for (const [k, s] of [[4, 2], [16, 8], [32, 16], [64, 32]] as const) {
      const p = bilinearKernelInfo(k).profile;
      for (let phase = 0; phase < s; phase++) {
        let sum = 0;
        for (let i = phase; i < k; i += s) sum += p[i]!;
        expect(sum).toBeCloseTo(1, 6);
      }
    }
  });
});

describe("array inputs", () => {
  it("reads [1,H,W,C], [H,W,C] and [H,W] and checks lengths", () => {
    const d = new Float32Array(2 * 3 * 4);
    expect(asHWC({ data: d, shape: [1, 2, 3, 4] })).toMatchObject({ h: 2, w: 3, c: 4 });
    expect(asHWC({ data: d, shape: [2, 3, 4] })).toMatchObject({ h: 2, w: 3, c: 4 });
    expect(asHWC({ data: d, shape: [4, 6] })).toMatchObject({ h: 4, w: 6, c: 1 });
    expect(() => asHWC({ data: d, shape: [2, 2, 3, 2] })).toThrow(/batch of one/);
    expect(() => asHWC({ data: d, shape: [1, 2, 3, 5] })).toThrow(/needs 30 values, got 24/);
  });
  it("argmax picks the best class per pixel", () => {
    const s = { data: Float32Array.from([0, 2, 1, /**/ 5, -1, 0]), shape: [1, 1, 2, 3] };
    expect(argmax(s)).toEqual({ data: Uint8Array.from([1, 0]), shape: [1, 2] });
  });
  it("reads label maps and RGB(A) images", () => {
    expect(asLabels({ data: [1, 2, 3, 4], shape: [1, 2, 2] })).toMatchObject({ h: 2, w: 2 });
    expect(() => asLabels({ data: new Float32Array(12), shape: [2, 2, 3] })).toThrow(/argmax/);
    const rgba = { width: 2, height: 1, data: Uint8Array.from([1, 2, 3, 255, 4, 5, 6, 255]) };
    expect([...asRGB(rgba).rgb]).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it("topChannels ranks by mean activation", () => {
    const t = { data: Float32Array.from([0, 5, 1, /**/ 0, 5, 3]), shape: [1, 1, 2, 3] };
    expect(topChannels(t, 2)).toEqual([1, 2]);
    expect(() => featureGrid(t, { channels: [3] })).toThrow(/out of range/);
  });
});

describe("rasters and colours", () => {
  it("area reduction preserves the mean", () => {
    const src = Float32Array.from({ length: 175 * 175 }, (_, i) => (i * 37) % 101);
    const red = reduceArea(src, 175, 175, 96, 96);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(red)).toBeCloseTo(mean(src), 0);
  });
  it("encodes an RGB PNG that decodes to the same pixels", () => {
    const px = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
    const png = PNG.sync.read(Buffer.from(encodePng(2, 2, px, FIGURE_PNG)));
    expect([png.width, png.height]).toEqual([2, 2]);
    expect([...png.data]).toEqual([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 10, 20, 30, 255]);
  });
  it("diverging scales are white at 0, viridis runs dark to yellow", () => {
    const d = colorScale("RdBu", -2, 2);
    const rgb = (css: string) => [1, 3, 5].map((i) => parseInt(css.slice(i, i + 2), 16));
    expect(Math.min(...rgb(d.css(0)))).toBeGreaterThan(230); // near white
    const [r2, , b2] = rgb(d.css(2));
    const [rm, , bm] = rgb(d.css(-2));
    expect(r2).toBeGreaterThan(b2! + 50); // positive: red
    expect(bm).toBeGreaterThan(rm! + 50); // negative: blue
    expect(colorScale("viridis", 0, 1).css(0)).toBe("#440154");
    expect(colorScale("viridis", 0, 1).css(1)).toBe("#fde725");
  });
});

describe("fonts", () => {
  it("finds a font for the PNG renderer, and text renders", () => {
    const f = fontSetup();
    expect(f.files.length + f.dirs.length > 0 || f.systemScan).toBe(true);
    const root = createSvg(200, 40);
    text(root.svg, 10, 28, "Mean IU 62.7%", { size: 20, bold: true });
    const s = pngStats(root.figure("text").toPNG());
    expect(s.inked).toBeGreaterThan(0.03); // glyphs, not an empty page
    expect(s.colors).toBeGreaterThan(5); // anti-aliased edges
  });
  it("measures text with DejaVu Sans widths", () => {
    expect(textWidth("M", 1000)).toBe(863);
    expect(textWidth("ab", 10)).toBeCloseTo(12.48, 2);
    expect(textWidth("ab", 10, true)).toBeGreaterThan(textWidth("ab", 10));
  });
});

describe("architecture diagram", () => {
  it("reads roles and wiring from the description, not from layer names", () => {
    const { net } = geometry("fcn8s");
    // The same net with every layer renamed L00, L01...: the same bars and skip paths.
    const alias = new Map(net.layers.map((l, i) => [l.name, `L${String(i).padStart(2, "0")}`]));
    const renamed = { ...net, layers: net.layers.map((l) => ({ ...l, name: alias.get(l.name)!, inputs: l.inputs.map((i) => alias.get(i)!) })) };
    const drawn = (svg: string) => ({
      bars: [...svg.matchAll(/<rect [^>]*rx="2" fill="([^"]+)"/g)].map((m) => m[1]),
      skips: (svg.match(/stroke="#9c755f"/g) ?? []).length,
    });
    const original = drawn(architectureDiagram(net).toSVG());
    expect(original.bars).toHaveLength(24);
    expect(original.skips).toBe(10);
    expect(drawn(architectureDiagram(renamed).toSVG())).toEqual(original);
  });
});

describe("plotly", () => {
  it("hover text lists the top classes with scores at each cell", () => {
    const s = syntheticScores(6, 6);
    const fig = interactiveScores(s, { topK: 3 });
    const heat = fig.spec.data[0] as { z: number[][]; text: string[][] };
    const best = argmax(s).data;
    expect(heat.z[2]![3]).toBe(best[2 * 6 + 3]);
    const lines = heat.text[2]![3]!.split("<br>");
    expect(lines).toHaveLength(3);
    expect(lines[0]!.startsWith(VOC_CLASS_NAMES[best[2 * 6 + 3]!]!)).toBe(true);
    const v = s.data[(2 * 6 + 3) * 21 + best[2 * 6 + 3]!]!;
    expect(lines[0]).toContain(v.toFixed(2));
    expect(JSON.parse(JSON.stringify(fig.spec))).toEqual(fig.spec);
  });
  it("self-contained HTML inlines plotly.js and finds its div without ids", () => {
    const fig = interactiveScores(syntheticScores(4, 4));
    const html = plotlyHTML(fig.spec);
    expect(html).toContain("plotly.js v");
    expect(html).not.toMatch(/<\/script[^>]*>[\s\S]*<\/script[^>]*>[\s\S]*<\/script/); // exactly two scripts
    expect(html).toContain("document.currentScript");
    expect(plotlyHTML(fig.spec, { plotlyJs: "none" }).length).toBeLessThan(20_000);
  });
});

describe("tslab adapter", () => {
  const req = createRequire(import.meta.url);
  afterEach(() => {
    const j = req.cache[req.resolve("tslab/dist/jupyter")];
    if (j) (j.exports as { lastWriteDisplayData: unknown }).lastWriteDisplayData = null;
    resetPlotlySession();
  });

  it("throws a clear error outside a kernel", () => {
    const fig = featureGrid({ data: new Float32Array(4), shape: [2, 2] });
    expect(() => show(fig)).toThrow(/tslab kernel|no running cell/);
  });

  it("sends ONE output with svg + png + html + text for a d3 figure", () => {
    const sent: Array<{ data: Record<string, unknown> }> = [];
    const jupyter = req("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
    jupyter.lastWriteDisplayData = (d: { data: Record<string, unknown> }) => sent.push(d);
    const fig = featureGrid({ data: Float32Array.from([0, 1, 2, 3]), shape: [2, 2] });
    show(fig);
    expect(sent).toHaveLength(1);
    expect(Object.keys(sent[0]!.data).sort()).toEqual(["image/png", "image/svg+xml", "text/html", "text/plain"]);
    expect(sent[0]!.data["text/html"]).toMatch(/^<img src="data:image\/svg\+xml;base64,/);
    const png = Buffer.from(sent[0]!.data["image/png"] as string, "base64");
    expect(pngStats(png).width).toBe(fig.width);
  });

  it("inlines plotly.js in the first plotly output of the session only", () => {
    const sent: Array<{ data: Record<string, unknown> }> = [];
    const jupyter = req("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
    jupyter.lastWriteDisplayData = (d: { data: Record<string, unknown> }) => sent.push(d);
    const fig = interactiveScores(syntheticScores(4, 4));
    show(fig);
    show(fig);
    expect(sent).toHaveLength(2);
    for (const s of sent) expect(Object.keys(s.data)).toEqual(["application/vnd.plotly.v1+json", "text/html", "text/plain"]);
    expect(sent[0]!.data["text/html"]).toContain("plotly.js v");
    expect(sent[1]!.data["text/html"]).not.toContain("plotly.js v");
    expect((sent[1]!.data["text/html"] as string).length).toBeLessThan(50_000);
  });

  it("a plotly bundle is one JupyterLab's plotly renderer draws at once: plotly JSON first, no PNG, the static view inside the HTML", () => {
    const fig = interactiveScores(syntheticScores(4, 4));
    const b = displayBundle(fig, { plotlyJs: "none" });
    // jupyterlab-plotly's renderer paints a bundle's image/png and builds the plot only on
    // mouseenter; without a PNG it builds the plot when the output is rendered.
    expect(Object.keys(b.data)).toEqual(["application/vnd.plotly.v1+json", "text/html", "text/plain"]);
    expect(b.data["application/vnd.plotly.v1+json"]).toEqual(fig.spec);
    const html = b.data["text/html"] as string;
    // The static figure sits in the plot's box (seen where scripts are stripped), and the script swaps it for the plot.
    const img = fig.fallback.toImgHTML();
    expect(html).toContain(`<div class="fcn-viz-plotly" style="min-width:${fig.width}px;min-height:${fig.height}px">${img}</div>`);
    expect(html.indexOf("window.Plotly.newPlot")).toBeGreaterThan(html.indexOf(img));
    expect(html).toContain('div.textContent = "";');
    // A PNG only when asked for.
    expect(Object.keys(displayBundle(fig, { plotlyJs: "none", png: true }).data)).toContain("image/png");
  });

  it("plotly titles start below the mode bar and wrap to the figure's width", () => {
    for (const fig of [interactiveScores(syntheticScores(8, 8), { name: "a rather long tap name that makes the title wrap onto a second line" }), bilinearSurface(16)]) {
      const { title, margin, width } = fig.spec.layout as unknown as { title: { text: string; yref: string; pad: { t: number }; font: { size: number } }; margin: { t: number }; width: number };
      expect(title.yref).toBe("container");
      expect(title.pad.t).toBeGreaterThanOrEqual(28); // plotly's mode bar: 2 px offset + 22 px buttons + padding
      const lines = title.text.split("<br>");
      for (const l of lines) expect(textWidth(l, title.font.size)).toBeLessThanOrEqual(width - 20);
      expect(margin.t).toBeGreaterThanOrEqual(title.pad.t + lines.length * title.font.size * 1.2);
    }
  });

  it("builds bundles without a kernel", () => {
    const b = displayBundle(featureGrid({ data: new Float32Array(4), shape: [2, 2] }), { svg: false });
    expect(Object.keys(b.data).sort()).toEqual(["image/png", "text/html", "text/plain"]);
  });
});

describe("number formatting", async () => {
  const { fmt, fmtPx, fmtCoordMap, pct } = await import("../../viz/components.js");
  it("is fixed and locale-free", () => {
    expect(fmtPx(12.5)).toBe("12.5");
    expect(fmtPx(-3.5)).toBe("−3.5");
    expect(fmtPx(-0.04)).toBe("0");
    expect(fmtPx(508.5)).toBe("508.5");
    expect(fmt(1234567)).toBe("1.23e+6");
    expect(fmt(-0.5)).toBe("−0.5");
    expect(pct(0.6271)).toBe("62.7%");
    expect(fmtCoordMap("score_fr", 1 / 32, -0.390625)).toBe("score_fr = input/32 − 0.391");
    expect(fmtCoordMap("score", 1, 0)).toBe("score = input");
  });
});
