/**
 * fcn-viz: FCN (Long, Shelhamer, Darrell 2015) on TensorFlow.js, every stage a tap.
 *
 *   import * as fcn from "fcn-viz";
 *   await fcn.useBackend("auto");
 *   const model = fcn.randomModel("fcn8s", { width: 1 / 8 });
 *   const taps = model.forward(model.inputFromImage(image), { taps: "all" });
 */
export * from "./vgg16.js";
export * from "./net/spec.js";
export type { CoordMap } from "../core/coord-map.js";
export { NetBuilder } from "./net/builder.js";
export * from "./net/geometry.js";
export * from "./net/memory.js";
export * from "./net/params.js";
export { forward, firstNonFinite, prepareParams, type ForwardOptions, type Taps } from "./net/execute.js";
export * from "./finite.js";
export { randomParams, surgery } from "./net/init.js";
export * from "./models/index.js";
export { fcn8sSpec, type Fcn8sOptions } from "./models/fcn8s.js";
export * from "../core/bilinear.js";
export * from "./preprocess.js";
export * from "./classes.js";
export { DIGIT_CLASS_NAMES } from "../core/class-names/digits.js";
export { IMAGENET_CLASS_NAMES } from "../core/class-names/imagenet.js";
export { PASCAL_CONTEXT_CLASS_NAMES } from "../core/class-names/pascal-context.js";
export { VOC_CLASS_NAMES } from "../core/class-names/voc.js";
export * from "./model.js";
export type { RgbImage } from "../core/image.js";
export * from "./load.js";
export { hoverInfo, streamContributions, streamsOf, upsamplingWeights, type ClassScore, type DeconvWeights, type HostMap, type HoverInfo, type HoverSource, type Stream, type StreamCell } from "./analysis/index.js";
export * from "./backends/index.js";
export { conv2dChunked, planOutputChunks, splitConvFilter, type HostFilter } from "./net/filter-chunks.js";
export * from "./weights/index.js";
export * from "./published/index.js";
export * from "./io/npy.js";
export * from "./io/image.js";
export { encodePng, type PngEncodeOptions } from "../core/png.js";
export { OutputError, checkWritable, checkWritableDir, claimDir, ensureDir, writeFileAtomic, type DirClaim } from "./io/files.js";
