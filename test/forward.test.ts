import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Model, randomModel } from "../src/model.js";
import { modelSpec } from "../src/models/index.js";
import { randomParams } from "../src/net/init.js";
import { useBackend } from "../src/backends/index.js";
import * as naive from "./support/naive.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

async function hostParams(model: string, o: { width: number; classes: number }, seed: number) {
  const params = randomParams(modelSpec(model, o), seed);
  const host = new Map<string, Float32Array>();
  for (const [k, t] of params) host.set(k, (await t.data()) as Float32Array);
  // Learned upsampling is not bilinear nor diagonal: random deconvs check the layout
  // (out vs in) that a class-diagonal kernel cannot tell apart.
  for (const [k, v] of host) {
    if (/^upscore/.test(k)) host.set(k, Float32Array.from(v, (_, i) => Math.sin(i * 12.9898 + seed) * 0.5));
  }
  const shapes = new Map([...params].map(([k, t]) => [k, t.shape]));
  params.forEach((t) => t.dispose());
  return { host, shapes };
}

function randomInput(h: number, w: number, seed: number): tf.Tensor4D {
  return tf.randomUniform([1, h, w, 3], -100, 100, "float32", seed) as tf.Tensor4D;
}

/**
 * FCN-32s/16s/8s by the paper's recipe, on naive layers, with the crop offsets taken
 * from REFERENCE.md rather than from the library.
 */
function naiveFcn(variant: "fcn32s" | "fcn16s" | "fcn8s", input: naive.Arr, p: Map<string, Float32Array>, shape: (n: string) => number[]) {
  const out: Record<string, naive.Arr> = {};
  let x = input;
  const blocks = [2, 2, 3, 3, 3];
  blocks.forEach((n, b) => {
    for (let i = 1; i <= n; i++) {
      const name = `conv${b + 1}_${i}`;
      x = out[name] = naive.conv(x, p.get(`${name}.weight`)!, p.get(`${name}.bias`)!, 3, shape(`${name}.weight`)[3]!, name === "conv1_1" ? 100 : 1, true);
    }
    x = out[`pool${b + 1}`] = naive.maxPoolCeil(x);
  });
  const c = (name: string, a: naive.Arr, relu: boolean) => {
    const s = shape(`${name}.weight`);
    return (out[name] = naive.conv(a, p.get(`${name}.weight`)!, p.get(`${name}.bias`)!, s[0]!, s[3]!, 0, relu));
  };
  const up = (name: string, a: naive.Arr, k: number, s: number) => (out[name] = naive.deconv(a, p.get(`${name}.weight`)!, k, s, a.c));
  const fr = c("score_fr", c("fc7", c("fc6", x, true), true), false);
  if (variant === "fcn32s") {
    out.score = naive.crop(up("upscore", fr, 64, 32), 19, input.h, input.w);
    return out;
  }
  const up2 = up("upscore2", fr, 4, 2);
  const sp4 = naive.crop(c("score_pool4", out.pool4!, false), 5, up2.h, up2.w);
  out.score_pool4c = sp4;
  const fuse4 = (out.fuse_pool4 = naive.add(up2, sp4));
  if (variant === "fcn16s") {
    out.score = naive.crop(up("upscore16", fuse4, 32, 16), 27, input.h, input.w);
    return out;
  }
  const up4 = up("upscore_pool4", fuse4, 4, 2);
  const sp3 = naive.crop(c("score_pool3", out.pool3!, false), 9, up4.h, up4.w);
  out.score_pool3c = sp3;
  const fuse3 = (out.fuse_pool3 = naive.add(up4, sp3));
  out.score = naive.crop(up("upscore8", fuse3, 16, 8), 31, input.h, input.w);
  return out;
}

