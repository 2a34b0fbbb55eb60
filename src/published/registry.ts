/**
 * The published weights fcn-viz knows by name: the authors' FCN releases and the VGG16
 * classifier they start from. Pure data (no Node imports), so a browser page can list
 * them too. Where each fact comes from is written next to it; nothing here is measured
 * by this project, and a size nobody published is left undefined rather than guessed.
 */
import { IMAGENET_CLASS_NAMES } from "../../core/class-names/imagenet.js";
import { PASCAL_CONTEXT_CLASS_NAMES } from "../../core/class-names/pascal-context.js";
import { VOC_CLASS_NAMES } from "../../core/class-names/voc.js";
import { modelSpec } from "../models/index.js";
import { countParams, paramSpecs } from "../net/params.js";
import type { ModelName } from "../net/spec.js";
import type { WeightsFile, WeightsFormat } from "../weights/types.js";

/** The nets a published file holds (no one publishes the convolutionalized classifier alone). */
export type PublishedModel = Exclude<ModelName, "vgg16-fcn">;

/** A checksum someone published for the file, and whether a mismatch should stop the install. */
export interface KnownChecksum {
  readonly algorithm: "md5" | "sha1" | "sha256";
  readonly hex: string;
  /** Who publishes it. */
  readonly source: string;
  /**
   * true: the publisher of the file checks it itself (a mismatch on the default URL is an
   * error). false: a third party's record of the same file (a mismatch is a warning; the
   * tensor check decides).
   */
  readonly binding: boolean;
}

export interface PublishedWeights {
  /** The name users type: `npx fcn-viz fetch voc-fcn8s`. */
  readonly name: string;
  /** File name in the cache (the publisher's own, so a copy found elsewhere is recognisable). */
  readonly file: string;
  readonly url: string;
  /** Where the URL is written down. */
  readonly urlSource: string;
  /**
   * Exact size in bytes when it is published or independently recorded (see sizeSource);
   * undefined when not: the download then trusts the server's Content-Length, and the
   * tensor check decides.
   */
  readonly bytes: number | undefined;
  readonly sizeSource?: string;
  readonly checksum?: KnownChecksum;
  readonly licence: string;
  readonly model: PublishedModel;
  readonly classes: number;
  /** The at-once FCN-8s (pool4 x0.01, pool3 x0.0001 before their score layers). */
  readonly atOnce?: boolean;
  /** Channel width relative to VGG16 (1 for every published file; smaller only in tests). */
  readonly width?: number;
  readonly classNames: readonly string[];
  readonly format: WeightsFormat;
  readonly description: string;
  /** The publisher's accuracy figure, for `fetch --list`. */
  readonly figure?: string;
}

const FCN_REPO = "shelhamer/fcn.berkeleyvision.org";
const FCN_LICENCE = "BVLC model licence: unrestricted use (the authors' README: same terms as Caffe's bundled models)";
const VGG_LICENCE = "CC BY 4.0 (VGG, University of Oxford)";

/** The authors' PASCAL VOC and PASCAL-Context nets, all on dl.caffe.berkeleyvision.org. */
function fcn(
  name: string,
  file: string,
  model: PublishedModel,
  o: { classes?: number; classNames?: readonly string[]; atOnce?: boolean; description: string; figure?: string; checksum?: KnownChecksum; urlSource?: string },
): PublishedWeights {
  return {
    name,
    file,
    url: `http://dl.caffe.berkeleyvision.org/${file}`,
    urlSource: o.urlSource ?? `${FCN_REPO}, ${name}/caffemodel-url`,
    bytes: undefined,
    licence: FCN_LICENCE,
    model,
    classes: o.classes ?? VOC_CLASS_NAMES.length,
    ...(o.atOnce ? { atOnce: true } : {}),
    classNames: o.classNames ?? VOC_CLASS_NAMES,
    format: "caffemodel",
    description: o.description,
    ...(o.figure ? { figure: o.figure } : {}),
    ...(o.checksum ? { checksum: o.checksum } : {}),
  };
}

