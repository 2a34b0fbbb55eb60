/**
 * The published weights by name (Node): the registry, the cache, `fetch`, and loading by
 * name or path. The registry alone (registry.ts: names, facts, sizes; no file system) is
 * also in the browser entry, `fcn-viz`.
 */
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
} from "./registry.js";
export { weightsCacheDir, cachedWeightsPath, cacheTarget, recordedSha256 } from "./cache.js";
export { DownloadError, type DownloadProgress } from "./download.js";
export { fetchWeights, FetchError, type FetchOptions } from "./fetch.js";
export { loadWeights, loadModel, type NameOptions } from "./load.js";
