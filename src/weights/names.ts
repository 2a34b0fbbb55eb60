import { VGG16_TABLE } from "../vgg16.js";

/**
 * Layer names across frameworks. The project's names are the Caffe ones (conv1_1 ...
 * conv5_3, fc6, fc7, fc8, score_fr, upscore2, ...); files from elsewhere are renamed
 * once, at load time.
 */

const KERAS_FC: Record<string, string> = { fc1: "fc6", fc2: "fc7", predictions: "fc8" };
const FC_KERAS: Record<string, string> = { fc6: "fc1", fc7: "fc2", fc8: "predictions" };

/** Keras VGG16 layer -> Caffe layer: block3_conv2 -> conv3_2, fc1 -> fc6. Others unchanged. */
export function kerasToCaffeLayer(layer: string): string {
  const m = /^block(\d+)_conv(\d+)$/.exec(layer);
  if (m) return `conv${m[1]}_${m[2]}`;
  return KERAS_FC[layer] ?? layer;
}

/** Caffe layer -> Keras VGG16 layer; layers VGG16 lacks (score_fr, upscore2, ...) keep their names. */
export function caffeToKerasLayer(layer: string): string {
  const m = /^conv(\d+)_(\d+)$/.exec(layer);
  if (m) return `block${m[1]}_conv${m[2]}`;
  return FC_KERAS[layer] ?? layer;
}

/** The layers of Keras' VGG16 in model order, weightless ones included (input, pools, flatten). */
export function kerasVgg16Layers(): string[] {
  const out = ["input_1"];
  for (const row of VGG16_TABLE) {
    if (row.kind === "conv") out.push(caffeToKerasLayer(row.name));
    else if (row.kind === "pool") out.push(`block${row.block}_pool`);
    else {
      if (row.name === "fc6") out.push("flatten");
      out.push(caffeToKerasLayer(row.name));
    }
  }
  return out;
}

/**
 * torchvision's vgg16 state_dict names: features.<i> are the 13 convs (pools and ReLUs
 * take indices too), classifier.0/3/6 the fc layers.
 */
export function torchvisionToCaffeLayer(layer: string): string | undefined {
  const f = /^features\.(\d+)$/.exec(layer);
  if (f) return TORCHVISION_FEATURES.get(Number(f[1]));
  const c = /^classifier\.(\d+)$/.exec(layer);
  if (c) return ({ 0: "fc6", 3: "fc7", 6: "fc8" } as Record<number, string>)[Number(c[1])];
  return undefined;
}

const TORCHVISION_FEATURES: ReadonlyMap<number, string> = (() => {
  // Each conv is followed by a ReLU (one index each), each block by a pool.
  const m = new Map<number, string>();
  let i = 0;
  for (const row of VGG16_TABLE) {
    if (row.kind === "conv") {
      m.set(i, row.name);
      i += 2;
    } else if (row.kind === "pool") {
      i += 1;
    }
  }
  return m;
})();

/**
 * The layer whose output a fully connected layer reads. A flattened (2-D) weight only
 * makes sense with that layer's channel count: in = C * k * k.
 */
export const FC_INPUT_LAYER: Readonly<Record<string, string>> = {
  fc6: "conv5_3",
  fc7: "fc6",
  fc8: "fc7",
  score_fr: "fc7",
};

/** `<layer>.weight` / `<layer>.bias` -> its parts, or undefined for other names. */
export function splitParamName(name: string): { layer: string; role: "weight" | "bias" } | undefined {
  const m = /^(.+)\.(weight|bias)$/.exec(name);
  return m ? { layer: m[1]!, role: m[2] as "weight" | "bias" } : undefined;
}
