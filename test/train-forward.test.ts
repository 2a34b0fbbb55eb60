/**
 * The training forward pass (batched, differentiable, parameters as tensors) gives,
 * for the same parameters, the same taps as the inference executor behind
 * Model.forward, for every model, with learned (non-bilinear, non-diagonal)
 * upsampling; and images in a batch do not mix.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "../src/backends/index.js";
import { Model } from "../src/model.js";
import { modelSpec } from "../src/models/index.js";
import { randomParams } from "../src/net/init.js";
import { tapNames } from "../src/net/spec.js";
import { trainForward } from "../src/train/forward.js";
import { randomArray, relError } from "./support/random.js";

beforeAll(async () => {
  await useBackend("cpu");
});

const CASES = [
  { model: "vgg16", width: 1 / 64, classes: 10, h: 224, w: 224 },
  { model: "vgg16-fcn", width: 1 / 64, classes: 10, h: 229, w: 261 },
  { model: "fcn32s", width: 1 / 32, classes: 5, h: 37, w: 45 },
  { model: "fcn16s", width: 1 / 32, classes: 5, h: 37, w: 45 },
  { model: "fcn8s", width: 1 / 32, classes: 5, h: 37, w: 45 },
] as const;

describe("trainForward agrees with Model.forward", () => {
  for (const c of CASES) {
    it(`${c.model}: every tap, batch of 2`, async () => {
      const spec = modelSpec(c.model, { width: c.width, classes: c.classes });
      const params = randomParams(spec, 3);
      // Learned upsampling: arbitrary values, so a swapped in/out or a wrong quadrant shows.
      for (const [name, t] of [...params]) {
        if (!/^upscore/.test(name)) continue;
        params.set(name, tf.tensor(randomArray(t.size, 5, 0.5), t.shape));
        t.dispose();
      }
      // Non-zero biases too (randomParams starts them at zero).
      for (const [name, t] of [...params]) {
        if (!name.endsWith(".bias")) continue;
        params.set(name, tf.tensor(randomArray(t.size, 6, 0.1), t.shape));
        t.dispose();
      }
      const model = new Model(spec, params);
      const images = [0, 1].map((i) => tf.tensor4d(randomArray(c.h * c.w * 3, 10 + i, 100), [1, c.h, c.w, 3]));
      const batch = tf.concat(images, 0) as tf.Tensor4D;
      const names = tapNames(spec).filter((n) => n !== "data");
      const ours = trainForward(spec, params, batch, { taps: names });
      for (const [i, image] of images.entries()) {
        const ref = model.forward(image, { taps: names });
        for (const name of names) {
          const mine = tf.slice(ours[name]!, [i, 0, 0, 0], [1, -1, -1, -1]);
          expect(mine.shape, name).toEqual(ref[name]!.shape);
          expect(relError(await mine.data(), await ref[name]!.data()), `${c.model} ${name} image ${i}`).toBeLessThan(2e-5);
          mine.dispose();
        }
        Object.values(ref).forEach((t) => t.dispose());
      }
      tf.dispose([...images, batch, ...Object.values(ours)]);
      params.forEach((t) => t.dispose());
      model.dispose();
    });
  }
});
