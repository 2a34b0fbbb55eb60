/**
 * Backends: each one available here computes what cpu computes; failures are loud; the
 * WebGPU 128 MiB binding trap is real and splitting filters cures it.
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { describeBackend, maxBufferBytes, takeGpuErrors, useBackend, type BackendInfo } from "../src/backends/index.js";
import { conv2dChunked, planOutputChunks, splitConvFilter } from "../src/net/filter-chunks.js";
import { webgpuOrSkip } from "./support/webgpu.js";
import { randomArray, relError } from "./support/random.js";

// The FCN's three kinds of layer, at odd sizes so edge handling matters.
const X = { shape: [1, 37, 41, 8] as [number, number, number, number], data: randomArray(37 * 41 * 8, 1) };
const F1 = { shape: [3, 3, 8, 16] as [number, number, number, number], data: randomArray(3 * 3 * 8 * 16, 2, 0.3) };
const F2 = { shape: [4, 4, 5, 16] as [number, number, number, number], data: randomArray(4 * 4 * 5 * 16, 3, 0.3) }; // [kH, kW, out, in]
const PAD: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [5, 5], [5, 5], [0, 0]];

/** conv 3x3 (explicit pad 5) -> relu -> maxPool 2x2/2 'same' -> conv2dTranspose 4x4/2. */
async function smallNet(): Promise<{ shape: number[]; data: Float32Array }> {
  const y = tf.tidy(() => {
    const x = tf.tensor4d(X.data, X.shape);
    const c = tf.relu(tf.conv2d(x, tf.tensor4d(F1.data, F1.shape), 1, PAD)); // 1x45x49x16
    const p = tf.maxPool(c, 2, 2, "same"); // 1x23x25x16
    const [, h, w] = p.shape;
    return tf.conv2dTranspose(p, tf.tensor4d(F2.data, F2.shape), [1, (h - 1) * 2 + 4, (w - 1) * 2 + 4, 5], 2, "valid");
  });
  const data = (await y.data()) as Float32Array;
  const shape = y.shape;
  y.dispose();
  return { shape, data };
}

let reference: { shape: number[]; data: Float32Array };

beforeAll(async () => {
  await useBackend("cpu");
  reference = await smallNet();
  expect(reference.shape).toEqual([1, 48, 52, 5]);
});

afterEach(async () => {
  await useBackend("cpu"); // every test leaves tfjs on cpu
  expect(tf.getBackend()).toBe("cpu");
});

afterAll(async () => {
  await useBackend("cpu");
});

describe("useBackend: names and errors", () => {
  it("rejects an unknown name, listing the valid ones", async () => {
    await expect(useBackend("nope")).rejects.toThrow('Unknown backend "nope". Valid backends: auto, webgpu, webgl, wasm, cpu.');
  });

  it("explains that WebGL needs a browser, and leaves the previous backend running", async () => {
    await useBackend("wasm");
    await expect(useBackend("webgl")).rejects.toThrow("WebGL needs a browser; in Node use webgpu, wasm or cpu");
    expect(tf.getBackend()).toBe("wasm");
  });

  it("cpu: plain, and no weight limit", async () => {
    const info = await useBackend("CPU ");
    expect(info).toMatchObject({ name: "cpu", requested: "cpu" });
    expect(describeBackend()).toBe("cpu (pure JS)");
    expect(maxBufferBytes()).toBeNull();
  });

  it("auto here: picks wasm and says why there is no GPU", async () => {
    const lines: string[] = [];
    const info = await useBackend("auto", { log: (l) => lines.push(l) });
    console.log(`auto -> ${info.name}: ${info.reason}`);
    if (info.name === "webgpu") {
      // A machine with a real GPU: only a hardware adapter may be chosen automatically.
      expect(info.adapter?.software).toBe(false);
      return;
    }
    expect(info.name).toBe("wasm");
    expect(info.requested).toBe("auto");
    // One XNNPACK thread per core (threaded build), or 1 with the reason appended after "; ".
    expect(info.reason).toMatch(/^auto: no GPU adapter \(.+\), using WASM \(SIMD, \d+ threads?\)(; .+)?$/);
    expect(describeBackend()).toMatch(/^wasm \(SIMD, \d+ threads?\)$/);
    expect(lines.some((l) => l.startsWith("auto: no webgpu:"))).toBe(true);
    expect(lines.at(-1)).toMatch(/^backend: wasm/);
    expect(maxBufferBytes()).toBeNull();
  });
});

