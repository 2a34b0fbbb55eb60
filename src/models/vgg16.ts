import { NetBuilder } from "../net/builder.js";
import type { NetSpec } from "../net/spec.js";
import {
  IMAGENET_CLASSES,
  VGG16_CONV_KERNEL,
  VGG16_INPUT_SIZE,
  VGG16_POOL,
  VGG16_TABLE,
  scaledChannels,
  type VggOptions,
  type VggRow,
} from "../vgg16.js";

/** RGB or BGR: three input channels. */
export const INPUT_CHANNELS = 3;

/**
 * The 13 convolutions and 5 pools of VGG16, read from the layer table. `firstPad` is
 * conv1_1's padding: 1 in VGG16, 100 in the FCNs (the authors' trick that keeps the
 * output alignable to the input for any input size). Returns the blob names of the
 * pools, which the FCNs' skips read.
 */
export function vgg16Body(net: NetBuilder, input: string, firstPad: number): Record<string, string> {
  const blobs: Record<string, string> = {};
  let x = input;
  for (const row of VGG16_TABLE) {
    if (row.kind === "conv") {
      const pad = row.name === "conv1_1" ? firstPad : (VGG16_CONV_KERNEL - 1) / 2;
      x = net.conv(row.name, x, { kernel: VGG16_CONV_KERNEL, out: scaledChannels(row.channels, net.width), pad, relu: true });
    } else if (row.kind === "pool") {
      x = net.pool(row.name, x, VGG16_POOL);
    } else {
      continue;
    }
    blobs[row.name] = x;
  }
  return blobs;
}

type FcRow = Extract<VggRow, { kind: "fc" }>;

function fcRows(): FcRow[] {
  return VGG16_TABLE.filter((r): r is FcRow => r.kind === "fc");
}

/** An fc row's output channels: the class count for the last, else scaled by the width. */
function fcOut(row: FcRow, width: number, classes: number): number {
  return row.channels === "classes" ? classes : scaledChannels(row.channels, width);
}

/**
 * fc6 and fc7 as convolutions (fc6: a 7x7 valid conv over pool5; fc7: 1x1), then the
 * last layer as a 1x1 conv with `classes` outputs, named `lastName` (fc8 in the
 * convolutionalized classifier, score_fr in the FCNs).
 */
export function convolutionalHead(net: NetBuilder, pool5: string, lastName: string): string {
  let x = pool5;
  for (const row of fcRows()) {
    const last = row.channels === "classes";
    x = net.conv(last ? lastName : row.name, x, { kernel: row.window, out: fcOut(row, net.width, net.classes), pad: 0, relu: !last });
  }
  return x;
}

function resolve(o: VggOptions, defaultClasses: number) {
  return { width: o.width ?? 1, classes: o.classes ?? defaultClasses };
}

/** VGG16 as the ImageNet classifier: 224x224 in, `classes` logits out (1x1 spatially). */
export function vgg16Spec(o: VggOptions = {}): NetSpec {
  const { width, classes } = resolve(o, IMAGENET_CLASSES);
  const net = new NetBuilder("vgg16", classes, width);
  const data = net.input("data", INPUT_CHANNELS);
  const { pool5 } = vgg16Body(net, data, 1);
  let x = pool5!;
  for (const row of fcRows()) {
    x = net.fc(row.name, x, { window: row.window, out: fcOut(row, width, classes), relu: row.channels !== "classes" });
  }
  return net.build(x, VGG16_INPUT_SIZE);
}

/**
 * The same classifier convolutionalized (section 3.1 of the paper): fc6 becomes a 7x7
 * conv, fc7 and fc8 1x1 convs, over the same weights. Any input gives a grid of
 * logits at stride 32; at 224x224 the grid is 1x1 and equals the classifier's logits.
 * No pad 100 here: this is the classifier, not yet an FCN.
 */
export function vgg16FcnSpec(o: VggOptions = {}): NetSpec {
  const { width, classes } = resolve(o, IMAGENET_CLASSES);
  const net = new NetBuilder("vgg16-fcn", classes, width);
  const data = net.input("data", INPUT_CHANNELS);
  const { pool5 } = vgg16Body(net, data, 1);
  return net.build(convolutionalHead(net, pool5!, "fc8"));
}