export const PUBLISHED_WEIGHTS: readonly PublishedWeights[] = [
  fcn("voc-fcn32s", "fcn32s-heavy-pascal.caffemodel", "fcn32s", {
    description: "FCN-32s, PASCAL VOC (21 classes): one stream, stride 32",
    figure: "63.6 mean IU on seg11valid",
  }),
  fcn("voc-fcn16s", "fcn16s-heavy-pascal.caffemodel", "fcn16s", {
    description: "FCN-16s, PASCAL VOC (21 classes): two streams, stride 16",
    figure: "65.0 mean IU on seg11valid",
  }),
  fcn("voc-fcn8s", "fcn8s-heavy-pascal.caffemodel", "fcn8s", {
    description: "FCN-8s, PASCAL VOC (21 classes): three streams, stride 8, trained in stages",
    figure: "65.5 mean IU on seg11valid, 67.2 on seg12test",
    urlSource: `${FCN_REPO}, fcn8s/caffemodel-url (the folder's earlier name); the same URL in REFERENCE.md and OpenCV's test data list`,
    checksum: {
      algorithm: "sha1",
      hex: "c449ea74dd7d83751d1357d6a8c323fcf4038962",
      source: "OpenCV's test data list (opencv_extra testdata/dnn/download_models.py), which downloads this URL",
      binding: false,
    },
  }),
  fcn("voc-fcn8s-atonce", "fcn8s-atonce-pascal.caffemodel", "fcn8s", {
    atOnce: true,
    description: "FCN-8s at once, PASCAL VOC (21 classes): trained in one stage, skips scaled by 0.01 and 0.0001",
    figure: "65.4 mean IU on seg11valid",
  }),
  fcn("pascalcontext-fcn8s", "pascalcontext-fcn8s-heavy.caffemodel", "fcn8s", {
    classes: PASCAL_CONTEXT_CLASS_NAMES.length,
    classNames: PASCAL_CONTEXT_CLASS_NAMES,
    description: "FCN-8s, PASCAL-Context (59 classes + background)",
  }),
  {
    name: "vgg16",
    file: "VGG_ILSVRC_16_layers.caffemodel",
    url: "http://www.robots.ox.ac.uk/~vgg/software/very_deep/caffe/VGG_ILSVRC_16_layers.caffemodel",
    urlSource: `the VGG release notes (gist ksimonyan/211839e770f7b538e2d8, linked from ${FCN_REPO} ilsvrc-nets/README.md)`,
    bytes: 553_432_081,
    sizeSource: "REFERENCE.md; also Caffe's log line 'The total number of bytes read was 553432081' when loading it",
    licence: VGG_LICENCE,
    model: "vgg16",
    classes: IMAGENET_CLASS_NAMES.length,
    classNames: IMAGENET_CLASS_NAMES,
    format: "caffemodel",
    description: "VGG16, the ImageNet classifier FCN starts from: the VGG authors' Caffe release (2014)",
    figure: "ILSVRC-2012 val top-5 error 8.1% single-scale, 7.5% multi-scale",
  },
  {
    name: "vgg16-keras",
    file: "vgg16_weights_tf_dim_ordering_tf_kernels.h5",
    url: "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5",
    urlSource: "keras-team/keras, keras/src/applications/vgg16.py (WEIGHTS_PATH)",
    bytes: 553_467_096,
    sizeSource: "Keras' own download log for this URL ('553467096/553467096')",
    checksum: {
      algorithm: "md5",
      hex: "64373286793e3c8b2b4e3219cbf3544b",
      source: "keras-team/keras, keras/src/applications/vgg16.py (get_file file_hash)",
      binding: true,
    },
    licence: `${VGG_LICENCE}: Keras' port of the VGG release (fchollet/deep-learning-models README)`,
    model: "vgg16",
    classes: IMAGENET_CLASS_NAMES.length,
    classNames: IMAGENET_CLASS_NAMES,
    format: "keras-h5",
    description: "VGG16 as Keras ships it (the same network, RGB->BGR with Keras' means)",
  },
];

/** The registry functions below take another list in tests (small fixtures on a local server). */
export type Registry = readonly PublishedWeights[];

export function publishedNames(registry: Registry = PUBLISHED_WEIGHTS): string[] {
  return registry.map((w) => w.name);
}

export function isPublishedName(s: string, registry: Registry = PUBLISHED_WEIGHTS): boolean {
  return registry.some((w) => w.name === s);
}

/** The entry for a name; an unknown name is an error listing the known ones. */
export function publishedWeights(name: string, registry: Registry = PUBLISHED_WEIGHTS): PublishedWeights {
  const w = registry.find((x) => x.name === name);
  if (!w) throw new Error(`no published weights are called "${name}": choose one of ${publishedNames(registry).join(", ")}`);
  return w;
}

/** The net the file must fit, at the file's width (1: the published files are full width). */
export function publishedSpec(w: PublishedWeights) {
  return modelSpec(w.model, { width: w.width ?? 1, classes: w.classes, ...(w.atOnce ? { atOnce: true } : {}) });
}

/**
 * What a file of this net weighs at least: its float32 parameters. Shown when no exact
 * size is known (the .caffemodel adds a little framing around the same floats).
 */
export function parameterBytes(w: PublishedWeights): number {
  return 4 * countParams(paramSpecs(publishedSpec(w)));
}

/** 553432081 -> "553.4 MB" (decimal megabytes, as download tools print them). */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

/** "553.4 MB" when the size is known, else "about 538 MB" from the parameter count. */
export function sizeText(w: PublishedWeights): string {
  return w.bytes !== undefined ? formatBytes(w.bytes) : `about ${Math.round(parameterBytes(w) / 1e6)} MB`;
}

/** What the registry knows about a published file that the file itself may not say. */
export type PublishedFacts = Pick<PublishedWeights, "model" | "classes" | "atOnce" | "classNames">;

/**
 * A file read from the cache (Node) or served to a page (the explorer), with the registry's
 * facts filling what its own metadata leaves out (class names, model, class count, at-once),
 * so figures and summaries can name PASCAL's classes. What the file says wins.
 */
export function withPublishedMeta(file: WeightsFile, w: PublishedFacts): WeightsFile {
  const m = file.meta;
  const atOnce = m.atOnce ?? w.atOnce;
  return {
    ...file,
    meta: { ...m, model: m.model ?? w.model, classes: m.classes ?? w.classes, ...(atOnce !== undefined ? { atOnce } : {}), classNames: m.classNames ?? w.classNames },
  };
}
