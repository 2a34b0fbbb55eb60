/**
 * Taps as plain arrays: run a net on one image, read the taps wanted, free every tensor.
 * What the figures and the metrics take is { data, shape } (core/arrays.ts), so a cell
 * reads
 *
 *   const { score_fr, score } = await run(net, scene, ["score_fr", "score"]);
 *
 * and leaves no tensor behind.
 */
import * as tf from "@tensorflow/tfjs";
import type { RgbImage } from "../../core/image.js";
import type { DigitImage } from "../data/scenes.js";
import type { Model } from "../model.js";
import { inputBatch } from "../train/batch.js";

/** A tap read back from the backend: flat float32 data (NHWC) and its shape [1, H, W, C]. */
export interface TapArray {
  data: Float32Array;
  shape: number[];
}

/** What `run` takes: a digit image or scene (grey), an RGB image, or a preprocessed [1, H, W, 3] tensor. */
export type RunInput = DigitImage | RgbImage | tf.Tensor4D;

/**
 * Runs `net` on one input and returns the taps `names` as plain arrays. A digit image
 * goes in as `inputBatch` makes it (grey as RGB, the net's preprocessing), an RGB image as
 * `net.inputFromImage` makes it, a tensor as it is. Every tensor made here (the input,
 * the taps) is disposed, also when the net throws (an unknown tap name, an input too
 * large for the backend); a tensor passed in stays the caller's.
 */
export async function run<T extends string>(net: Model, input: RunInput, names: readonly T[]): Promise<Record<T, TapArray>> {
  const x = input instanceof tf.Tensor ? input : "pixels" in input ? inputBatch([input], net.preprocess) : net.inputFromImage(input);
  try {
    const taps = net.forward(x, { taps: [...names] });
    try {
      const out = {} as Record<T, TapArray>;
      for (const name of names) out[name] = { data: (await taps[name]!.data()) as Float32Array, shape: taps[name]!.shape };
      return out;
    } finally {
      Object.values(taps).forEach((t) => t.dispose());
    }
  } finally {
    if (x !== input) x.dispose();
  }
}
