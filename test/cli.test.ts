import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { decodeImage } from "../src/io/image.js";
import { readNpy, writeNpy } from "../src/io/npy.js";
import { modelSpec } from "../src/models/index.js";
import { blobShapes } from "../src/net/geometry.js";
import { randomParams } from "../src/net/init.js";
import { fromTensors, writeWeights } from "../src/weights/index.js";
import { cli } from "./support/cli.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fcn-viz-cli-"));
});
afterEach(() => vi.restoreAllMocks());

describe("fcn-viz summary", () => {
  it("prints the FCN-8s table with the 404-pixel receptive field, crops and totals", async () => {
    const { code, out } = await cli("summary", "--model", "fcn8s", "--size", "500x500");
    expect(code).toBe(0);
    expect(out).toMatch(/score_fr\s+conv\s+16 x 16 x 21\s+86,037\s+32\s+404/);
    expect(out).toMatch(/score\s+crop\s+500 x 500 x 21\s+1\s+\S+\s+31/);
    expect(out).toMatch(/363\.\d GFLOP/);
  });
  it("VGG16 at 224 totals 138,357,544 parameters", async () => {
    const { out } = await cli("summary", "--model", "vgg16");
    expect(out).toContain("total parameters: 138,357,544");
  });
});

describe("fcn-viz segment", () => {
  it("writes every tap as .npy with a manifest, shapes as geometry predicts", async () => {
    const tapsDir = join(dir, "taps");
    const overlay = join(dir, "overlay.png");
    const r = await cli("segment", "sample-images/chelsea.png", "--weights", "random", "--width", "1/32", "--backend", "cpu", "--taps-dir", tapsDir, "--out", overlay);
    expect(r.err).toContain("RANDOM weights");
    expect(r.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(tapsDir, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ model: "fcn8s", backend: "cpu", input: { height: 300, width: 451 } });
    const expected = blobShapes(modelSpec("fcn8s", { width: 1 / 32 }), 300, 451);
    expect(manifest.taps.map((t: { name: string }) => t.name)).toEqual([...expected.keys()]);
    for (const t of manifest.taps) {
      const npy = readNpy(new Uint8Array(await readFile(join(tapsDir, t.file))));
      expect(npy.shape).toEqual([1, ...expected.get(t.name)!]);
    }
    const png = decodeImage(new Uint8Array(await readFile(overlay)));
    expect([png.width, png.height]).toEqual([451, 300]);
  });

  it("takes a preprocessed .npy array and only the taps asked for", async () => {
    const npy = join(dir, "x.npy");
    await writeFile(npy, writeNpy([40, 50, 3], new Float32Array(40 * 50 * 3).fill(1)));
    const tapsDir = join(dir, "taps2");
    const r = await cli("segment", npy, "--weights", "random", "--width", "1/32", "--backend", "cpu", "--taps-dir", tapsDir, "--taps", "pool5,score_fr");
    expect(r.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(tapsDir, "manifest.json"), "utf8"));
    expect(manifest.taps.map((t: { name: string }) => t.name)).toEqual(["pool5", "score_fr"]);
  });

  it("loads a weights file and infers width and classes from it", async () => {
    await tf.setBackend("cpu");
    const spec = modelSpec("fcn16s", { width: 1 / 32, classes: 5 });
    const params = randomParams(spec, 3);
    const file = join(dir, "fcn16s.safetensors");
    await writeWeights(file, { params: await fromTensors(params), meta: { model: "fcn16s" }, format: "safetensors" });
    params.forEach((t) => t.dispose());
    const tapsDir = join(dir, "taps3");
    const r = await cli("segment", "sample-images/coffee.png", "--model", "fcn16s", "--weights", file, "--backend", "cpu", "--taps-dir", tapsDir, "--taps", "score");
    expect(r.code).toBe(0);
    const manifest = JSON.parse(await readFile(join(tapsDir, "manifest.json"), "utf8"));
    expect(manifest.taps).toEqual([{ name: "score", shape: [1, 400, 600, 5], file: "score.npy" }]);

    // The same file is not an FCN-8s: the error lists exactly what is missing.
    const bad = await cli("segment", "sample-images/coffee.png", "--model", "fcn8s", "--weights", file, "--backend", "cpu");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/score_pool3\.weight/);
    expect(bad.err).toMatch(/upscore_pool4\.weight/);
    expect(bad.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("names the predicted classes from the weights (metadata, else the class count), but not for random weights", async () => {
    await tf.setBackend("cpu");
    const names = ["sky", "road", "car"];
    const spec = modelSpec("fcn32s", { width: 1 / 32, classes: 3 });
    const params = randomParams(spec, 5);
    const file = join(dir, "named.safetensors");
    await writeWeights(file, { params: await fromTensors(params), meta: { model: "fcn32s", notes: { class_names: JSON.stringify(names) } }, format: "safetensors" });
    params.forEach((t) => t.dispose());
    const named = await cli("segment", "sample-images/coffee.png", "--model", "fcn32s", "--weights", file, "--backend", "cpu");
    expect(named.code).toBe(0);
    const shares = /prediction: (.*)/.exec(named.err)![1]!.split(", ").map((s) => s.split(":")[0]);
    expect(shares.length).toBeGreaterThan(0);
    for (const n of shares) expect(names).toContain(n);

    const random = await cli("segment", "sample-images/coffee.png", "--model", "fcn32s", "--weights", "random", "--width", "1/32", "--classes", "3", "--backend", "cpu");
    expect(random.err).toMatch(/prediction: class \d/);
  });

  it("vgg16-fcn prints a grid of logits", async () => {
    const r = await cli("segment", "sample-images/chelsea.png", "--model", "vgg16-fcn", "--weights", "random", "--width", "1/32", "--classes", "10", "--backend", "cpu");
    expect(r.code).toBe(0);
    // ceil(300 / 32) = 10 -> 10 - 6 = 4 rows; ceil(451 / 32) = 15 -> 9 columns
    expect(r.err).toContain("logits: 4x9 grid of 10 classes");
  });
});

describe("errors name the problem and the fix, without a stack trace", () => {
  const cases: [string, string[], RegExp][] = [
    ["unknown command", ["segmnet"], /unknown command "segmnet"/],
    ["missing weights", ["segment", "sample-images/chelsea.png"], /needs --weights FILE.*--weights random/],
    ["unknown model", ["segment", "sample-images/chelsea.png", "--weights", "random", "--model", "fcn4s"], /unknown model "fcn4s": choose one of vgg16, vgg16-fcn, fcn32s, fcn16s, fcn8s/],
    ["unknown backend", ["segment", "sample-images/chelsea.png", "--weights", "random", "--backend", "cuda"], /cuda/],
    ["WebGL outside a browser", ["segment", "sample-images/chelsea.png", "--weights", "random", "--backend", "webgl"], /browser/i],
    ["missing input", ["segment", "nope.png", "--weights", "random", "--width", "1/32", "--backend", "cpu"], /cannot read input "nope.png": no such file/],
    ["not an image", ["segment", "package.json", "--weights", "random", "--width", "1/32", "--backend", "cpu"], /package\.json/],
    ["unknown tap", ["segment", "sample-images/chelsea.png", "--weights", "random", "--width", "1/32", "--backend", "cpu", "--taps", "pool6"], /unknown tap "pool6".*Its taps are: data, conv1_1/],
    ["image too small", ["segment", "test/fixtures/tiny.png", "--model", "vgg16-fcn", "--weights", "random", "--width", "1/32", "--backend", "cpu"], /too small for vgg16-fcn.*193x193/],
    ["classifier wants 224", ["segment", "sample-images/chelsea.png", "--model", "vgg16", "--weights", "random", "--width", "1/32", "--backend", "cpu"], /exactly 224x224/],
    ["bad size", ["summary", "--size", "big"], /--size must look like 500x375/],
    ["missing weights file", ["segment", "sample-images/chelsea.png", "--weights", "nope.safetensors", "--backend", "cpu"], /nope\.safetensors/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await cli(...args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/(^|\n)fcn-viz: /);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  }
});
