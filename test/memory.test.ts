import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "../src/backends/index.js";
import { Model } from "../src/model.js";
import { modelSpec } from "../src/models/index.js";
import { firstNonFinite } from "../src/net/execute.js";
import { randomParams } from "../src/net/init.js";
import {
  DECONV_BAND,
  InputTooLargeError,
  assertFits,
  checkFit,
  largestFit,
  passMemory,
  passTensors,
  scaledSize,
  weightBytes,
  type MemoryLimits,
} from "../src/net/memory.js";
import * as naive from "./support/naive.js";

/**
 * The memory planner decides from shapes alone: these cases plan gigabytes without
 * allocating any of them. Expected figures come from the layer arithmetic written out
 * here (pad 100: conv1 of an H x W image is (H + 198) x (W + 198); 64 channels at full
 * width; float32), not from the planner.
 */
const WASM: MemoryLimits = { backend: "wasm", totalBytes: 2 ** 32, totalWhat: "4 GiB", tensorBytes: null, alternatives: "--backend cpu" };
const fcn8s = modelSpec("fcn8s");
const eighth = modelSpec("fcn8s", { width: 1 / 8 });

describe("the memory planner (shapes only)", () => {
  it("refuses a 4000x3000 photo on the full-width FCN-8s on wasm, from shapes, naming a size that fits", () => {
    const before = tf.memory();
    const conv1 = 4198 * 3198 * 64 * 4; // one conv1 blob: 3.4 GB
    expect(2 * conv1).toBeGreaterThan(2 ** 32); // conv1_1 and conv1_2 alone exceed wasm32's address space
    const r = checkFit(fcn8s, 3000, 4000, WASM, { firstPass: true });
    expect(r.ok).toBe(false);
    expect(r.memory.peakLayer).toBe("conv1_2");
    expect(r.memory.peak).toBeGreaterThan(2 * conv1);
    expect(() => assertFits(fcn8s, 3000, 4000, WASM, { firstPass: true, resizeHint: (n) => `--max-side ${n}` })).toThrow(
      /^input 4000x3000 \(width x height\) is too large for fcn8s on wasm: the pass needs about [\d.]+ GiB at its peak \(while conv1_2 runs\), more than 80% of 4 GiB\. Options: --max-side \d+ \(\d+x\d+ fits\); or --backend cpu\.$/,
    );
    // Nothing was allocated to decide it.
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });

  it("the size it names is the largest that fits: it fits, one pixel more on the longer side does not, same aspect", () => {
    const fit = largestFit(fcn8s, 3000, 4000, WASM, { firstPass: true })!;
    expect(Math.abs(fit[1] / fit[0] - 4 / 3)).toBeLessThan(0.01);
    expect(checkFit(fcn8s, fit[0], fit[1], WASM, { firstPass: true }).ok).toBe(true);
    const [h1, w1] = scaledSize(3000, 4000, fit[1] + 1);
    expect(checkFit(fcn8s, h1, w1, WASM, { firstPass: true }).ok).toBe(false);
    // The error carries the same size.
    try {
      assertFits(fcn8s, 3000, 4000, WASM, { firstPass: true });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputTooLargeError);
      expect((e as InputTooLargeError).fits).toEqual(fit);
    }
  });

  it("on wasm the peak while conv1_2 runs (first pass) is the weights, the input, both conv1 blobs and conv1_2's working buffers", () => {
    const [h, w] = [1000, 1000];
    const side = (h + 198) * (w + 198);
    const weights = weightBytes(fcn8s);
    expect(weights / 4).toBeGreaterThan(134e6); // "about 134M" parameters (REFERENCE.md)
    expect(weights / 4).toBeLessThan(135e6);
    const expected =
      weights + // tfjs's copy of the weights (in a first pass XNNPACK's packed copies come later)
      h * w * 3 * 4 + // the input
      2 * side * 64 * 4 + // conv1_1 and conv1_2
      side * 9 * 4 + // conv1_2's indirection buffer: a 32-bit pointer per output pixel and tap
      2 * 3 * 3 * 64 * 64 * 4; // the throwaway filter copy conv1_2 runs on, and its packing
    const m = passMemory(fcn8s, h, w, "wasm", { firstPass: true });
    expect(m.perLayer.find((l) => l.layer === "conv1_2")!.bytes).toBe(expected);
    expect(m.peakLayer).toBe("conv1_2");
  });

  it("a WebGPU binding limit of 128 MiB fits full-width inputs up to 526 px: (s + 198)^2 x 64 x 4 <= 2^27", () => {
    const gpu: MemoryLimits = { backend: "webgpu", totalBytes: null, tensorBytes: 2 ** 27 };
    expect(largestFit(fcn8s, 5000, 5000, gpu)).toEqual([526, 526]);
    expect((526 + 198) ** 2 * 256).toBeLessThanOrEqual(2 ** 27);
    expect((527 + 198) ** 2 * 256).toBeGreaterThan(2 ** 27);
  });

  it("upscore8 -> score on wasm/cpu needs the output once plus a band, not the 10 outputs it once took", () => {
    const [h, w] = [3000, 4000];
    const score = h * w * 21 * 4; // the output: 1.0 GB
    for (const backend of ["wasm", "cpu"]) {
      const tensors = passTensors(eighth, h, w, backend);
      const up = tensors.filter((t) => t.layer === "upscore8");
      // The fused upsampling makes score directly; the full upsampled blob is never made.
      expect(up.filter((t) => t.kind === "blob").map((t) => [t.what, t.bytes])).toEqual([["score", score]]);
      const scratch = up.filter((t) => t.kind === "scratch").reduce((n, t) => n + t.bytes, 0);
      expect(scratch).toBeLessThan(score / 10);
      expect(tensors.filter((t) => t.layer === "score")).toEqual([]);
    }
    // On a GPU backend (one piece) the blocks hold the whole uncropped output, more than score.
    const gpu = passTensors(eighth, h, w, "webgpu").find((t) => t.what === "upscore8 blocks")!;
    expect(gpu.bytes).toBeGreaterThan(score);
  });

  it("every requested tap stays alive to the end: taps 'all' holds every blob at the last layer", () => {
    const [h, w] = [300, 400];
    const all = passMemory(eighth, h, w, "cpu", { taps: "all" });
    const blobs = passTensors(eighth, h, w, "cpu", { taps: "all" }).filter((t) => t.kind === "blob");
    const last = all.perLayer[all.perLayer.length - 1]!.bytes;
    expect(last).toBe(weightBytes(eighth) + blobs.reduce((n, t) => n + t.bytes, 0));
    expect(passMemory(eighth, h, w, "cpu").peak).toBeLessThan(all.peak);
  });
});

