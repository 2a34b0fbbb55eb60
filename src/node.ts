/**
 * fcn-viz/node: everything in `fcn-viz`, plus what needs Node's file system. One import
 * for Node programs:
 *
 *   import * as fcn from "fcn-viz/node";
 *   const model = await fcn.loadModel("voc-fcn8s");          // a published name or a path
 *   const image = await fcn.readImage("photo.jpg");
 *   await fcn.writeWeights("fcn8s.safetensors", { params, meta });
 *
 * Browsers import `fcn-viz`, which reads weights and images from bytes instead
 * (readWeightsBytes, decodeImage).
 */
export * from "./index.js";

// Weights by path: any format in (detected from the content), safetensors, Keras HDF5 or tfjs out.
export { formatFromPath, readWeights, writeWeights } from "./weights/index.js";
export {
  detectWeightsFormat,
  readCaffemodel,
  readKerasH5,
  readSafetensorsRaw,
  readSafetensorsWeights,
  readTfjsWeights,
  writeKerasH5,
  writeSafetensorsRaw,
  writeSafetensorsWeights,
  writeTfjsWeights,
  type WriteTfjsOptions,
} from "./weights/files.js";
export type { RawSafetensors } from "./weights/safetensors.js";
export type { ReadKerasOptions } from "./weights/keras-h5.js";

// The published nets: the weights cache, `fetch`, loading by name or path.
export { cacheTarget, cachedWeightsPath, recordedSha256, weightsCacheDir } from "./published/cache.js";
export { DownloadError, type DownloadProgress } from "./published/download.js";
export { FetchError, fetchWeights, type FetchOptions } from "./published/fetch.js";
export { loadModel, loadWeights, type NameOptions } from "./published/load.js";

// Images from paths, the package's sample photos and folder.
export { readImage } from "./io/image-file.js";
export { SAMPLE_PHOTOS, samplePhoto, samplePhotosDir, type SamplePhoto } from "./notebook.js";
export { packageDir } from "./package-dir.js";

// Safe file writes: temporary file then rename, clear errors, folders claimed with a lock.
export { OutputError, checkWritable, checkWritableDir, claimDir, ensureDir, writeFileAtomic, type DirClaim } from "./io/files.js";
