import { KERAS_VGG16_PREPROCESS } from "../preprocess.js";
import { WeightsFileError } from "./errors.js";
import { assertLittleEndianHost, bytesOf, kerasDenseToTfjs, numel, shapeText } from "./layout.js";
import { metaFromJson } from "./meta.js";
import { checkClassNames } from "./check.js";
import { FC_INPUT_LAYER, kerasToCaffeLayer, splitParamName } from "./names.js";
import type { HostParams, HostTensor, WeightsFile, WeightsMeta } from "./types.js";

/**
 * The project's own saved weights, in tfjs' weights format:
 *
 *   model.json  {"format": "fcn-viz-weights", "modelTopology": null, "fcnViz": WeightsMeta,
 *                "weightsManifest": [{"paths": ["group1-shard1of3.bin", ...],
 *                                     "weights": [{"name", "shape", "dtype": "float32"}, ...]}]}
 *   group1-shard*.bin   the weights' float32 bytes back to back, cut into <= 4 MB files
 *
 * Weights are in tfjs layout, so nothing is converted. A model.json written by
 * tensorflowjs_converter from Keras' VGG16 (names like block1_conv1/kernel, fc1 as a
 * flattened Dense kernel) is read too. Reading and writing the files on disk:
 * readTfjsWeights / writeTfjsWeights in files.ts.
 */

export const TFJS_FORMAT_TAG = "fcn-viz-weights";
export const MODEL_JSON = "model.json";
/** tfjs' default shard size. */
export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

interface ManifestEntry {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: string;
  readonly quantization?: unknown;
}
interface ManifestGroup {
  readonly paths: string[];
  readonly weights: ManifestEntry[];
}

/**
 * A parsed model.json and a way to get its shards' bytes (by their manifest path) as
 * model parameters. Shared by readTfjsWeights (files.ts: files on disk) and readWeightsBytes
 * (files in memory); `where` names the model.json in errors.
 */
export async function tfjsWeightsFromJson(
  json: unknown,
  readShard: (path: unknown) => Promise<Uint8Array>,
  where: string,
): Promise<WeightsFile> {
  assertLittleEndianHost();
  const jsonPath = where;
  const groups = (json as Record<string, unknown> | null)?.weightsManifest;
  if (typeof json !== "object" || json === null || !Array.isArray(groups)) {
    throw new WeightsFileError(jsonPath, `${jsonPath}: a JSON file, but not a tfjs model.json (no weightsManifest)`);
  }

  const raw = new Map<string, HostTensor>();
  for (const [gi, group] of (groups as ManifestGroup[]).entries()) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) {
      throw new WeightsFileError(jsonPath, `${jsonPath}: weightsManifest[${gi}] needs "paths" and "weights" arrays`);
    }
    const shards = new ShardReader(group.paths, readShard, jsonPath);
    for (const e of group.weights) {
      const where = `${jsonPath}: weight ${JSON.stringify(e?.name)}`;
      if (typeof e?.name !== "string" || !Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new WeightsFileError(jsonPath, `${where}: needs a name and an integer shape`);
      }
      if (e.dtype !== "float32" || e.quantization !== undefined) {
        throw new WeightsFileError(jsonPath, `${where}: only unquantized float32 weights are supported, found ${e.dtype}${e.quantization ? " (quantized)" : ""}`);
      }
      if (raw.has(e.name)) throw new WeightsFileError(jsonPath, `${where}: listed twice`);
      const data = new Float32Array(numel(e.shape));
      await shards.readInto(bytesOf(data));
      raw.set(e.name, { shape: e.shape, data });
    }
    await shards.expectEnd();
  }

  const { params, keras } = renameKeras(raw, jsonPath);
  let meta: WeightsMeta = metaFromJson((json as { fcnViz?: unknown }).fcnViz, `${jsonPath} (fcnViz)`);
  if (keras && !meta.preprocess) meta = { ...meta, preprocess: KERAS_VGG16_PREPROCESS };
  checkClassNames(params, meta, jsonPath);
  return { params, meta, format: "tfjs" };
}

/** Concatenation of a group's shards, read sequentially: a weight may straddle two shards. */
class ShardReader {
  private i = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  constructor(
    private readonly paths: readonly unknown[],
    private readonly readShard: (path: unknown) => Promise<Uint8Array>,
    private readonly jsonPath: string,
  ) {}

  private async next(): Promise<boolean> {
    if (this.i >= this.paths.length) return false;
    this.buf = await this.readShard(this.paths[this.i++]);
    this.pos = 0;
    return true;
  }

  async readInto(dst: Uint8Array): Promise<void> {
    let done = 0;
    while (done < dst.length) {
      if (this.pos >= this.buf.length && !(await this.next())) {
        throw new WeightsFileError(this.jsonPath, `${this.jsonPath}: the shards hold fewer bytes than the manifest's weights need`);
      }
      const n = Math.min(dst.length - done, this.buf.length - this.pos);
      dst.set(this.buf.subarray(this.pos, this.pos + n), done);
      done += n;
      this.pos += n;
    }
  }

  async expectEnd(): Promise<void> {
    while (this.pos >= this.buf.length) if (!(await this.next())) return;
    throw new WeightsFileError(this.jsonPath, `${this.jsonPath}: the shards hold more bytes than the manifest's weights (corrupt or mismatched files)`);
  }
}

/** tensorflowjs_converter names Keras weights `<layer>/kernel` (sometimes with a model prefix). */
function renameKeras(raw: Map<string, HostTensor>, where: string): { params: HostParams; keras: boolean } {
  const renamed = new Map<string, HostTensor>();
  let keras = false;
  for (const [name, t] of raw) {
    const m = /(?:^|\/)([^/]+)\/(kernel|bias)(?::\d+)?$/.exec(name);
    const key = !splitParamName(name) && m ? `${kerasToCaffeLayer(m[1]!)}.${m[2] === "kernel" ? "weight" : "bias"}` : name;
    if (key !== name) keras = true;
    if (renamed.has(key)) throw new WeightsFileError(where, `${where}: two weights map to ${key} (one is "${name}")`);
    renamed.set(key, t);
  }
  if (!keras) return { params: renamed, keras };
  const outChannels = (layer: string): number | undefined => {
    const b = renamed.get(`${layer}.bias`) ?? renamed.get(`${layer}.weight`);
    return b?.shape[b.shape.length - 1];
  };
  const params: HostParams = new Map();
  for (const [name, t] of renamed) {
    const parts = splitParamName(name);
    if (parts?.role === "weight" && t.shape.length === 2) {
      const from = FC_INPUT_LAYER[parts.layer];
      const c = from === undefined ? undefined : outChannels(from);
      const what = `${where}: Dense kernel ${name} ${shapeText(t.shape)}`;
      if (c === undefined) throw new WeightsFileError(where, `${what}: cannot unflatten it without the layer before it in the file`);
      try {
        params.set(name, kerasDenseToTfjs(t, c, what));
      } catch (e) {
        throw new WeightsFileError(where, (e as Error).message);
      }
    } else {
      params.set(name, t);
    }
  }
  return { params, keras };
}
