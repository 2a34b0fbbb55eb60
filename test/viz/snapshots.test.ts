/**
 * SVG snapshots of every figure on small seeded data, one file per figure under
 * __snapshots__/ (as Observable Plot does): a change in a figure is a reviewable diff.
 * Update with `npx vitest run test/viz -u` after looking at the new pictures.
 */
import { describe, expect, it } from "vitest";
import { figureBuilders } from "./figures.js";

const builders = figureBuilders("small");

/** Attribute values that are numbers with more than 2 decimals (outside data URIs). */
function longNumbers(svg: string): string[] {
  const attrs = svg.replace(/data:image\/png;base64,[A-Za-z0-9+/=]+/g, "").match(/="[^"]*"/g) ?? [];
  return attrs.filter((a) => /\d\.\d{3,}/.test(a));
}

/** Width/height of every embedded PNG and of the <image> that shows it. */
function embedded(svg: string): Array<{ png: [number, number]; shown: [number, number] }> {
  const out: Array<{ png: [number, number]; shown: [number, number] }> = [];
  for (const m of svg.matchAll(/<image [^>]*>/g)) {
    const tag = m[0];
    const w = Number(tag.match(/ width="([\d.]+)"/)![1]);
    const h = Number(tag.match(/ height="([\d.]+)"/)![1]);
    const b64 = tag.match(/href="data:image\/png;base64,([^"]+)"/)![1]!;
    const buf = Buffer.from(b64, "base64");
    out.push({ png: [buf.readUInt32BE(16), buf.readUInt32BE(20)], shown: [w, h] });
  }
  return out;
}

describe("SVG snapshots", () => {
  for (const [name, build] of Object.entries(builders)) {
    it(name, async () => {
      const fig = build();
      const svg = fig.toSVG();
      // Deterministic: a second build in the same process is byte-identical.
      expect(build().toSVG()).toBe(svg);
      // One element per line, so diffs point at the element that changed.
      await expect(svg.replace(/></g, ">\n<") + "\n").toMatchFileSnapshot(`__snapshots__/${name}.svg`);
      if (fig.kind === "plotly") await expect(JSON.stringify(fig.spec, null, 1)).toMatchFileSnapshot(`__snapshots__/${name}.plotly.json`);
      // Standalone, id-free, fixed number formatting.
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg).not.toMatch(/\sid="/);
      expect(svg.replace(/base64,[A-Za-z0-9+/=]+/g, "")).not.toMatch(/NaN|undefined|Infinity/);
      expect(longNumbers(svg)).toEqual([]);
      // Rasters are embedded PNGs no larger than they are shown.
      for (const e of embedded(svg)) {
        expect(e.png[0]).toBeLessThanOrEqual(Math.ceil(e.shown[0]));
        expect(e.png[1]).toBeLessThanOrEqual(Math.ceil(e.shown[1]));
      }
    });
  }
});

describe("full-size SVGs stay small", () => {
  const full = figureBuilders("full");
  it("a 64-channel grid of 175×175 maps is 64 embedded PNGs, not a rect per cell", () => {
    const svg = full["featureGrid"]!().toSVG();
    expect((svg.match(/<image /g) ?? []).length).toBe(64 + 1); // tiles + colour bar
    expect((svg.match(/<rect /g) ?? []).length).toBeLessThan(100);
    expect(svg.length).toBeLessThan(600_000);
  });
  it("a 500×500 overlay embeds one PNG at its displayed size", () => {
    const fig = full["overlayFull"]!();
    const imgs = embedded(fig.toSVG()).filter((e) => e.png[0] > 50);
    expect(imgs).toHaveLength(1);
    expect(imgs[0]!.png).toEqual([480, 480]);
  });
});