describe("backends agree with cpu (conv2d, maxPool 'same', conv2dTranspose)", () => {
  it("wasm", async () => {
    const info = await useBackend("wasm");
    expect(info.name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    const got = await smallNet();
    expect(got.shape).toEqual(reference.shape);
    expect(relError(got.data, reference.data)).toBeLessThan(1e-4);
  });

  it("webgpu (Dawn; here a software OpenGL ES adapter)", async (ctx) => {
    const info = await webgpuOrSkip(ctx);
    console.log(`webgpu: ${describeBackend()}\n  reason: ${info.reason}`);
    expect(info.name).toBe("webgpu");
    expect(tf.getBackend()).toBe("webgpu");
    expect(info.adapter).toBeDefined();
    const adapter = info.adapter!;
    expect(maxBufferBytes()).toBe(adapter.maxStorageBufferBindingSize);
    expect(info.reason).toMatch(/^requested; /);
    if (adapter.software) expect(info.reason).toMatch(/software adapter/);
    expect(describeBackend()).toMatch(/^webgpu on .+; max storage binding \d+ MiB$/);
    const got = await smallNet();
    expect(got.shape).toEqual(reference.shape);
    expect(relError(got.data, reference.data)).toBeLessThan(1e-4);
    expect(await takeGpuErrors()).toEqual([]);
  });
});

describe("splitting conv filters along output channels", () => {
  it("plans balanced chunks under the limit (fc6 at 128 MiB: 4 x 1024)", () => {
    expect(planOutputChunks([7, 7, 512, 4096], 128 * 2 ** 20)).toEqual([1024, 1024, 1024, 1024]);
    expect(planOutputChunks([3, 3, 8, 10], 3 * 3 * 8 * 4 * 3)).toEqual([3, 3, 2, 2]);
    expect(planOutputChunks([1, 1, 4, 7], 1e9)).toEqual([7]);
    expect(() => planOutputChunks([7, 7, 512, 8], 1000)).toThrow(/one output channel .* above the limit 1000/);
  });

  it("split + concat equals the unsplit conv (cpu)", async () => {
    const f = { shape: [3, 3, 8, 10], data: randomArray(3 * 3 * 8 * 10, 4) };
    const parts = splitConvFilter(f, 3 * 3 * 8 * 4 * 3);
    expect(parts.map((p) => p.shape)).toEqual([[3, 3, 8, 3], [3, 3, 8, 3], [3, 3, 8, 2], [3, 3, 8, 2]]);
    const x = tf.tensor4d(X.data, X.shape);
    const whole = tf.conv2d(x, tf.tensor4d(f.data, [3, 3, 8, 10]), 1, "same");
    const split = conv2dChunked(x, parts, 1, "same");
    expect(split.shape).toEqual(whole.shape);
    expect(relError(await split.data(), await whole.data())).toBe(0);
    // A tensor input works too, and one that fits comes back as a single chunk.
    const asTensor = tf.tensor4d(f.data, [3, 3, 8, 10]);
    expect(splitConvFilter(asTensor, 1e9).map((p) => p.shape)).toEqual([[3, 3, 8, 10]]);
    expect(splitConvFilter(asTensor, 3 * 3 * 8 * 4 * 5).length).toBe(2);
    tf.dispose([x, whole, split, asTensor, ...parts]);
  });

  it("webgpu: a filter above maxStorageBufferBindingSize gives garbage unsplit; split, it matches", async (ctx) => {
    await webgpuOrSkip(ctx);
    const limit = maxBufferBytes()!;
    const cin = 512;
    const perChannel = 7 * 7 * cin * 4;
    // 7x7x512x2560 (251 MB) against a 128 MiB limit, as in the brief; otherwise just above.
    const cout = 2560 * perChannel > limit ? 2560 : Math.floor(limit / perChannel) + 1;
    if (cout * perChannel > 1.5 * 2 ** 30) ctx.skip(`limit ${limit} B is too large to exceed cheaply in a test`);
    console.log(`trap: filter 7x7x${cin}x${cout} = ${(cout * perChannel / 2 ** 20).toFixed(0)} MiB, limit ${(limit / 2 ** 20).toFixed(0)} MiB`);

    const xData = randomArray(7 * 7 * cin, 5);
    const filter = { shape: [7, 7, cin, cout], data: randomArray(7 * 7 * cin * cout, 6, 0.05) };
    // Reference in float64 on the host: 'valid' 7x7 conv of a 7x7 input = one dot product per channel.
    const expected = new Float64Array(cout);
    for (let i = 0; i < xData.length; i++) {
      const xi = xData[i]!;
      const row = filter.data.subarray(i * cout, (i + 1) * cout);
      for (let c = 0; c < cout; c++) expected[c] += xi * row[c]!;
    }

    const x = tf.tensor4d(xData, [1, 7, 7, cin]);
    await takeGpuErrors(); // start clean

    // Unsplit: no exception, just a validation error and a wrong answer.
    const whole = tf.tensor4d(filter.data, [7, 7, cin, cout]);
    const bad = tf.conv2d(x, whole, 1, "valid");
    const badData = await bad.data();
    const errors = await takeGpuErrors();
    expect(errors.join("\n")).toMatch(/larger than the maximum storage buffer binding size/);
    expect(relError(badData, expected)).toBeGreaterThan(0.5);
    tf.dispose([bad, whole]);

    // Split on the host into chunks below the limit: right answer, no errors.
    const parts = splitConvFilter(filter, limit);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    for (const p of parts) expect(p.size * 4).toBeLessThanOrEqual(limit);
    const good = conv2dChunked(x, parts, 1, "valid");
    expect(good.shape).toEqual([1, 1, 1, cout]);
    expect(relError(await good.data(), expected)).toBeLessThan(1e-4);
    expect(await takeGpuErrors()).toEqual([]);
    tf.dispose([good, x, ...parts]);
  });
});