describe("the executor keeps to the plan", () => {
  const spec = modelSpec("fcn8s", { width: 1 / 16, classes: 3 });
  beforeAll(async () => {
    await useBackend("cpu");
  });
  afterEach(() => {
    DECONV_BAND.bytes = 32 * 2 ** 20;
  });

  for (const backend of ["cpu", "wasm"]) {
    it(`${backend}: score computed in many bands, fused with its crop, equals a naive transposed convolution and crop of fuse_pool3`, async () => {
      await useBackend(backend);
      // 4 KiB bands: a block row of upscore8 here is 8 x 10 x 8 x 3 x 4 bytes, so about two rows a band.
      DECONV_BAND.bytes = 4096;
      const params = randomParams(spec, 7);
      const model = new Model(spec, params);
      const upscore8 = (await params.get("upscore8.weight")!.data()) as Float32Array;
      params.forEach((t) => t.dispose());
      const before = tf.memory().numTensors;
      const input = tf.randomNormal([1, 45, 61, 3], 0, 50, "float32", 3) as tf.Tensor4D;
      // upscore8 is not asked for: it is fused with the score crop.
      const taps = model.forward(input, { taps: ["fuse_pool3", "score"] });
      const f = taps.fuse_pool3!;
      const fused = naive.arr(f.shape[1], f.shape[2], f.shape[3], (await f.data()) as Float32Array);
      const up = naive.deconv(fused, upscore8, 16, 8, 3);
      const want = naive.crop(up, 31, 45, 61);
      expect(taps.score!.shape).toEqual([1, 45, 61, 3]);
      expect(naive.relDiff((await taps.score!.data()) as Float32Array, want.data)).toBeLessThan(1e-5);
      Object.values(taps).forEach((t) => t.dispose());
      input.dispose();
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
      await useBackend("cpu");
    });
  }

  it("Model.forward refuses an input the limits cannot hold before allocating anything; memory: false skips the check", () => {
    const params = randomParams(spec, 1);
    const model = new Model(spec, params);
    params.forEach((t) => t.dispose());
    // The weights alone are 2 MiB and a 200x200 pass ~10 MiB: an 8 MiB budget fits only ~100x100.
    const tiny: MemoryLimits = { backend: "cpu", totalBytes: 8 * 2 ** 20, totalWhat: "an 8 MiB test budget", tensorBytes: null };
    const input = tf.zeros([1, 200, 200, 3]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    expect(() => model.forward(input, { memory: tiny })).toThrow(InputTooLargeError);
    expect(() => model.forward(input, { memory: tiny })).toThrow(/more than 80% of an 8 MiB test budget\. Options: resize the image to at most \d+ px/);
    expect(tf.memory().numTensors).toBe(before);
    const taps = model.forward(input, { memory: false });
    expect(taps.score!.shape).toEqual([1, 200, 200, 3]);
    taps.score!.dispose();
    input.dispose();
    model.dispose();
  });

  it("finiteFlags name the first blob that overflows: fc6 with 1e38-scaled (finite) weights, every earlier blob finite", async () => {
    const params = randomParams(spec, 2);
    const fc6 = params.get("fc6.weight")!;
    params.set("fc6.weight", tf.mul(fc6, 1e38)); // ~1e36 each: finite, but their products are not
    fc6.dispose();
    const model = new Model(spec, params);
    params.forEach((t) => t.dispose());
    const input = tf.randomNormal([1, 40, 40, 3], 0, 50, "float32", 5) as tf.Tensor4D;
    const flags = new Map<string, tf.Scalar>();
    const taps = model.forward(input, { finiteFlags: flags });
    expect(await firstNonFinite(flags)).toBe("fc6");
    expect(flags.size).toBe(0); // read and disposed
    const clean = new Map<string, tf.Scalar>();
    const fresh = randomParams(spec, 2);
    const again = new Model(spec, fresh);
    fresh.forEach((t) => t.dispose());
    const ok = again.forward(input, { finiteFlags: clean });
    expect(await firstNonFinite(clean)).toBeNull();
    [taps.score!, ok.score!, input].forEach((t) => t.dispose());
    model.dispose();
    again.dispose();
  });
});
