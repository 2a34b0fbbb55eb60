import { NetBuilder } from "../net/builder.js";
import type { NetSpec } from "../net/spec.js";
import type { VggOptions } from "../vgg16.js";
import { FCN_FIRST_PAD, VOC_CLASSES_DEFAULT } from "./common.js";
import { INPUT_CHANNELS, convolutionalHead, vgg16Body } from "./vgg16.js";

/**
 * FCN-32s: the convolutionalized VGG16 with a class-score layer, upsampled 32x in one
 * step by a transposed convolution (initialized bilinear), then cropped back onto the
 * input. The crop offset (19) falls out of the coordinate maps.
 */
export function fcn32sSpec(o: VggOptions = {}): NetSpec {
  const net = new NetBuilder("fcn32s", o.classes ?? VOC_CLASSES_DEFAULT, o.width ?? 1);
  const data = net.input("data", INPUT_CHANNELS);
  const { pool5 } = vgg16Body(net, data, FCN_FIRST_PAD);
  const scoreFr = convolutionalHead(net, pool5!, "score_fr");

  const upscore = net.deconv("upscore", scoreFr, { kernel: 64, stride: 32 });
  const score = net.crop("score", upscore, data);
  return net.build(score);
}
