/**
 * Reading weights from memory instead of a path: what a browser has (a File from an
 * <input> or a drop, a fetch response). Same formats, same detection by content, same
 * layout conversions and errors as readWeights; no Node module is used on this path
 * (HDF5 goes through h5wasm's in-memory file system), so it runs in Node and browsers.
 */
import { readCaffemodelBytes } from "./caffemodel.js";
import { detectWeightsFormatOfBytes } from "./detect.js";
import { WeightsFileError } from "./errors.js";
import { kerasWeightsFromH5 } from "./keras-h5.js";
import { parseSafetensorsBytes, safetensorsToWeights } from "./safetensors.js";
import { tfjsWeightsFromJson } from "./tfjs-format.js";
import type { WeightsFile } from "./types.js";

/** One file: its name (for messages, and to find tfjs shards) and its content. */
export interface NamedBytes {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/**
 * Weights from files held in memory: one safetensors or Keras HDF5 file, or a tfjs
 * model.json together with its .bin shards (shards are matched by file name; folders in
 * the manifest's paths are ignored). The result's `source` is the (JSON) file's name.
 */
export async function readWeightsBytes(input: NamedBytes | readonly NamedBytes[]): Promise<WeightsFile> {
  const files: readonly NamedBytes[] = isList(input) ? input : [input];
  if (files.length === 0) throw new WeightsFileError("", "no weights file given");
  const json = files.filter((f) => startsWithBrace(f.bytes));
  if (files.length > 1 || json.length === 1) {
    if (json.length !== 1) {
      throw new WeightsFileError(
        listNames(files),
        `several files given (${listNames(files)}): that is a tfjs weights set, which needs exactly one model.json ` +
          `among them (found ${json.length}); otherwise give one .safetensors, .h5 or .caffemodel file`,
      );
    }
    return readTfjsBytes(json[0]!, files.filter((f) => f !== json[0]));
  }
  const f = files[0]!;
  switch (detectWeightsFormatOfBytes(f.bytes, f.name)) {
    case "safetensors":
      return { ...safetensorsToWeights(parseSafetensorsBytes(f.bytes, f.name), f.name), source: f.name };
    case "keras-h5":
      return { ...(await readKerasH5Bytes(f)), source: f.name };
    case "tfjs":
      return readTfjsBytes(f, []);
    case "caffemodel":
      return { ...(await readCaffemodelBytes(f.bytes, f.name)), source: f.name };
  }
}

function isList(x: NamedBytes | readonly NamedBytes[]): x is readonly NamedBytes[] {
  return Array.isArray(x);
}

function startsWithBrace(b: Uint8Array): boolean {
  for (let i = 0; i < Math.min(b.length, 64); i++) {
    const c = b[i]!;
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xef || c === 0xbb || c === 0xbf) continue; // blanks, UTF-8 BOM
    return c === 0x7b;
  }
  return false;
}

function listNames(files: readonly NamedBytes[]): string {
  if (!files.length) return "none";
  const shown = files.slice(0, 6).map((f) => f.name).join(", ");
  return files.length > 6 ? `${shown} and ${files.length - 6} more` : shown;
}

const baseName = (p: string) => p.slice(Math.max(p.lastIndexOf("/"), p.lastIndexOf("\\")) + 1);

async function readTfjsBytes(jsonFile: NamedBytes, shards: readonly NamedBytes[]): Promise<WeightsFile> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(jsonFile.bytes));
  } catch (e) {
    throw new WeightsFileError(jsonFile.name, `${jsonFile.name}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const byName = new Map(shards.map((s) => [baseName(s.name), s.bytes]));
  const readShard = async (p: unknown): Promise<Uint8Array> => {
    const bytes = typeof p === "string" ? byName.get(baseName(p)) : undefined;
    if (!bytes) {
      throw new WeightsFileError(
        jsonFile.name,
        `${jsonFile.name} needs the shard ${JSON.stringify(p)}, which is not among the files given` +
          ` (${listNames(shards)}): select model.json and all its .bin files together`,
      );
    }
    return bytes;
  };
  return { ...(await tfjsWeightsFromJson(json, readShard, jsonFile.name)), source: jsonFile.name };
}

type H5Module = typeof import("h5wasm");
let h5Promise: Promise<H5Module> | undefined;
let h5Files = 0;

/** h5wasm's ESM build (browser and Node alike) with its in-memory file system; loaded on first use. */
function loadH5(): Promise<H5Module> {
  h5Promise ??= import("h5wasm").then(async (m) => {
    await m.ready;
    return m;
  });
  return h5Promise;
}

async function readKerasH5Bytes(f: NamedBytes): Promise<WeightsFile> {
  const h5 = await loadH5();
  const fs = h5.FS;
  if (!fs) throw new Error("h5wasm's file system did not start");
  const p = `/fcn-viz-weights-${++h5Files}.h5`;
  fs.writeFile(p, f.bytes);
  try {
    let file: InstanceType<H5Module["File"]>;
    try {
      file = new h5.File(p, "r");
    } catch (e) {
      throw new WeightsFileError(f.name, `${f.name}: HDF5 library cannot open it (${String(e)})`, { cause: e });
    }
    try {
      return kerasWeightsFromH5(file as unknown as Parameters<typeof kerasWeightsFromH5>[0], f.name);
    } finally {
      file.close();
    }
  } finally {
    fs.unlink(p);
  }
}
