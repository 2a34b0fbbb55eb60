/**
 * Weights, the whole API (Node): reading and writing files by path (readWeights,
 * writeWeights and each format's own reader and writer, files.ts) and everything that
 * works on bytes in memory. The browser-safe part alone is what `fcn-viz` exports
 * (src/index.ts); this module is `fcn-viz/node`'s.
 */
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { checkClassNames } from "./check.js";
import { metaFromJson } from "./meta.js";
import { WeightsFileError } from "./errors.js";
import {
  detectWeightsFormat,
  readCaffemodel,
  readKerasH5,
  readSafetensorsWeights,
  readTfjsWeights,
  writeKerasH5,
  writeSafetensorsWeights,
  writeTfjsWeights,
} from "./files.js";
import { ACCEPTED_FORMATS_TEXT, WEIGHTS_FORMATS, type WeightsFile, type WeightsToWrite, type WeightsFormat, type WriteOptions } from "./types.js";

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
} from "./types.js";
export { WeightsFileError, WeightsMismatchError, type MisshapedTensor } from "./errors.js";
export { checkWeights, describeConfig, inferWeightsConfig, type CheckOptions, type InferredConfig, type ShapeMap } from "./check.js";
export { toTensors, fromTensors } from "./tensors.js";
export { TORCHVISION_PREPROCESS } from "./safetensors.js";
export { TFJS_FORMAT_TAG } from "./tfjs-format.js";
export { readWeightsBytes, type NamedBytes } from "./bytes.js";
export { readCaffemodelBytes } from "./caffemodel.js";
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
} from "./files.js";

/**
 * Reads any supported weights file, detecting the format from its content, with
 * layouts converted to tfjs's. Errors name the file (missing file, unknown kind,
 * malformed content) rather than surfacing a raw ENOENT or parser stack.
 */
export async function readWeights(p: string): Promise<WeightsFile> {
  const format = await detectWeightsFormat(p);
  switch (format) {
    case "safetensors":
      return readSafetensorsWeights(p);
    case "keras-h5":
      return readKerasH5(p);
    case "tfjs":
      return readTfjsWeights(p);
    case "caffemodel":
      return readCaffemodel(p);
  }
}

/** .safetensors, .h5 / .hdf5, .json or a directory (tfjs), .caffemodel (read only). */
export async function formatFromPath(p: string): Promise<WeightsFormat> {
  const ext = path.extname(p).toLowerCase();
  if (ext === ".safetensors") return "safetensors";
  if (ext === ".caffemodel") return "caffemodel";
  if (ext === ".h5" || ext === ".hdf5") return "keras-h5";
  if (ext === ".json") return "tfjs";
  const isDir = await fsp.stat(p).then((s) => s.isDirectory(), () => false);
  if (isDir || ext === "") return "tfjs";
  throw new WeightsFileError(
    p,
    `cannot tell the weights format from "${p}": use .safetensors, .h5, .json or a directory (tfjs), or name the format (${WEIGHTS_FORMATS.join(", ")})`,
  );
}

/** Writes `file` as `format` (default: from the path). Accepted formats: see ACCEPTED_FORMATS_TEXT. */
export async function writeWeights(
  p: string,
  file: WeightsToWrite,
  format?: WeightsFormat,
  options: WriteOptions = {},
): Promise<void> {
  const f = format ?? (await formatFromPath(p));
  // What the readers would reject is not written: class names that do not fit.
  checkClassNames(file.params, metaFromJson(file.meta, p), p);
  switch (f) {
    case "safetensors":
      return writeSafetensorsWeights(p, file, options.dtype ? { dtype: options.dtype } : {});
    case "keras-h5":
      return writeKerasH5(p, file, options.kerasNaming);
    case "tfjs":
      return writeTfjsWeights(p, file, options.shardBytes === undefined ? {} : { shardBytes: options.shardBytes });
    case "caffemodel":
      throw new WeightsFileError(
        p,
        `${p}: fcn-viz reads .caffemodel files but does not write them: write .safetensors instead ` +
          `(fcn-viz, PyTorch and the browser explorer read it; --dtype F16 halves it)`,
      );
    default:
      throw new Error(`unknown weights format "${String(f)}": ${ACCEPTED_FORMATS_TEXT}`);
  }
}
