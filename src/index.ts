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
export { NetBuilder } from "./net/builder.js";
export * from "./net/geometry.js";
export * from "./net/memory.js";
export * from "./net/params.js";
export { forward, firstNonFinite, prepareParams, type ForwardOptions, type Taps } from "./net/execute.js";
export * from "./finite.js";
export { randomParams, surgery } from "./net/init.js";
export * from "./models/index.js";
export { fcn8sSpec, type Fcn8sOptions } from "./models/fcn8s.js";
export * from "./bilinear.js";
export * from "./preprocess.js";
export * from "./classes.js";
export * from "./model.js";
export * from "./load.js";
export * from "./backend.js";
export * from "./weights/index.js";
export * from "./published/index.js";
export * from "./io/npy.js";
export * from "./io/image.js";
export { OutputError, checkWritable, checkWritableDir, claimDir, ensureDir, writeFileAtomic, type DirClaim } from "./io/files.js";
