/**
 * fcn-viz/notebook, the helpers the notebooks share: the cache check and its one line, the
 * download-time estimate, the classifier's centre square, softmax and top-k; markdown
 * tables, taps as arrays (run), a scene's picture and truth, recall, rms, the body's MACs;
 * and the heat overlay the notebooks draw with (fcn-viz/viz). (The notebooks themselves
 * run in test/notebooks.test.ts and test/notebooks-real.test.ts.)
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { useBackend } from "../src/backends/index.js";
import { randomModel } from "../src/model.js";
import { modelSpec } from "../src/models/index.js";
import { summarize } from "../src/net/geometry.js";
import {
  centreSquare,
  classRecall,
  convMacs,
  downloadTime,
  markdownTable,
  picture,
  publishedStatus,
  rms,
  run,
  samplePhoto,
  SAMPLE_PHOTOS,
  softmax,
  table,
  topK,
  truthOf,
} from "../src/notebook.js";
import { publishedWeights, sizeText } from "../src/published/index.js";
import { inputBatch } from "../src/train/batch.js";
import { heatOverlay } from "../viz/index.js";

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

describe("tables", () => {
  test("markdownTable: names left, numbers right by default; or the separators given", () => {
    expect(markdownTable(["layer", "params"], [["conv1_1", 1792], ["fc6", "102,764,544"]])).toBe(
      "| layer | params |\n| :--- | ---: |\n| conv1_1 | 1792 |\n| fc6 | 102,764,544 |",
    );
    expect(markdownTable(["a", "b", "c"], [[1, 2, 3]], ["---", "---", "---:"])).toBe("| a | b | c |\n|---|---|---:|\n| 1 | 2 | 3 |");
    expect(markdownTable(["only"], [])).toBe("| only |\n| :--- |");
  });

  test("table shows the markdown through the kernel's tslab", () => {
    const jupyter = createRequire(import.meta.url)("tslab/dist/jupyter.js") as { lastWriteDisplayData: ((d: { data: Record<string, unknown> }, update: boolean) => void) | null };
    const shown: Record<string, unknown>[] = [];
    const saved = jupyter.lastWriteDisplayData;
    jupyter.lastWriteDisplayData = (d) => shown.push(d.data);
    try {
      table(["x", "y"], [["a", 1]]);
    } finally {
      jupyter.lastWriteDisplayData = saved;
    }
    expect(shown).toEqual([{ "text/markdown": markdownTable(["x", "y"], [["a", 1]]) }]);
  });
});

describe("run: taps as arrays, no tensor left behind", () => {
  beforeAll(async () => {
    await useBackend("cpu");
  });
  const scene = { size: 40, pixels: Uint8Array.from({ length: 40 * 40 }, (_, i) => (i * 37) % 256), digits: [] };

  test("a digit scene, an RGB image, a tensor: the same numbers as forward, every tensor made is freed", async () => {
    const net = randomModel("fcn32s", { width: 1 / 64, classes: 3, seed: 3 });
    try {
      const x = inputBatch([scene], net.preprocess);
      const taps = net.forward(x, { taps: ["score_fr", "score"] });
      const want = { score_fr: Array.from(await taps.score_fr!.data()), score: Array.from(await taps.score!.data()) };
      const shapes = { score_fr: taps.score_fr!.shape, score: taps.score!.shape };
      Object.values(taps).forEach((t) => t.dispose());

      const before = tf.memory().numTensors;
      const fromScene = await run(net, scene, ["score_fr", "score"]);
      expect(tf.memory().numTensors).toBe(before);
      expect(Object.keys(fromScene).sort()).toEqual(["score", "score_fr"]);
      expect(fromScene.score_fr.data).toBeInstanceOf(Float32Array);
      expect(Array.from(fromScene.score_fr.data)).toEqual(want.score_fr);
      expect(fromScene.score_fr.shape).toEqual(shapes.score_fr);
      expect(Array.from(fromScene.score.data)).toEqual(want.score);

      const fromRgb = await run(net, picture(scene), ["score"]);
      expect(Array.from(fromRgb.score.data)).toEqual(want.score);
      expect(tf.memory().numTensors).toBe(before);

      const fromTensor = await run(net, x, ["score_fr"]);
      expect(Array.from(fromTensor.score_fr.data)).toEqual(want.score_fr);
      expect(x.isDisposed).toBe(false);                       // the caller's tensor stays the caller's
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();

      await expect(run(net, scene, ["pool9"])).rejects.toThrow(/unknown tap "pool9"/);
      expect(tf.memory().numTensors).toBe(before - 1);
    } finally {
      net.dispose();
    }
  });
});

describe("a scene's picture and truth, recall", () => {
  const scene = { size: 2, pixels: Uint8Array.from([0, 50, 100, 255]), digits: [], labels: Uint8Array.from([0, 3, 3, 255]) };

  test("picture: grey in all three channels, the RGB image the figures take; truthOf: the label map", () => {
    expect(picture(scene)).toEqual({ width: 2, height: 2, rgb: Uint8Array.from([0, 0, 0, 50, 50, 50, 100, 100, 100, 255, 255, 255]) });
    expect(truthOf(scene)).toEqual({ data: scene.labels, shape: [2, 2] });
  });

  test("classRecall: share of a class's true pixels labelled with it", () => {
    const truth = [0, 3, 3, 3, 3, 255, 1];
    const pred = [3, 3, 0, 3, 1, 3, 1];
    expect(classRecall(truth, pred, 3)).toBe(2 / 4);
    expect(classRecall(truth, pred, 1)).toBe(1);
    expect(classRecall(truth, pred, 0)).toBe(0);
    expect(classRecall(truth, pred, 7)).toBeNaN();
    expect(() => classRecall(truth, pred.slice(1), 3)).toThrow(/7 true labels, 6 predicted/);
  });
});

describe("measures", () => {
  test("rms of values or of a tap", () => {
    expect(rms([3, -4])).toBeCloseTo(Math.sqrt(12.5), 12);
    expect(rms({ data: Float32Array.from([1, 1, 1, 1]), shape: [1, 2, 2, 1] })).toBe(1);
    expect(rms(Float32Array.from([2]))).toBe(2);
  });

  test("convMacs: the 13 convolutions of VGG16's body, in every net of the paper", () => {
    const body = (s: ReturnType<typeof summarize>) => s.rows.filter((r) => r.type === "conv" && !/^fc/.test(r.name)).reduce((a, r) => a + r.macs, 0);
    for (const name of ["vgg16", "vgg16-fcn"]) {
      const s = summarize(modelSpec(name), 224, 224);
      expect(convMacs(s)).toBe(body(s));
      expect(s.rows.filter((r) => /^conv\d/.test(r.name))).toHaveLength(13);
    }
    const s8 = summarize(modelSpec("fcn8s"), 500, 500);
    expect(convMacs(s8)).toBeGreaterThan(s8.totalMacs / 2);
    expect(convMacs(s8)).toBeLessThan(body(s8));             // fcn8s's score_* layers are convolutions too, not the body
  });
});

test("heatOverlay: the picture dimmed to grey, a class's probability in red on each cell's stride square", () => {
  const white = { width: 4, height: 2, rgb: new Uint8Array(4 * 2 * 3).fill(255) };
  // 1 x 2 cells of stride 2 centred on pixels (0.5, 0.5) and (0.5, 2.5); class 1 is 0 in the first cell, 1 in the second.
  const grid = { rows: 1, cols: 2, classes: 2, probabilities: Float32Array.from([1, 0, 0, 1]), centre0: 0.5, stride: 2 };
  const out = heatOverlay(white, grid, 1);
  const grey = Math.round(0.35 * 255);
  expect([out.width, out.height]).toEqual([4, 2]);
  expect(Array.from(out.rgb.subarray(0, 12))).toEqual([grey, grey, grey, grey, grey, grey, 255, 0, 0, 255, 0, 0]);
  expect(Array.from(heatOverlay({ data: white.rgb, shape: [2, 4, 3] }, grid, 1).rgb)).toEqual(Array.from(out.rgb));
  expect(() => heatOverlay(white, grid, 2)).toThrow(/class 2 out of range/);
});
