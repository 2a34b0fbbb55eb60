/**
 * The VGG16 layer table: the single source of truth for the network's layout.
 *
 * Construction (src/models), parameter counts and receptive fields (src/net/geometry),
 * diagrams (viz/) and weight loading (src/weights) all read this table; nothing else
 * in the project spells out VGG16's channel counts.
 *
 * Simonyan & Zisserman's configuration D: 13 convolutions 3x3 (pad 1, ReLU) in five
 * blocks, each block closed by a 2x2 stride-2 max pool, then three fully connected
 * layers. fc6 reads the 7x7x512 pool5 block of a 224x224 image.
 */

export type VggRow =
  | { readonly kind: "conv"; readonly name: string; readonly block: number; readonly channels: number }
  | { readonly kind: "pool"; readonly name: string; readonly block: number }
  | {
      readonly kind: "fc";
      readonly name: "fc6" | "fc7" | "fc8";
      /** Output channels; "classes" for the last layer, whose size is the class count. */
      readonly channels: number | "classes";
      /** Spatial window the layer reads (fc6: the 7x7 pool5 block; the others 1x1). */
      readonly window: number;
    };

export const VGG16_TABLE: readonly VggRow[] = [
  { kind: "conv", name: "conv1_1", block: 1, channels: 64 },
  { kind: "conv", name: "conv1_2", block: 1, channels: 64 },
  { kind: "pool", name: "pool1", block: 1 },
  { kind: "conv", name: "conv2_1", block: 2, channels: 128 },
  { kind: "conv", name: "conv2_2", block: 2, channels: 128 },
  { kind: "pool", name: "pool2", block: 2 },
  { kind: "conv", name: "conv3_1", block: 3, channels: 256 },
  { kind: "conv", name: "conv3_2", block: 3, channels: 256 },
  { kind: "conv", name: "conv3_3", block: 3, channels: 256 },
  { kind: "pool", name: "pool3", block: 3 },
  { kind: "conv", name: "conv4_1", block: 4, channels: 512 },
  { kind: "conv", name: "conv4_2", block: 4, channels: 512 },
  { kind: "conv", name: "conv4_3", block: 4, channels: 512 },
  { kind: "pool", name: "pool4", block: 4 },
  { kind: "conv", name: "conv5_1", block: 5, channels: 512 },
  { kind: "conv", name: "conv5_2", block: 5, channels: 512 },
  { kind: "conv", name: "conv5_3", block: 5, channels: 512 },
  { kind: "pool", name: "pool5", block: 5 },
  { kind: "fc", name: "fc6", channels: 4096, window: 7 },
  { kind: "fc", name: "fc7", channels: 4096, window: 1 },
  { kind: "fc", name: "fc8", channels: "classes", window: 1 },
];

/** Every 3x3 convolution of the body. */
export const VGG16_CONV_KERNEL = 3;
/** Every pool of the body: 2x2, stride 2. */
export const VGG16_POOL = { kernel: 2, stride: 2 } as const;
/** The classifier's input side: fc6's 7x7 window times the body's stride 32. */
export const VGG16_INPUT_SIZE = 224;
/** ImageNet classes of the original classifier. */
export const IMAGENET_CLASSES = 1000;

/** Options shared by every model built from the table. */
export interface VggOptions {
  /** Multiplies every channel count (1 = the real network; 1/8 for small test models). */
  readonly width?: number;
  /** Output classes of the last layer. */
  readonly classes?: number;
}

/** A width multiplier as the fraction it is (1/8, 3/64), for people; otherwise the number. */
export function widthText(w: number): string {
  if (!(w > 0) || w >= 1) return String(w);
  for (let d = 2; d <= 1024; d++) {
    const n = Math.round(w * d);
    if (n >= 1 && Math.abs(w * d - n) < 1e-9) return `${n}/${d}`;
  }
  return String(w);
}

/**
 * Channel count of a row for a width multiplier. Rounds to the nearest integer and
 * never goes below 1, so width 1/64 still gives a working (if tiny) network.
 */
export function scaledChannels(channels: number, width: number): number {
  if (!(width > 0) || !Number.isFinite(width)) {
    throw new Error(`width multiplier must be a positive number, got ${width}`);
  }
  return Math.max(1, Math.round(channels * width));
}

/** The width multiplier a conv1_1 with this many output channels implies. */
export function widthFromConv1(channels: number): number {
  return channels / (VGG16_TABLE[0] as { channels: number }).channels;
}
