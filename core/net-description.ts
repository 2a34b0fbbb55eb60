/**
 * A net as plain, serialisable facts: every layer's op and settings, what it reads, the
 * shape it makes for one input size, where it sits on the image and what it costs.
 * src/net/describe.ts's describeNet() writes one from a net spec and the op table; the
 * figures (viz/figures/architecture.ts) draw one without knowing any model or layer name.
 */
import type { CoordMap } from "./coord-map.js";

/** A layer's op type: the keys of src/net/ops' table (src/net/describe.ts checks they agree). */
export type LayerKind = "input" | "conv" | "pool" | "fc" | "deconv" | "crop" | "sum" | "scale";

/**
 * What a layer does in the net, read off the graph:
 * - `feature`: a convolution of the body (before its last pool);
 * - `fc-as-conv`: a convolution after every pool whose output is not upsampled: a
 *   classifier's fully connected layer convolutionalized (fc6, fc7; vgg16-fcn's fc8);
 * - `score`: a convolution whose output the net upsamples, through crops, sums and
 *   scalings only: FCN's class-score layers (score_fr, score_pool4, score_pool3);
 * - the rest follow their op: `input`, `pool`, `fc`, `upsample` (deconv), `crop`,
 *   `fuse` (sum), `scale`.
 */
export type LayerRole = "input" | "feature" | "pool" | "fc" | "fc-as-conv" | "score" | "upsample" | "crop" | "fuse" | "scale";

/** A layer's own settings, as the net spec gives them; absent where its op has none. */
export interface LayerOp {
  /** Window side: conv, pool and transposed-conv kernels, a fully connected layer's input window. */
  readonly kernel?: number;
  /** The op's own step: conv and pool step down by it, a transposed conv steps up by it. */
  readonly stride?: number;
  /** Zero padding per side (conv). */
  readonly pad?: number;
  /** Whether a ReLU follows (conv, fc). */
  readonly relu?: boolean;
  /** The blob a crop takes its size and grid from. */
  readonly reference?: string;
  /** Rows and columns a crop skips. */
  readonly offset?: number;
  /** What a scale multiplies by. */
  readonly factor?: number;
}

export interface NetLayer {
  /** The blob it makes (a tap). */
  readonly name: string;
  readonly kind: LayerKind;
  readonly role: LayerRole;
  /**
   * `main`: on the chain from the net's output back through each layer's first input;
   * `skip`: off it, feeding it from the side (FCN's skip branches).
   */
  readonly path: "main" | "skip";
  /** The blobs it reads, in order (a sum's first input is the main path). */
  readonly inputs: readonly string[];
  readonly op: LayerOp;
  /** [height, width, channels] of its output, for the description's input size. */
  readonly shape: readonly [number, number, number];
  /** Input pixels between neighbouring cells of its output (the "jump"). */
  readonly stride: number;
  /** Input pixels one output cell can see, per side (theoretical receptive field). */
  readonly receptiveField: number;
  /** Where its cells sit on the image; absent past a fully connected layer. */
  readonly coordMap?: CoordMap;
  /** Learned parameters (weights and biases). */
  readonly params: number;
  /** Multiply-accumulates for one image of the description's input size. */
  readonly macs: number;
}

export interface NetDescription {
  /** The spec's model name, e.g. "fcn8s". */
  readonly model: string;
  /** The input [height, width] the shapes are for. */
  readonly input: readonly [number, number];
  readonly classes: number;
  /** Channel width relative to VGG16 (1 = full). */
  readonly width: number;
  /** The blob holding the net's result. */
  readonly output: string;
  /** In execution order: every layer's inputs come before it. */
  readonly layers: readonly NetLayer[];
}
