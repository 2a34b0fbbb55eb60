import { NetBuilder } from "../net/builder.js";
import type { NetSpec } from "../net/spec.js";
import type { VggOptions } from "../vgg16.js";
import { FCN_FIRST_PAD, VOC_CLASSES_DEFAULT } from "./common.js";
import { INPUT_CHANNELS, convolutionalHead, vgg16Body } from "./vgg16.js";

/**
 * FCN-16s: the 1/32 scores upsampled 2x, fused with scores predicted from pool4 (a
 * finer, 1/16 grid), then upsampled 16x onto the input.
 */
export function fcn16sSpec(o: VggOptions = {}): NetSpec {
  const net = new NetBuilder("fcn16s", o.classes ?? VOC_CLASSES_DEFAULT, o.width ?? 1);
  const data = net.input("data", INPUT_CHANNELS);
  const { pool4, pool5 } = vgg16Body(net, data, FCN_FIRST_PAD);
  const scoreFr = convolutionalHead(net, pool5!, "score_fr");

  // 1/32 -> 1/16, then add what pool4 sees at 1/16 (cropped onto the same grid: 5).
  const upscore2 = net.deconv("upscore2", scoreFr, { kernel: 4, stride: 2 });
  const scorePool4 = net.conv("score_pool4", pool4!, { kernel: 1, out: net.classes });
  const scorePool4c = net.crop("score_pool4c", scorePool4, upscore2);
  const fusePool4 = net.sum("fuse_pool4", upscore2, scorePool4c);

  // 1/16 -> the input (crop 27).
  const upscore16 = net.deconv("upscore16", fusePool4, { kernel: 32, stride: 16 });
  const score = net.crop("score", upscore16, data);
  return net.build(score);
}
