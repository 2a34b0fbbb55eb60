/**
 * Turning digit images into network inputs and targets. The weights trained here
 * expect grey digits as RGB scaled to 0..1 with no mean subtracted: the black
 * background is then 0, the same value as the convolutions' zero padding (conv1_1's
 * pad 100 of the FCNs pads with "background", as Caffe's mean subtraction pads with the
 * mean colour). The Preprocess travels in the weight files' metadata.
 */
import * as tf from "@tensorflow/tfjs";
import { toRgb, type DigitImage, type SegScene } from "../data/scenes.js";
import { preprocessPixels, type Preprocess } from "../preprocess.js";

export const DIGITS_PREPROCESS: Preprocess = {
  channelOrder: "RGB",
  scale: 1 / 255,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  source: "fcn-viz digit weights: grey digits as RGB, 0..1, no mean subtracted (black background = 0 = the zero padding)",
};

/** A batch of grey images as a preprocessed [B, S, S, 3] input. */
export function inputBatch(images: readonly DigitImage[], p: Preprocess = DIGITS_PREPROCESS): tf.Tensor4D {
  if (images.length === 0) throw new Error("inputBatch: no images");
  const size = images[0]!.size;
  const data = new Float32Array(images.length * size * size * 3);
  images.forEach((img, i) => {
    if (img.size !== size) throw new Error(`inputBatch: images of different sizes (${size} and ${img.size})`);
    data.set(preprocessPixels(toRgb(img).rgb, p), i * size * size * 3);
  });
  return tf.tensor4d(data, [images.length, size, size, 3]);
}

/** Per-pixel targets of a batch of scenes: [B, S, S] int32 (IGNORE stays 255). */
export function labelBatch(scenes: readonly SegScene[]): tf.Tensor3D {
  const size = scenes[0]!.size;
  const data = new Int32Array(scenes.length * size * size);
  scenes.forEach((s, i) => data.set(s.labels, i * size * size));
  return tf.tensor3d(data, [scenes.length, size, size], "int32");
}
