/**
 * Preprocessing belongs to the weights, not to the model: Caffe-trained VGG16/FCN
 * weights expect BGR, 0..255, minus a per-channel mean; other weights may expect
 * something else. A weight file carries its Preprocess (see src/weights); the model
 * only ever sees the preprocessed array.
 */
export interface Preprocess {
  /** Channel order the weights expect. */
  readonly channelOrder: "RGB" | "BGR";
  /** Multiply 0..255 pixel values by this first (1 for Caffe weights). */
  readonly scale: number;
  /** Subtracted after scaling, in `channelOrder`. */
  readonly mean: readonly [number, number, number];
  /** Divided by after subtracting the mean ([1, 1, 1] for Caffe weights). */
  readonly std: readonly [number, number, number];
  /** Where these numbers come from, for the user. */
  readonly source: string;
}

/** The authors' FCN / Caffe VGG16: BGR, 0..255, mean (B, G, R) from the ILSVRC training set. */
export const CAFFE_FCN_PREPROCESS: Preprocess = {
  channelOrder: "BGR",
  scale: 1,
  mean: [104.00699, 116.66877, 122.67892],
  std: [1, 1, 1],
  source: "FCN reference (Caffe): BGR, 0..255, mean (104.00699, 116.66877, 122.67892)",
};

/**
 * The VGG authors' own Caffe release (VGG_ILSVRC_16_layers.caffemodel): BGR, 0..255, minus
 * the mean pixel they publish with it. (FCN, fine-tuned from these weights, uses the
 * ILSVRC mean above instead; the two differ by under 1 on 0..255.)
 */
export const VGG16_CAFFE_PREPROCESS: Preprocess = {
  channelOrder: "BGR",
  scale: 1,
  mean: [103.939, 116.779, 123.68],
  std: [1, 1, 1],
  source: "VGG authors' Caffe VGG16: BGR, 0..255, mean pixel (103.939, 116.779, 123.68)",
};

/** Keras' VGG16 ('caffe' mode of preprocess_input). */
export const KERAS_VGG16_PREPROCESS: Preprocess = {
  channelOrder: "BGR",
  scale: 1,
  mean: [103.939, 116.779, 123.68],
  std: [1, 1, 1],
  source: "Keras VGG16 ('caffe' mode): BGR, 0..255, mean (103.939, 116.779, 123.68)",
};

/**
 * RGB uint8-range pixels (H*W*3, row-major) to the weights' input: a Float32Array in
 * the channel order, scale and normalization of `p`.
 */
export function preprocessPixels(rgb: ArrayLike<number>, p: Preprocess): Float32Array {
  if (rgb.length % 3 !== 0) throw new Error(`expected RGB pixels (3 values each), got ${rgb.length} values`);
  const out = new Float32Array(rgb.length);
  const order = p.channelOrder === "BGR" ? [2, 1, 0] : [0, 1, 2];
  for (let i = 0; i < rgb.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      out[i + c] = (rgb[i + order[c]!]! * p.scale - p.mean[c]!) / p.std[c]!;
    }
  }
  return out;
}

export function isPreprocess(x: unknown): x is Preprocess {
  const p = x as Preprocess;
  return (
    !!p &&
    (p.channelOrder === "RGB" || p.channelOrder === "BGR") &&
    typeof p.scale === "number" &&
    Array.isArray(p.mean) && p.mean.length === 3 &&
    Array.isArray(p.std) && p.std.length === 3
  );
}
