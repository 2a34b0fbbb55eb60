/**
 * The training machinery: a run interrupted and resumed gives exactly the run done in
 * one go; weights are written as F16 and read back to the nearest half; fixed
 * upsampling layers left out of a file come back bilinear; --set overrides.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "../src/backends/index.js";
import { modelFromWeights, withBilinear } from "../src/load.js";
import { modelSpec } from "../src/models/index.js";
import { randomParams } from "../src/net/init.js";
import { trainCommand, withOverrides } from "../src/train/cli.js";
import { registerWasmTrainingKernels } from "../src/train/wasm-kernels.js";
import { PRESETS, schedule } from "../src/train/config.js";
import { classCrossEntropy, pixelCrossEntropy } from "../src/train/loss.js";
import { train, type TrainTask } from "../src/train/trainer.js";
import { fromTensors } from "../src/weights/tensors.js";
import { readWeights, writeWeights } from "../src/weights/index.js";
import { f16ToF32, f32ToF16 } from "../src/weights/layout.js";
import { randomArray } from "./support/random.js";

let dir = "";
beforeAll(async () => {
  await useBackend("cpu");
  dir = await mkdtemp(join(tmpdir(), "fcn-viz-train-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("losses", () => {
  it("pixel cross-entropy: ln(C) for uniform scores, ignore pixels not counted", async () => {
    const scores = tf.zeros([1, 2, 2, 11]) as tf.Tensor4D;
    const labels = tf.tensor3d([[[0, 3], [255, 10]]], [1, 2, 2], "int32");
    expect((await pixelCrossEntropy(scores, labels).data())[0]).toBeCloseTo(Math.log(11), 5);
    // One confident right pixel, one confident wrong one; the ignore pixel says nothing.
    const s2 = tf.tensor4d([10, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0], [1, 2, 2, 3]);
    const l2 = tf.tensor3d([[[0, 1], [255, 255]]], [1, 2, 2], "int32");
    const want = (-Math.log(Math.exp(10) / (Math.exp(10) + 2)) - Math.log(1 / (Math.exp(10) + 2))) / 2;
    expect((await pixelCrossEntropy(s2, l2).data())[0]).toBeCloseTo(want, 4);
    tf.dispose([scores, labels, s2, l2]);
  });
  it("class cross-entropy of [B, 1, 1, C] logits", async () => {
    const logits = tf.tensor4d([1, 2, 3, 0, 0, 0], [2, 1, 1, 3]);
    const want = (-Math.log(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3))) + Math.log(3)) / 2;
    expect((await classCrossEntropy(logits, tf.tensor1d([2, 1], "int32")).data())[0]).toBeCloseTo(want, 5);
  });
});

describe("resuming", () => {
  it("an interrupted and resumed run equals the uninterrupted one", async () => {
    // On wasm (the training backend; cpu is ~10x slower here), with its Conv2DBackpropFilter.
    registerWasmTrainingKernels();
    await useBackend("wasm");
    const spec = modelSpec("fcn32s", { width: 1 / 64, classes: 3 });
    const he = randomParams(spec, 1);
    const init = await fromTensors(he);
    he.forEach((t) => t.dispose());
    const task = (checkpoint: string, maxStepsThisRun?: number): TrainTask => ({
      label: "t",
      spec,
      init,
      trainable: (n) => !n.startsWith("upscore"),
      fixedUpsampling: new Set(["upscore"]),
      dropout: 0.5,
      steps: 4,
      lr: schedule({ steps: 4, lr: 1e-3 }),
      weightDecay: 1e-3,
      batch: (step) => ({
        input: tf.tensor4d(randomArray(2 * 20 * 24 * 3, 100 + step), [2, 20, 24, 3]),
        target: tf.tensor3d(Int32Array.from(randomArray(2 * 20 * 24, 200 + step), (v) => (v > 0.8 ? 255 : Math.floor((v + 1) * 1.5))), [2, 20, 24], "int32"),
      }),
      loss: (o, t) => pixelCrossEntropy(o, t as tf.Tensor3D),
      checkpoint,
      checkpointEvery: 1,
      key: "k",
      seed: 9,
      ...(maxStepsThisRun !== undefined ? { maxStepsThisRun } : {}),
    });
    const straight = await train(task(join(dir, "a.safetensors")));
    const first = await train(task(join(dir, "b.safetensors"), 2));
    expect(first.complete).toBe(false);
    expect(first.steps).toBe(2);
    const resumed = await train(task(join(dir, "b.safetensors")));
    expect(resumed.resumedFrom).toBe(2);
    expect(resumed.losses).toEqual(straight.losses);
    for (const [name, t] of straight.params) expect(Array.from(resumed.params.get(name)!.data), name).toEqual(Array.from(t.data));
    // It learned something: the parameters moved.
    expect(Array.from(straight.params.get("score_fr.weight")!.data)).not.toEqual(Array.from(init.get("score_fr.weight")!.data));
    expect(Array.from(straight.params.get("upscore.weight")!.data)).toEqual(Array.from(init.get("upscore.weight")!.data));
    await useBackend("cpu");
  });
});

describe("weight files", () => {
  it("F16 conversion rounds to the nearest half (hand-checked values)", () => {
    const x = Float32Array.from([1, -2, 0.1, 65504, 1e6, 2 ** -24, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 0]);
    const back = f16ToF32(f32ToF16(x));
    expect(back[0]).toBe(1);
    expect(back[1]).toBe(-2);
    expect(back[2]).toBeCloseTo(0.0999755859375, 12); // the nearest half to 0.1
    expect(back[3]).toBe(65504); // largest half
    expect(back[4]).toBe(Infinity);
    expect(back[5]).toBe(2 ** -24); // smallest subnormal
    expect(back[6]).toBe(1); // a tie rounds to even (1.0)
    expect(back[7]).toBe(1 + 2 * 2 ** -10); // a tie rounds to even (1 + 2^-9)
    expect(back[8]).toBe(0);
  });

  it("a file without its fixed bilinear layers loads with them rebuilt", async () => {
    const spec = modelSpec("fcn8s", { width: 1 / 64, classes: 4 });
    const params = await fromTensors(randomParams(spec, 2));
    const stored = new Map([...params].filter(([n]) => n !== "upscore8.weight"));
    const file = join(dir, "f.safetensors");
    await writeWeights(file, { params: stored, meta: { bilinear: ["upscore8"] } }, "safetensors", { dtype: "F16" });
    const read = await readWeights(file);
    expect(read.params.has("upscore8.weight")).toBe(false);
    expect(read.meta.bilinear).toEqual(["upscore8"]);
    const conv = read.params.get("conv3_1.weight")!;
    const half = f16ToF32(f32ToF16(params.get("conv3_1.weight")!.data));
    expect(Array.from(conv.data)).toEqual(Array.from(half));
    const model = modelFromWeights("fcn8s", read);
    expect(model.spec.model).toBe("fcn8s");
    model.dispose();
    // The rebuilt kernel, [16, 16, out, in], by the formula: factor 8, centre 7.5, so the
    // class-diagonal taps are (1 - |i - 7.5| / 8)(1 - |j - 7.5| / 8), and 0 across classes.
    const up = withBilinear(read, spec).get("upscore8.weight")!;
    expect(up.shape).toEqual([16, 16, 4, 4]);
    const at = (i: number, j: number, o: number, c: number) => up.data[((i * 16 + j) * 4 + o) * 4 + c];
    expect(at(7, 7, 2, 2)).toBe((15 / 16) ** 2);
    expect(at(0, 0, 1, 1)).toBe((1 / 16) ** 2);
    expect(at(0, 15, 3, 3)).toBe((1 / 16) ** 2);
    expect(at(7, 8, 0, 1)).toBe(0);
    // Without the metadata the same file is refused, naming the missing tensor.
    await writeWeights(file, { params: stored, meta: {} }, "safetensors");
    const bare = await readWeights(file);
    expect(() => modelFromWeights("fcn8s", bare)).toThrow(/upscore8\.weight/);
  });
});

describe("configuration", () => {
  it("--set overrides one setting, type-checked", () => {
    const c = withOverrides(PRESETS.default!, ["fcn.stages.fcn32s.steps=7", "width=1/8", "dtype=F32"]);
    expect(c.fcn.stages.fcn32s.steps).toBe(7);
    expect(c.width).toBe(0.125);
    expect(c.dtype).toBe("F32");
    expect(PRESETS.default!.fcn.stages.fcn32s.steps).not.toBe(7);
    expect(() => withOverrides(PRESETS.default!, ["fcn.nope=1"])).toThrow(/no setting "fcn.nope"/);
    expect(() => withOverrides(PRESETS.default!, ["width=abc"])).toThrow(/is a number/);
  });
  it("the train command refuses unknown stages and presets before any work", async () => {
    await expect(trainCommand(["nope"], () => {})).rejects.toThrow(/train needs a STAGE \(not "nope"\)/);
    await expect(trainCommand(["fcn8s", "--preset", "huge"], () => {})).rejects.toThrow(/unknown --preset "huge"/);
    await expect(trainCommand(["fcn8s", "--threads", "0"], () => {})).rejects.toThrow(/--threads must be a whole number/);
  });
  it("the schedule warms up, peaks, and decays to 5%", () => {
    const lr = schedule({ steps: 100, lr: 1 });
    expect(lr(0)).toBeCloseTo(0.2, 6);
    expect(lr(4)).toBeCloseTo(1, 6);
    expect(lr(5)).toBeCloseTo(1, 6);
    expect(lr(100)).toBeCloseTo(0.05, 6);
  });
});