describe("forward pass against a naive implementation of the paper's nets", () => {
  for (const variant of ["fcn32s", "fcn16s", "fcn8s"] as const) {
    it(`${variant}: every tap agrees (odd 23x29 input, so ceil pooling and crops are exercised)`, async () => {
      const o = { width: 1 / 32, classes: 3 };
      const { host, shapes } = await hostParams(variant, o, 7);
      const params = new Map([...host].map(([k, v]) => [k, tf.tensor(v, shapes.get(k)!)]));
      const model = new Model(modelSpec(variant, o), params);
      params.forEach((t) => t.dispose());
      const input = randomInput(23, 29, 3);
      const taps = model.forward(input, { taps: "all" });
      const ref = naiveFcn(variant, naive.arr(23, 29, 3, await input.data()), host, (n) => shapes.get(n)!);
      expect(Object.keys(ref).length).toBeGreaterThan(15);
      for (const [name, r] of Object.entries(ref)) {
        const t = taps[name]!;
        expect([name, ...t.shape]).toEqual([name, 1, r.h, r.w, r.c]);
        expect([name, naive.relDiff(await t.data(), r.data)]).toEqual([name, expect.closeTo(0, 4)]);
      }
      expect(taps.score!.shape).toEqual([1, 23, 29, 3]);
      Object.values(taps).forEach((t) => t.dispose());
      input.dispose();
      model.dispose();
    });
  }
});

describe("tap shapes of a real forward pass", () => {
  // Shapes do not depend on the backend; wasm is ~10x faster than cpu for these sizes.
  let model: Model;
  beforeAll(async () => {
    await useBackend("wasm");
    model = randomModel("fcn8s", { width: 1 / 16, classes: 21, seed: 1 });
  });
  afterAll(async () => {
    model.dispose();
    await useBackend("cpu");
  });
  for (const [h, w] of [[224, 224], [375, 500], [500, 500], [97, 131]] as const) {
    it(`${h}x${w}: every tap has the shape geometry predicts, and score is ${h}x${w}`, () => {
      const input = randomInput(h, w, 1);
      const taps = model.forward(input, { taps: "all" });
      const expected = model.shapes(h, w);
      expect(Object.keys(taps)).toEqual([...expected.keys()]);
      for (const [name, s] of expected) expect([name, ...taps[name]!.shape]).toEqual([name, 1, ...s]);
      expect(taps.score!.shape).toEqual([1, h, w, 21]);
      Object.values(taps).forEach((t) => t.dispose());
      input.dispose();
    });
  }
});

describe("random initialization", () => {
  it("is reproducible: the same seed gives the same parameters, another seed others", async () => {
    const spec = modelSpec("fcn8s", { width: 1 / 32, classes: 3 });
    const values = async (seed?: number) => {
      const p = randomParams(spec, seed);
      const d = await p.get("conv1_1.weight")!.data();
      p.forEach((t) => t.dispose());
      return Array.from(d);
    };
    const first = await values();
    expect(await values()).toEqual(first);
    expect(await values(0)).toEqual(first);
    expect(await values(1)).not.toEqual(first);
  });
});

describe("memory", () => {
  it("forward passes leak no tensor, with all taps or only the output", () => {
    const model = randomModel("fcn8s", { width: 1 / 32, classes: 4 });
    const input = randomInput(40, 52, 2);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      Object.values(model.forward(input, { taps: "all" })).forEach((t) => t.dispose());
      Object.values(model.forward(input)).forEach((t) => t.dispose());
      Object.values(model.forward(input, { taps: ["data", "pool3", "score"] })).forEach((t) => t.dispose());
    }
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
    model.dispose();
  });

  it("a failing pass (unknown tap, input too small) leaks nothing either", () => {
    const model = randomModel("vgg16-fcn", { width: 1 / 32, classes: 4 });
    const before = tf.memory().numTensors;
    const small = randomInput(100, 100, 1);
    expect(() => model.forward(small)).toThrow(/too small.*193x193/);
    small.dispose();
    const input = randomInput(224, 224, 1);
    expect(() => model.forward(input, { taps: ["pool9", "score"] })).toThrow(/unknown taps "pool9", "score" for vgg16-fcn. Its taps are: data, conv1_1/);
    input.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
