/** The published weights by name: registry, cache, `fetch`, and loading by name or path. */
export * from "./registry.js";
export { weightsCacheDir, cachedWeightsPath, cacheTarget, recordedSha256 } from "./cache.js";
export { DownloadError, type DownloadProgress } from "./download.js";
export { fetchWeights, FetchError, type FetchOptions } from "./fetch.js";
export { loadWeights, loadModel, type NameOptions } from "./load.js";
