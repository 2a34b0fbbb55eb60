import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { modelFromWeights } from "../src/load.js";
import { modelSpec } from "../src/models/index.js";
import { randomParams } from "../src/net/init.js";
import { KERAS_VGG16_PREPROCESS } from "../src/preprocess.js";
import { fromTensors, readWeights, writeWeights } from "../src/weights/index.js";
import type { HostParams } from "../src/weights/types.js";

let dir: string;
let vgg: HostParams;
const width = 1 / 16;

beforeAll(async () => {
  await tf.setBackend("cpu");
  dir = await mkdtemp(join(tmpdir(), "fcn-viz-load-"));
  const params = randomParams(modelSpec("vgg16", { width, classes: 1000 }), 9);
  vgg = await fromTensors(params);
  params.forEach((t) => t.dispose());
});

const input = () => tf.randomUniform([1, 224, 224, 3], -100, 100, "float32", 1) as tf.Tensor4D;

describe("Keras VGG16 weights into every model", () => {
  it("vgg16 and vgg16-fcn load the same file and give the same logits; preprocessing comes from the file", async () => {
    const path = join(dir, "vgg16_weights_tf_dim_ordering_tf_kernels.h5");
    await writeWeights(path, { params: vgg, meta: {} }, undefined, { kerasNaming: "keras1" });
    const file = await readWeights(path);
    const classifier = modelFromWeights("vgg16", file);
    const conv = modelFromWeights("vgg16-fcn", file);
    expect(classifier.preprocess).toEqual(KERAS_VGG16_PREPROCESS);
    expect(classifier.spec.classes).toBe(1000);
    expect(classifier.spec.width).toBe(width);
    const x = input();
    const a = classifier.forward(x).fc8!;
    const b = conv.forward(x).fc8!;
    const [da, db] = [await a.data(), await b.data()];
    let d = 0;
    da.forEach((v, i) => (d = Math.max(d, Math.abs(v - db[i]!))));
    expect(d).toBeLessThan(1e-4 * Math.max(...Array.from(da, Math.abs)));
    [a, b, x].forEach((t) => t.dispose());
    classifier.dispose();
    conv.dispose();
  });

  it("an FCN from VGG16 weights (fc8 not needed) goes through the surgery: fc6/fc7 carried over, scores zero", async () => {
    const noFc8 = new Map([...vgg].filter(([k]) => !k.startsWith("fc8.")));
    const path = join(dir, "vgg16_no_fc8.h5");
    await writeWeights(path, { params: noFc8, meta: {} });
    const lines: string[] = [];
    const fcn = modelFromWeights("fcn8s", await readWeights(path), { classes: 21, log: (l) => lines.push(l) });
    expect(lines.join("\n")).toMatch(/surgery/);
    expect(fcn.spec.classes).toBe(21);
    const x = tf.randomUniform([1, 64, 80, 3], -100, 100, "float32", 2) as tf.Tensor4D;
    const taps = fcn.forward(x, { taps: ["conv1_1", "fc7", "score"] });
    // Score layers start at zero (paper section 4.1), so every class scores 0.
    expect(Math.max(...Array.from(await taps.score!.data(), Math.abs))).toBe(0);
    expect(Math.max(...Array.from(await taps.fc7!.data()))).toBeGreaterThan(0);
    Object.values(taps).forEach((t) => t.dispose());
    x.dispose();
    fcn.dispose();
  });

  it("a _notop file cannot be the classifier: the error lists the missing fc layers", async () => {
    const notop = new Map([...vgg].filter(([k]) => !k.startsWith("fc")));
    const path = join(dir, "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5");
    await writeWeights(path, { params: notop, meta: {} });
    const file = await readWeights(path);
    expect(() => modelFromWeights("vgg16", file)).toThrow(/fc6\.weight[\s\S]*fc7\.weight[\s\S]*fc8\.weight/);
    // Nor seed an FCN: fc6 and fc7 become the FCN's fc6 and fc7.
    expect(() => modelFromWeights("fcn32s", file)).toThrow(/fc6\.weight[\s\S]*fc7\.weight/);
  });
});
