/**
 * fcn-viz/notebook, the helpers the notebooks share: the cache check and its one line, the
 * download-time estimate, the classifier's centre square, softmax and top-k. (The notebooks
 * themselves run in test/notebooks.test.ts and test/notebooks-real.test.ts.)
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { centreSquare, downloadTime, publishedStatus, samplePhoto, SAMPLE_PHOTOS, softmax, topK } from "../src/notebook.js";
import { publishedWeights, sizeText } from "../src/published/index.js";

let cache = "";
const saved = process.env.FCN_VIZ_CACHE;
beforeAll(() => {
  cache = fs.mkdtempSync(path.join(os.tmpdir(), "fcn-viz-nb-cache-"));
  process.env.FCN_VIZ_CACHE = cache;
});
afterAll(() => {
  if (saved === undefined) delete process.env.FCN_VIZ_CACHE;
  else process.env.FCN_VIZ_CACHE = saved;
  fs.rmSync(cache, { recursive: true, force: true });
});

describe("publishedStatus", () => {
  test("nothing cached: the fetch command, the size and the cache folder in one line", () => {
    const s = publishedStatus(["voc-fcn8s"], { section: "8" });
    expect(s).toMatchObject({ ready: false, cached: [], missing: ["voc-fcn8s"] });
    expect(s.line).not.toContain("\n");
    expect(s.line).toContain("`npx fcn-viz fetch voc-fcn8s`");
    expect(s.line).toContain(sizeText(publishedWeights("voc-fcn8s")));
    expect(s.line).toContain(cache);
    expect(s.line).toContain("section 8");
  });

  test("some cached: names what is there and fetches only the rest", () => {
    fs.writeFileSync(path.join(cache, publishedWeights("voc-fcn8s").file), "");
    try {
      const s = publishedStatus(["voc-fcn32s", "voc-fcn16s", "voc-fcn8s"]);
      expect(s).toMatchObject({ ready: false, cached: ["voc-fcn8s"], missing: ["voc-fcn32s", "voc-fcn16s"] });
      expect(s.line).toContain("`npx fcn-viz fetch voc-fcn32s && npx fcn-viz fetch voc-fcn16s`");
      expect(s.line).not.toContain("fetch voc-fcn8s");
      const all = publishedStatus(["voc-fcn8s"]);
      expect(all.ready).toBe(true);
      expect(all.line).not.toContain("fetch");
    } finally {
      fs.rmSync(path.join(cache, publishedWeights("voc-fcn8s").file));
    }
  });

  test("an unknown name is an error naming the known ones", () => {
    expect(() => publishedStatus(["voc-fcn4s"])).toThrow(/voc-fcn8s/);
  });
});

test("downloadTime at 50 Mbit/s", () => {
  // 540 MB = 4320 Mbit: 86.4 s at 50 Mbit/s.
  expect(downloadTime(540e6)).toBe("1.4 min at 50 Mbit/s");
  // 1.62 GB: 259.2 s.
  expect(downloadTime(1.62e9)).toBe("4.3 min at 50 Mbit/s");
  expect(downloadTime(100e6)).toBe("under a minute at 50 Mbit/s");
});

test("centreSquare: shorter side to the size, then the middle square", () => {
  // 4 x 2 image, pixel (x, y) = (10x + y) in every channel; side 2 keeps the size, so the crop is columns 1..2.
  const rgb = new Uint8Array(4 * 2 * 3);
  for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) rgb.fill(10 * x + y, 3 * (y * 4 + x), 3 * (y * 4 + x) + 3);
  const sq = centreSquare({ width: 4, height: 2, rgb }, 2);
  expect([sq.width, sq.height]).toEqual([2, 2]);
  expect(Array.from(sq.rgb.filter((_, i) => i % 3 === 0))).toEqual([10, 20, 11, 21]);
});

test("samplePhoto: every sample photo, at most maxSide on its longer side, aspect kept", () => {
  for (const f of SAMPLE_PHOTOS) {
    const full = samplePhoto(f);
    const small = samplePhoto(f, { maxSide: 200 });
    expect(Math.max(small.width, small.height)).toBe(200);
    expect(Math.abs(small.width / small.height - full.width / full.height)).toBeLessThan(0.02);
    expect(small.rgb.length).toBe(small.width * small.height * 3);
  }
});

test("softmax and topK", () => {
  const p = softmax([0, Math.log(3), 1000, 1000]);
  // exp(-1000) underflows: the two large logits share the mass.
  expect(Array.from(p)).toEqual([0, 0, 0.5, 0.5]);
  const q = softmax([0, Math.log(3)]);
  expect(q[0]).toBeCloseTo(0.25, 7);
  expect(q[1]).toBeCloseTo(0.75, 7);
  expect(topK([0.1, 0.5, 0.2, 0.5], 3)).toEqual([[1, 0.5], [3, 0.5], [2, 0.2]]);
});
