/**
 * The training layers' gradients against independent references: tfjs's own gradients
 * of the stock ops on the cpu backend (and, for the wasm Conv2DBackpropFilter kernel, a
 * plain loop written from the definition). Odd sizes, batch 2, and the pads the FCNs
 * use (1, 0 with a 7x7 window, 100).
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "../src/backends/index.js";
import { conv, convFilterGrad, crop, deconv, flipFilter, maxPool2x2 } from "../src/train/ops.js";
import { registerWasmTrainingKernels } from "../src/train/wasm-kernels.js";
import { randomArray, relError } from "./support/random.js";

beforeAll(async () => {
  registerWasmTrainingKernels();
  await useBackend("cpu");
});
afterAll(async () => {
  await useBackend("cpu");
});

/** dW[u][v][c][o] = sum over b, y, x of xpad[b][y + u][x + v][c] * dy[b][y][x][o], by loops. */
function naiveFilterGrad(x: Float32Array, xs: number[], dy: Float32Array, k: number, pad: number, co: number): Float64Array {
  const [b, h, w, ci] = xs as [number, number, number, number];
  const ho = h + 2 * pad - k + 1;
  const wo = w + 2 * pad - k + 1;
  const out = new Float64Array(k * k * ci * co);
  for (let n = 0; n < b; n++)
    for (let y = 0; y < ho; y++)
      for (let xx = 0; xx < wo; xx++)
        for (let u = 0; u < k; u++)
          for (let v = 0; v < k; v++) {
            const iy = y + u - pad;
            const ix = xx + v - pad;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            for (let c = 0; c < ci; c++) {
              const xv = x[((n * h + iy) * w + ix) * ci + c]!;
              for (let o = 0; o < co; o++) out[((u * k + v) * ci + c) * co + o]! += xv * dy[((n * ho + y) * wo + xx) * co + o]!;
            }
          }
  return out;
}

const CASES = [
  { name: "3x3 pad 1", shape: [2, 9, 11, 3], k: 3, pad: 1, co: 5 },
  { name: "3x3 pad 100 (conv1_1 of an FCN)", shape: [1, 5, 4, 3], k: 3, pad: 100, co: 2 },
  { name: "7x7 pad 0 (fc6)", shape: [2, 9, 8, 4], k: 7, pad: 0, co: 6 },
  { name: "1x1 (fc7, score layers)", shape: [2, 3, 5, 7], k: 1, pad: 0, co: 4 },
] as const;

