import { NetBuilder } from "../net/builder.js";
import type { NetSpec } from "../net/spec.js";
import type { VggOptions } from "../vgg16.js";
import { FCN_FIRST_PAD, VOC_CLASSES_DEFAULT } from "./common.js";
import { INPUT_CHANNELS, convolutionalHead, vgg16Body } from "./vgg16.js";

/**
 * The at-once FCN-8s' constant scalings (voc-fcn8s-atonce's Scale layers, by layer name):
 * pool4 x0.01 and pool3 x0.0001 before their score layers, so the skips start small next to
 * the 1/32 path. The builder below and the .caffemodel reader's check both read them here.
 */
export const AT_ONCE_SCALES = { scale_pool4: 0.01, scale_pool3: 0.0001 } as const;

export interface Fcn8sOptions extends VggOptions {
  /**
   * The "at-once" variant trained in one stage: pool4 is scaled by 0.01 and pool3 by
   * 0.0001 before their score layers, so the skips start small next to the 1/32 path.
   */
  readonly atOnce?: boolean;
}

/**
 * FCN-8s, the paper's best net, in the authors' geometry (voc-fcn8s):
 *
 *   image -> VGG16 body (conv1_1 pad 100, ceil-mode pools) -> fc6 (7x7) -> fc7 -> score_fr  1/32
 *   upscore2      = 2x transposed conv of score_fr                                          1/16
 *   score_pool4c  = 1x1 scores from pool4, cropped onto upscore2's grid (offset 5)
 *   fuse_pool4    = upscore2 + score_pool4c
 *   upscore_pool4 = 2x transposed conv of fuse_pool4                                        1/8
 *   score_pool3c  = 1x1 scores from pool3, cropped onto upscore_pool4's grid (offset 9)
 *   fuse_pool3    = upscore_pool4 + score_pool3c
 *   upscore8      = 8x transposed conv of fuse_pool3                                        1/1
 *   score         = upscore8 cropped onto the image (offset 31)
 *
 * Every line is a named blob, and every blob is a tap. The crop offsets are not written
 * here: NetBuilder.crop derives them from the layers' coordinate maps.
 */
export function fcn8sSpec(o: Fcn8sOptions = {}): NetSpec {
  const net = new NetBuilder("fcn8s", o.classes ?? VOC_CLASSES_DEFAULT, o.width ?? 1);
  const data = net.input("data", INPUT_CHANNELS);
  const { pool3, pool4, pool5 } = vgg16Body(net, data, FCN_FIRST_PAD);
  const scoreFr = convolutionalHead(net, pool5!, "score_fr");

  const upscore2 = net.deconv("upscore2", scoreFr, { kernel: 4, stride: 2 });
  const pool4In = o.atOnce ? net.scale("scale_pool4", pool4!, AT_ONCE_SCALES.scale_pool4) : pool4!;
  const scorePool4 = net.conv("score_pool4", pool4In, { kernel: 1, out: net.classes });
  const scorePool4c = net.crop("score_pool4c", scorePool4, upscore2);
  const fusePool4 = net.sum("fuse_pool4", upscore2, scorePool4c);

  const upscorePool4 = net.deconv("upscore_pool4", fusePool4, { kernel: 4, stride: 2 });
  const pool3In = o.atOnce ? net.scale("scale_pool3", pool3!, AT_ONCE_SCALES.scale_pool3) : pool3!;
  const scorePool3 = net.conv("score_pool3", pool3In, { kernel: 1, out: net.classes });
  const scorePool3c = net.crop("score_pool3c", scorePool3, upscorePool4);
  const fusePool3 = net.sum("fuse_pool3", upscorePool4, scorePool3c);

  const upscore8 = net.deconv("upscore8", fusePool3, { kernel: 16, stride: 8 });
  const score = net.crop("score", upscore8, data);
  return net.build(score);
}
