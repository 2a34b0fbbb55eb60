import * as tf from "@tensorflow/tfjs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "../src/backends/index.js";
import { Model } from "../src/model.js";
import { modelSpec } from "../src/models/index.js";
import { disposePrepared, forward, prepareParams } from "../src/net/execute.js";
import { randomParams } from "../src/net/init.js";
import { fromTensors, toTensors } from "../src/weights/index.js";
import type { HostParams } from "../src/weights/types.js";
import { relDiff } from "./support/naive.js";
import { webgpuOrSkip } from "./support/webgpu.js";

/**
 * The whole small FCN-8s (every kind of layer: padded convs, ceil pools, 7x7 fc6,
 * transposed convs, crops, sums) on each backend, against cpu.
 */
const o = { width: 1 / 16, classes: 5 };
const TAPS = ["pool3", "pool5", "fc7", "score_fr", "fuse_pool4", "fuse_pool3", "score"];
let host: HostParams;
let x: Float32Array;
let reference: Record<string, Float32Array>;

/**
 * The FCN-8s on the active backend. `splitAbove` splits weights into chunks of at most
 * that many bytes; it goes to the executor directly, because a Model given such a small
 * buffer limit would (rightly) refuse the input's blobs too.
 */
async function run(backend: string, splitAbove: number | null = null): Promise<Record<string, Float32Array>> {
  const spec = modelSpec("fcn8s", o);
  const params = toTensors(host);
  const prepared = prepareParams(spec, params, splitAbove);
  if (splitAbove !== null) expect(prepared.get("fc6")!.weights.length).toBeGreaterThan(50);
  params.forEach((t) => t.dispose());
  const input = tf.tensor4d(x, [1, 67, 83, 3]);
  const before = tf.memory().numTensors;
  const taps = forward(spec, prepared, input, { taps: TAPS });
  const out: Record<string, Float32Array> = {};
  for (const name of TAPS) out[name] = (await taps[name]!.data()) as Float32Array;
  Object.values(taps).forEach((t) => t.dispose());
  expect([backend, tf.memory().numTensors]).toEqual([backend, before]);
  input.dispose();
  disposePrepared(prepared);
  return out;
}

beforeAll(async () => {
  await useBackend("cpu");
  const params = randomParams(modelSpec("fcn8s", o), 4);
  host = await fromTensors(params);
  params.forEach((t) => t.dispose());
  x = Float32Array.from({ length: 67 * 83 * 3 }, (_, i) => ((i * 7919) % 255) - 120);
  reference = await run("cpu");
});
afterEach(async () => {
  await useBackend("cpu");
});
afterAll(async () => {
  await useBackend("cpu");
});

function expectAgrees(got: Record<string, Float32Array>) {
  for (const name of TAPS) expect([name, relDiff(got[name]!, reference[name]!)]).toEqual([name, expect.closeTo(0, 4)]);
}

describe("a small FCN-8s agrees with cpu to 1e-4 relative on every backend here", () => {
  it("wasm", async () => {
    expect((await useBackend("wasm")).name).toBe("wasm");
    expectAgrees(await run("wasm"));
  });

  it("webgpu", async (ctx) => {
    await webgpuOrSkip(ctx);
    expect(tf.getBackend()).toBe("webgpu");
    expectAgrees(await run("webgpu"));
  });

  it("split weights (as for WebGPU's buffer limit) give the same result: cpu and webgpu", async (ctx) => {
    // 20 kB forces fc6 (7x7x32x256 floats = 1.6 MB) into ~80 chunks and fc7 into several.
    expectAgrees(await run("cpu", 20_000));
    await webgpuOrSkip(ctx);
    expectAgrees(await run("webgpu", 20_000));
  });
});