describe("Conv2DBackpropFilter on wasm", () => {
  it("is registered and matches a plain loop and the cpu kernel", async () => {
    await useBackend("wasm");
    try {
      expect(tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeDefined();
      for (const c of CASES) {
        const [b, h, w, ci] = c.shape;
        const ho = h + 2 * c.pad - c.k + 1;
        const wo = w + 2 * c.pad - c.k + 1;
        const xData = randomArray(b * h * w * ci, 11);
        const dyData = randomArray(b * ho * wo * c.co, 12);
        const x = tf.tensor4d(xData, [b, h, w, ci]);
        const dy = tf.tensor4d(dyData, [b, ho, wo, c.co]);
        const got = convFilterGrad(x, dy, [c.k, c.k, ci, c.co], c.pad);
        expect(got.shape, c.name).toEqual([c.k, c.k, ci, c.co]);
        const naive = naiveFilterGrad(xData, [...c.shape], dyData, c.k, c.pad, c.co);
        expect(relError(await got.data(), naive), c.name).toBeLessThan(1e-5);
        tf.dispose([x, dy, got]);
      }
    } finally {
      await useBackend("cpu");
    }
  });

  it("splits large problems into row blocks without changing the result", async () => {
    // The kernel's im2col blocks hold 8 Mi floats: with 64 input channels and a 3x3 kernel a
    // row of 130 positions is 130 * 576 floats, so a block is 112 rows and the 2 x 120 rows
    // here take three blocks (112, 112, 16): the last one uneven.
    await useBackend("wasm");
    try {
      const [b, h, w, ci, co] = [2, 120, 130, 64, 4];
      expect(b * h * w * 9 * ci).toBeGreaterThan(2 * 8 * 1024 * 1024);
      const xData = randomArray(b * h * w * ci, 21);
      const dyData = randomArray(b * h * w * co, 22);
      const x = tf.tensor4d(xData, [b, h, w, ci]);
      const dy = tf.tensor4d(dyData, [b, h, w, co]);
      const got = convFilterGrad(x, dy, [3, 3, ci, co], 1);
      expect(relError(await got.data(), naiveFilterGrad(xData, [b, h, w, ci], dyData, 3, 1, co))).toBeLessThan(1e-5);
      tf.dispose([x, dy, got]);
    } finally {
      await useBackend("cpu");
    }
  });
});

describe("conv (custom gradient)", () => {
  for (const c of CASES) {
    for (const relu of [true, false]) {
      it(`${c.name}${relu ? " + ReLU" : ""}: value and gradients equal tfjs's stock conv's`, async () => {
        const [b, h, w, ci] = c.shape;
        const x = tf.tensor4d(randomArray(b * h * w * ci, 1), [b, h, w, ci]);
        const f = tf.tensor4d(randomArray(c.k * c.k * ci * c.co, 2, 0.5), [c.k, c.k, ci, c.co]);
        const bias = tf.tensor1d(randomArray(c.co, 3, 0.2));
        const ho = h + 2 * c.pad - c.k + 1;
        const wo = w + 2 * c.pad - c.k + 1;
        // A weighting of the output, so each output element gets its own gradient.
        const weight = tf.tensor4d(randomArray(b * ho * wo * c.co, 4), [b, ho, wo, c.co]);
        const stock = (xx: tf.Tensor4D, ff: tf.Tensor4D, bb: tf.Tensor1D) => {
          const y = tf.add(tf.conv2d(xx, ff, 1, c.pad === 0 ? "valid" : c.pad), bb);
          return tf.sum(tf.mul(relu ? tf.relu(y) : y, weight));
        };
        const ours = (xx: tf.Tensor4D, ff: tf.Tensor4D, bb: tf.Tensor1D) => tf.sum(tf.mul(conv(xx, ff, bb, { pad: c.pad, relu, inputGrad: true }), weight));
        const gStock = tf.grads((a, b2, c2) => stock(a as tf.Tensor4D, b2 as tf.Tensor4D, c2 as tf.Tensor1D))([x, f, bias]);
        const gOurs = tf.grads((a, b2, c2) => ours(a as tf.Tensor4D, b2 as tf.Tensor4D, c2 as tf.Tensor1D))([x, f, bias]);
        expect(relError(await ours(x, f, bias).data(), await stock(x, f, bias).data())).toBeLessThan(1e-5);
        for (let i = 0; i < 3; i++) {
          expect(gOurs[i]!.shape).toEqual(gStock[i]!.shape);
          expect(relError(await gOurs[i]!.data(), await gStock[i]!.data()), ["dx", "dW", "db"][i]).toBeLessThan(1e-5);
        }
        tf.dispose([x, f, bias, weight, ...gStock, ...gOurs]);
      });
    }
  }

  it("skips the input gradient when asked (the first layer)", () => {
    const x = tf.ones([1, 4, 4, 2]) as tf.Tensor4D;
    const f = tf.ones([3, 3, 2, 2]) as tf.Tensor4D;
    const b = tf.zeros([2]) as tf.Tensor1D;
    const [dx] = tf.grads((a, w, bb) => tf.sum(conv(a as tf.Tensor4D, w as tf.Tensor4D, bb as tf.Tensor1D, { pad: 1, relu: false, inputGrad: false })))([x, f, b]);
    expect(Array.from(dx!.dataSync()).every((v) => v === 0)).toBe(true);
    tf.dispose([x, f, b, dx!]);
  });
});

describe("deconv (quadrant GEMMs, custom gradient)", () => {
  for (const [k, s] of [[4, 2], [16, 8]] as const) {
    it(`k${k} s${s}: value and gradients equal tfjs's conv2dTranspose's`, async () => {
      const [b, h, w, c, out] = [2, 3, 4, 3, 5];
      const x = tf.tensor4d(randomArray(b * h * w * c, 5), [b, h, w, c]);
      const f = tf.tensor4d(randomArray(k * k * out * c, 6), [k, k, out, c]);
      const oh = (h - 1) * s + k;
      const ow = (w - 1) * s + k;
      const weight = tf.tensor4d(randomArray(b * oh * ow * out, 7), [b, oh, ow, out]);
      const stock = (xx: tf.Tensor4D, ff: tf.Tensor4D) => tf.sum(tf.mul(tf.conv2dTranspose(xx, ff, [b, oh, ow, out], s, "valid"), weight));
      const ours = (xx: tf.Tensor4D, ff: tf.Tensor4D) => tf.sum(tf.mul(deconv(xx, ff, s, true), weight));
      expect(relError(await ours(x, f).data(), await stock(x, f).data())).toBeLessThan(1e-5);
      const gs = tf.grads((a, bb) => stock(a as tf.Tensor4D, bb as tf.Tensor4D))([x, f]);
      const go = tf.grads((a, bb) => ours(a as tf.Tensor4D, bb as tf.Tensor4D))([x, f]);
      expect(relError(await go[0]!.data(), await gs[0]!.data()), "dx").toBeLessThan(1e-5);
      expect(relError(await go[1]!.data(), await gs[1]!.data()), "dfilter").toBeLessThan(1e-5);
      // A fixed filter: same input gradient, no filter gradient.
      const gFixed = tf.grads((a, bb) => tf.sum(tf.mul(deconv(a as tf.Tensor4D, bb as tf.Tensor4D, s, false), weight)))([x, f]);
      expect(relError(await gFixed[0]!.data(), await gs[0]!.data())).toBeLessThan(1e-5);
      expect(Array.from(await gFixed[1]!.data()).every((v) => v === 0)).toBe(true);
      tf.dispose([x, f, weight, ...gs, ...go, ...gFixed]);
    });
  }
});

describe("maxPool2x2 (custom gradient)", () => {
  it("value: the ceil-mode 2x2 max of a plain loop on odd sizes (the lone last row and column pooled alone), negatives included", async () => {
    const [b, h, w, c] = [2, 7, 9, 3];
    const data = randomArray(b * h * w * c, 33); // values in both signs: a zero-padded pool would differ
    const got = await maxPool2x2(tf.tensor4d(data, [b, h, w, c])).data();
    const [oh, ow] = [Math.ceil(h / 2), Math.ceil(w / 2)];
    expect(got.length).toBe(b * oh * ow * c);
    for (let n = 0; n < b; n++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++)
          for (let ch = 0; ch < c; ch++) {
            let m = -Infinity;
            for (let y = 2 * i; y < Math.min(h, 2 * i + 2); y++)
              for (let x = 2 * j; x < Math.min(w, 2 * j + 2); x++) m = Math.max(m, data[((n * h + y) * w + x) * c + ch]!);
            expect(got[((n * oh + i) * ow + j) * c + ch]).toBe(Math.fround(m));
          }
  });

  it("value and gradient equal tfjs's maxPool 'same' on odd sizes, with ties", async () => {
    // Quantized values make ties frequent, as flat background does after a conv + ReLU.
    const x = tf.tensor4d(Float32Array.from(randomArray(2 * 7 * 9 * 3, 31), (v) => Math.max(0, Math.round(v * 2))), [2, 7, 9, 3]);
    const weight = tf.tensor4d(randomArray(2 * 4 * 5 * 3, 32), [2, 4, 5, 3]);
    const stock = (a: tf.Tensor4D) => tf.sum(tf.mul(tf.maxPool(a, 2, 2, "same"), weight));
    const ours = (a: tf.Tensor4D) => tf.sum(tf.mul(maxPool2x2(a), weight));
    expect(await ours(x).data()).toEqual(await stock(x).data());
    const gs = tf.grad((a) => stock(a as tf.Tensor4D))(x);
    const go = tf.grad((a) => ours(a as tf.Tensor4D))(x);
    expect(Array.from(await go.data())).toEqual(Array.from(await gs.data()));
    tf.dispose([x, weight, gs, go]);
  });
});

describe("helpers", () => {
  it("flipFilter rotates 180 degrees and swaps in/out", async () => {
    const [k, ci, co] = [3, 2, 4];
    const data = randomArray(k * k * ci * co, 8);
    const f = tf.tensor4d(data, [k, k, ci, co]);
    const got = await flipFilter(f).data();
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++)
        for (let o = 0; o < co; o++)
          for (let c = 0; c < ci; c++) {
            expect(got[((i * k + j) * co + o) * ci + c]).toBe(data[(((k - 1 - i) * k + (k - 1 - j)) * ci + c) * co + o]);
          }
    f.dispose();
  });

  it("crop equals a 4-D slice", async () => {
    const x = tf.tensor4d(randomArray(2 * 7 * 9 * 3, 9), [2, 7, 9, 3]);
    const a = crop(x, 2, 3, 4, 5);
    const b = tf.slice(x, [0, 2, 3, 0], [2, 4, 5, 3]);
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    tf.dispose([x, a, b]);
  });
});
