/**
 * fcn-viz: FCN (Long, Shelhamer, Darrell 2015) on TensorFlow.js, every stage a tap.
 *
 *   import * as fcn from "fcn-viz";
 *   await fcn.useBackend("auto");
 *   const model = fcn.randomModel("fcn8s", { width: 1 / 8 });
 *   const taps = model.forward(model.inputFromImage(image), { taps: "all" });
 *
 * This entry runs in browsers and in Node alike: nothing it imports touches the file
 * system (test/layering.test.ts walks its imports). Files and paths are in
 * `fcn-viz/node` (which re-exports all of this), training in `fcn-viz/train`, figures
 * in `fcn-viz/viz`.
 */

// Models and their specs: the VGG16 table, the five nets, the spec every part reads.
export { VGG16_CONV_KERNEL, VGG16_INPUT_SIZE, VGG16_POOL, VGG16_TABLE, IMAGENET_CLASSES, scaledChannels, widthFromConv1, widthText, type VggOptions, type VggRow } from "./vgg16.js";
export { fcn16sSpec, fcn32sSpec, fcn8sSpec, isModelName, modelSpec, vgg16FcnSpec, vgg16Spec } from "./models/index.js";
export type { Fcn8sOptions } from "./models/fcn8s.js";
export { MODEL_NAMES, findNode, tapNames, type ModelName, type NetNode, type NetSpec, type NodeOf, type Op, type OpOf, type OpType } from "./net/spec.js";
export { NetBuilder } from "./net/builder.js";

// A model and its forward pass: taps, parameters, surgery, loading weights into it.
export { Model, randomModel, type CreateOptions, type ModelForwardOptions, type ModelOptions } from "./model.js";
export { forward, firstNonFinite, prepareParams, type ForwardOptions, type PreparedParams, type Taps } from "./net/execute.js";
export { randomParams, surgery } from "./net/init.js";
export { countParams, paramSpecs, type ParamSpec } from "./net/params.js";
export { disposeTaps, modelFromWeights, planFromWeights, withBilinear, type LoadOptions, type WeightsPlan } from "./load.js";
export { NonFiniteError, assertFiniteInput, assertFiniteParams, firstNonFiniteIndex } from "./finite.js";

// Geometry: every blob's shape, stride, receptive field and coordinate map.
export { InputSizeError, blobShapes, formatSummary, minInputSize, receptiveFields, summarize, type BlobShape, type Summary, type SummaryRow } from "./net/geometry.js";
export type { CoordMap } from "../core/coord-map.js";
export { describeNet } from "./net/describe.js";
export type { LayerKind, LayerOp, LayerRole, NetDescription, NetLayer } from "../core/net-description.js";

// Memory: a pass planned from shapes alone, before it runs.
export {
  InputTooLargeError,
  MEMORY_HEADROOM,
  assertFits,
  checkFit,
  largestFit,
  passMemory,
  planInput,
  scaledSize,
  webglLimits,
  weightBytes,
  type FitCheck,
  type InputPlan,
  type MemoryLimits,
  type PassMemory,
  type PassOptions,
  type PlanInputOptions,
} from "./net/memory.js";

// Backends: which one runs and why, and what it can hold.
export {
  BACKEND_NAMES,
  BackendError,
  WASM32_BYTES,
  describeBackend,
  gpuErrorTotal,
  maxBufferBytes,
  memoryLimits,
  takeGpuErrors,
  useBackend,
  type AdapterSummary,
  type BackendInfo,
  type BackendName,
  type UseBackendOptions,
} from "./backends/index.js";

// Weights from bytes in memory (a browser's File, a fetch response); by path: fcn-viz/node.
export { readWeightsBytes, type NamedBytes } from "./weights/bytes.js";
export { readCaffemodelBytes } from "./weights/caffemodel.js";
export { checkWeights, describeConfig, inferWeightsConfig, type CheckOptions, type InferredConfig, type ShapeMap } from "./weights/check.js";
export { toTensors, fromTensors } from "./weights/tensors.js";
export { WeightsFileError, WeightsMismatchError, type MisshapedTensor } from "./weights/errors.js";
export { TORCHVISION_PREPROCESS } from "./weights/safetensors.js";
export { TFJS_FORMAT_TAG } from "./weights/tfjs-format.js";
export {
  ACCEPTED_FORMATS_TEXT,
  WEIGHTS_FORMATS,
  type HostParams,
  type HostTensor,
  type KerasNaming,
  type Params,
  type WeightsFile,
  type WeightsFormat,
  type WeightsMeta,
  type WeightsToWrite,
  type WriteOptions,
} from "./weights/types.js";

// The authors' published nets: names, facts, sizes (fetching and the cache: fcn-viz/node).
export {
  PUBLISHED_WEIGHTS,
  formatBytes,
  isPublishedName,
  parameterBytes,
  publishedNames,
  publishedSpec,
  publishedWeights,
  sizeText,
  withPublishedMeta,
  type KnownChecksum,
  type PublishedFacts,
  type PublishedModel,
  type PublishedWeights,
  type Registry,
} from "./published/registry.js";

// Class names and preprocessing, which travel with the weights.
export { CLASS_NAME_KEYS, classNamesFor, type ClassNames } from "./classes.js";
export { DIGIT_CLASS_NAMES } from "../core/class-names/digits.js";
export { IMAGENET_CLASS_NAMES } from "../core/class-names/imagenet.js";
export { PASCAL_CONTEXT_CLASS_NAMES } from "../core/class-names/pascal-context.js";
export { VOC_CLASS_NAMES } from "../core/class-names/voc.js";
export { CAFFE_FCN_PREPROCESS, KERAS_VGG16_PREPROCESS, VGG16_CAFFE_PREPROCESS, isPreprocess, preprocessPixels, type Preprocess } from "./preprocess.js";

// Images and arrays as bytes: PNG/JPEG in, PNG out, resizing, .npy.
export type { RgbImage } from "../core/image.js";
export { decodeImage, imageSize, type DecodedImage } from "./io/image.js";
export { resizeRgb } from "./io/resize.js";
export { encodePng, type PngEncodeOptions } from "../core/png.js";
export { readNpy, writeNpy, type NpyArray } from "./io/npy.js";

// Upsampling and analysis: the bilinear kernel, the score streams, what a pixel saw.
export { bilinearFilter, bilinearKernel, bilinearKernelInfo, type BilinearKernel } from "../core/bilinear.js";
export { hoverInfo, streamContributions, streamsOf, upsamplingWeights, type ClassScore, type DeconvWeights, type HostMap, type HoverInfo, type HoverSource, type Stream, type StreamCell } from "./analysis/index.js";