describe("the classifier's fc layers split the same way", () => {
  it("vgg16 with fc6 split in chunks gives the unsplit logits", async () => {
    await useBackend("cpu");
    const spec = modelSpec("vgg16", { width: 1 / 16, classes: 10 });
    const params = randomParams(spec, 2);
    const whole = prepareParams(spec, params);
    const split = prepareParams(spec, params, 50_000);
    expect(split.get("fc6")!.weights.length).toBeGreaterThan(10);
    params.forEach((t) => t.dispose());
    const input = tf.randomUniform([1, 224, 224, 3], -100, 100, "float32", 3) as tf.Tensor4D;
    const a = forward(spec, whole, input).fc8!;
    const b = forward(spec, split, input).fc8!;
    expect(relDiff(await b.data(), await a.data())).toBeLessThan(1e-6);
    [a, b, input].forEach((t) => t.dispose());
    disposePrepared(whole);
    disposePrepared(split);
  });
});

describe("inputs too large for a backend's buffer limit", () => {
  it("are refused with the limit, the blob, and a size that fits (never computed as garbage)", () => {
    // Software WebGPU adapters bind at most 128 MiB; conv1_1 of the full-width FCN at
    // 600x600 is (600 + 198)^2 x 64 x 4 bytes = 156 MiB; it fits while
    // (s + 198)^2 x 256 <= 2^27, s <= 526. At width 1/16 (4 channels) with a 16x smaller
    // limit, the same numbers.
    const spec = modelSpec("fcn8s", { width: 1 / 16, classes: 2 });
    const params = randomParams(spec, 1);
    const model = new Model(spec, params, { maxBufferBytes: 2 ** 27 / 16 });
    params.forEach((t) => t.dispose());
    const before = tf.memory().numTensors;
    const big = tf.zeros([1, 600, 600, 3]) as tf.Tensor4D;
    expect(() => model.forward(big)).toThrow(
      "input 600x600 (width x height) is too large for fcn8s (width 1/16) on cpu: conv1_1 [1, 798, 798, 4] would take 9.7 MiB, " +
        "above the buffer limit this model was built for (maxBufferBytes) (8 MiB). Options: resize the image to at most 526 px on its longer side (526x526 fits)",
    );
    big.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("a classifier (one input size) or a limit nothing fits: the wasm backend is the fix", () => {
    // vgg16 at width 1/16: the input itself is 224 x 224 x 3 x 4 bytes = 588 KiB (conv1_1, 784 KiB).
    const spec = modelSpec("vgg16", { width: 1 / 16, classes: 3 });
    const params = randomParams(spec, 1);
    const model = new Model(spec, params, { maxBufferBytes: 2 ** 19 });
    params.forEach((t) => t.dispose());
    const x = tf.zeros([1, 224, 224, 3]) as tf.Tensor4D;
    expect(() => model.forward(x)).toThrow(/^input 224x224 .* data \[1, 224, 224, 3\] would take 0\.57 MiB, above the buffer limit this model was built for \(maxBufferBytes\) \(0\.5 MiB\)\. Options: the wasm backend, which has no per-buffer limit\.$/);
    x.dispose();
    model.dispose();

    // FCN-8s at 40x60: conv1_1 is (40 + 198) x (60 + 198) x 4 x 4 bytes = 0.94 MiB, and even the
    // smallest input (1x1: 199 x 199 x 4 x 4 bytes = 0.6 MiB) is above 0.5 MiB.
    const fspec = modelSpec("fcn8s", { width: 1 / 16, classes: 2 });
    const fparams = randomParams(fspec, 1);
    const fcn = new Model(fspec, fparams, { maxBufferBytes: 2 ** 19 });
    fparams.forEach((t) => t.dispose());
    const small = tf.zeros([1, 40, 60, 3]) as tf.Tensor4D;
    expect(() => fcn.forward(small)).toThrow(/conv1_1 \[1, 238, 258, 4\] would take 0\.94 MiB, above the buffer limit this model was built for \(maxBufferBytes\) \(0\.5 MiB\)\. Options: the wasm backend, which has no per-buffer limit\.$/);
    small.dispose();
    fcn.dispose();
  });
});
