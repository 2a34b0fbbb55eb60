/**
 * Names resolve everywhere: `loadWeights("voc-fcn8s")` reads the cached file, and
 * anything that is not a published name is a path. A name that is not cached is an
 * error naming the fetch command and the download's size; nothing downloads here.
 */
import { existsSync } from "node:fs";
import { modelFromWeights, type LoadOptions } from "../load.js";
import type { Model } from "../model.js";
import { readWeights } from "../weights/index.js";
import type { WeightsFile } from "../weights/types.js";
import { cachedWeightsPath, weightsCacheDir } from "./cache.js";
import { isPublishedName, PUBLISHED_WEIGHTS, publishedNames, publishedWeights, sizeText, withPublishedMeta, type Registry } from "./registry.js";

export interface NameOptions {
  readonly registry?: Registry;
}

/**
 * A weights file by published name (from the cache) or by path. For a name, what the
 * registry knows and the file does not say (class names, model, class count, at-once)
 * goes into the metadata, so figures and summaries can name PASCAL's classes. A name
 * wins over a file of the same name in the working folder: write ./voc-fcn8s for that.
 */
export async function loadWeights(nameOrPath: string, o: NameOptions = {}): Promise<WeightsFile> {
  const registry = o.registry ?? PUBLISHED_WEIGHTS;
  if (!isPublishedName(nameOrPath, registry)) {
    // A bare word that is no file was most likely meant as a name.
    if (!existsSync(nameOrPath) && !/[\\/.]/.test(nameOrPath)) {
      throw new Error(`"${nameOrPath}" is neither a weights file nor a published name (${publishedNames(registry).join(", ")}; see npx fcn-viz fetch --list)`);
    }
    return readWeights(nameOrPath);
  }
  const w = publishedWeights(nameOrPath, registry);
  const p = cachedWeightsPath(w.name, registry);
  if (!p) {
    throw new Error(`${w.name} is not in the weights cache (${weightsCacheDir()}): get it once with \`npx fcn-viz fetch ${w.name}\` (${sizeText(w)} download)`);
  }
  return withPublishedMeta(await readWeights(p), w);
}

/** A ready model from a published name or a weights file; the model comes from the file. */
export async function loadModel(nameOrPath: string, o: LoadOptions & NameOptions = {}): Promise<Model> {
  return modelFromWeights(undefined, await loadWeights(nameOrPath, o), o);
}
