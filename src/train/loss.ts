/**
 * The paper's loss: per-pixel multinomial logistic loss (softmax cross-entropy), with
 * ignore pixels left out. Averaged over the scored pixels (the authors' Caffe nets sum
 * it and compensate with a tiny learning rate; the mean keeps one learning rate valid
 * across image sizes and batch sizes).
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Mean cross-entropy of class scores [B, H, W, C] against labels [B, H, W] (int32);
 * labels outside 0..C-1 (IGNORE = 255) are not scored. oneHot gives them an all-zero
 * row, so they add nothing to the sum and are not counted. Returns a scalar; 0 when no
 * pixel is scored.
 */
export function pixelCrossEntropy(scores: tf.Tensor4D, labels: tf.Tensor3D): tf.Scalar {
  return tf.tidy(() => {
    const c = scores.shape[3];
    const target = tf.oneHot(labels.reshape([-1]), c);
    const logp = tf.logSoftmax(scores.reshape([-1, c]));
    const scored = tf.sum(target);
    // Summed row by row, then the rows: one float32 sum over ~10^5 pixels drifts by ~1e-3
    // (a zero score layer's loss came out 2.3950 instead of ln 11 = 2.3979); two levels keep
    // it near 1e-6. The gradient is the same either way.
    const [b, h, w] = scores.shape;
    const perPixel = tf.sum(tf.mul(target, logp), 1).reshape([b * h, w]);
    return tf.neg(tf.sum(tf.sum(perPixel, 1))).div(tf.maximum(scored, 1)) as tf.Scalar;
  });
}

/** Mean cross-entropy of classifier logits [B, 1, 1, C] or [B, C] against labels [B]. */
export function classCrossEntropy(logits: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const c = logits.shape[logits.rank - 1]!;
    const target = tf.oneHot(labels, c);
    const logp = tf.logSoftmax(logits.reshape([-1, c]));
    return tf.neg(tf.sum(tf.mul(target, logp))).div(labels.shape[0]) as tf.Scalar;
  });
}
