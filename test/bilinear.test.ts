import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { bilinearFilter, bilinearKernel } from "../core/bilinear.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("bilinear kernel", () => {
  it("k=4 (the 2x upsampling): outer product of [1/4, 3/4, 3/4, 1/4]", () => {
    const v = [0.25, 0.75, 0.75, 0.25];
    expect([...bilinearKernel(4)]).toEqual(v.flatMap((a) => v.map((b) => a * b)));
  });
  it("k=3 (odd): outer product of [1/2, 1, 1/2]", () => {
    const v = [0.5, 1, 0.5];
    expect([...bilinearKernel(3)]).toEqual(v.flatMap((a) => v.map((b) => a * b)));
  });
  it("k=16 and k=64 follow the formula of REFERENCE.md", () => {
    for (const k of [16, 64]) {
      const f = Math.floor((k + 1) / 2);
      const centre = f - 0.5;
      const w = bilinearKernel(k);
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
        expect(w[i * k + j]).toBeCloseTo((1 - Math.abs(i - centre) / f) * (1 - Math.abs(j - centre) / f), 6);
      }
    }
  });
  it("is placed on the class diagonal only", () => {
    const k = 4;
    const c = 3;
    const f = bilinearFilter(k, c);
    const kernel = bilinearKernel(k);
    for (let p = 0; p < k * k; p++) for (let o = 0; o < c; o++) for (let i = 0; i < c; i++) {
      expect(f[(p * c + o) * c + i]).toBe(o === i ? kernel[p] : 0);
    }
  });
  it("a stride-s transposed conv of a ramp reproduces linear interpolation in the interior", async () => {
    for (const [k, s] of [[4, 2], [16, 8], [64, 32]] as const) {
      const n = 6;
      const ramp = tf.tensor4d(Array.from({ length: n * n }, (_, i) => (i % n) * 3 + Math.floor(i / n)), [1, n, n, 1]);
      const out = (n - 1) * s + k;
      const up = tf.conv2dTranspose(ramp, tf.tensor4d(bilinearFilter(k, 1), [k, k, 1, 1]), [1, out, out, 1], s, "valid");
      const d = await up.data();
      // Output pixel y sits at input coordinate (y - (k - 1) / 2) / s (the deconv's
      // coordinate map); away from the borders the value there is the ramp's 3x + y.
      for (let y = k; y < out - k; y++) for (let x = k; x < out - k; x++) {
        const iy = (y - (k - 1) / 2) / s;
        const ix = (x - (k - 1) / 2) / s;
        expect(d[y * out + x]).toBeCloseTo(3 * ix + iy, 4);
      }
      ramp.dispose();
      up.dispose();
    }
  });
});
