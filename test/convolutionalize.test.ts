import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Model } from "../src/model.js";
import { modelSpec } from "../src/models/index.js";
import { randomParams } from "../src/net/init.js";
import type { Params } from "../src/weights/types.js";
import * as naive from "./support/naive.js";

// One set of random VGG16 weights, read both as the classifier and as its
// convolutionalized twin: the surgery is only a change of how fc6..fc8 are read.
const o = { width: 1 / 16, classes: 10 };
let params: Params;
let classifier: Model;
let convolutional: Model;

beforeAll(async () => {
  await tf.setBackend("cpu");
  params = randomParams(modelSpec("vgg16", o), 11);
  classifier = new Model(modelSpec("vgg16", o), params);
  convolutional = new Model(modelSpec("vgg16-fcn", o), params);
});
afterAll(() => {
  classifier.dispose();
  convolutional.dispose();
  params.forEach((t) => t.dispose());
});

const image = (h: number, w: number) => tf.randomUniform([1, h, w, 3], -120, 120, "float32", 5) as tf.Tensor4D;

async function logits(model: Model, input: tf.Tensor4D, tap: string) {
  const t = model.forward(input, { taps: [tap] })[tap]!;
  const d = await t.data();
  const shape = t.shape;
  t.dispose();
  return { d, shape };
}

describe("convolutionalization (paper section 3.1)", () => {
  it("at 224x224 the convolutionalized net gives the classifier's logits", async () => {
    const x = image(224, 224);
    const a = await logits(classifier, x, "fc8");
    const b = await logits(convolutional, x, "fc8");
    expect(b.shape).toEqual([1, 1, 1, 10]);
    expect(naive.relDiff(b.d, a.d)).toBeLessThan(1e-5);
    x.dispose();
  });

  it("at 320x320 each cell of the 4x4 grid is the fully connected layers applied to its 7x7 block of pool5", async () => {
    const x = image(320, 320);
    const taps = convolutional.forward(x, { taps: ["pool5", "fc8"] });
    expect(taps.pool5!.shape).toEqual([1, 10, 10, 32]);
    expect(taps.fc8!.shape).toEqual([1, 4, 4, 10]);
    const pool5 = await taps.pool5!.data();
    const grid = await taps.fc8!.data();
    const w = async (n: string) => (await params.get(n)!.data()) as Float32Array;
    const [w6, b6, w7, b7, w8, b8] = await Promise.all(["fc6.weight", "fc6.bias", "fc7.weight", "fc7.bias", "fc8.weight", "fc8.bias"].map(w));
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        // The classifier's flatten of a 7x7x32 block, in NHWC order.
        const block: number[] = [];
        for (let y = i; y < i + 7; y++) for (let xx = j; xx < j + 7; xx++) for (let c = 0; c < 32; c++) block.push(pool5[(y * 10 + xx) * 32 + c]!);
        const h6 = naive.dense(block, w6!, b6!, 256, true);
        const h7 = naive.dense(h6, w7!, b7!, 256, true);
        const h8 = naive.dense(h7, w8!, b8!, 10, false);
        const cell = grid.slice((i * 4 + j) * 10, (i * 4 + j + 1) * 10);
        expect(naive.relDiff(cell, h8)).toBeLessThan(1e-4);
      }
    }
    Object.values(taps).forEach((t) => t.dispose());
    x.dispose();
  });

  it("but it is NOT the classifier run on each 224 crop: zero padding inside a crop sees zeros where the image has pixels", async () => {
    const x = image(320, 320);
    const grid = await logits(convolutional, x, "fc8");
    let num = 0;
    let den = 0;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const crop = tf.slice(x, [0, 32 * i, 32 * j, 0], [1, 224, 224, 3]) as tf.Tensor4D;
        const c = await logits(classifier, crop, "fc8");
        crop.dispose();
        for (let k = 0; k < 10; k++) {
          const d = grid.d[(i * 4 + j) * 10 + k]! - c.d[k]!;
          num += d * d;
          den += c.d[k]! ** 2;
        }
      }
    }
    const rel = Math.sqrt(num / den);
    console.log(`classifier on 224 crops vs convolutionalized grid at 320x320: relative L2 difference ${rel.toFixed(3)}`);
    expect(rel).toBeGreaterThan(0.02);
    x.dispose();
  });
});
