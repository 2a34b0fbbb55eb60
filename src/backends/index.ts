/**
 * TensorFlow.js backends, chosen never silently:
 *   choice.ts   useBackend / describeBackend, the backend names, auto's order
 *   start.ts    one start, proven (setBackend, registry, a known sum); BackendError
 *   wasm.ts     .wasm paths, threads, SIMD (wasm-threads.ts: the threaded build in Node)
 *   webgl.ts    the renderer, hardware or software
 *   webgpu.ts   adapter, device, validation errors, binding limits (dawn.ts: reaching a GPU)
 *   limits.ts   what the active backend can hold, for the memory planner
 *   session.ts  everything remembered between calls, in one object
 */
export { BACKEND_NAMES, describeBackend, useBackend, type BackendInfo, type BackendName, type UseBackendOptions } from "./choice.js";
export { BackendError } from "./start.js";
export { WASM32_BYTES, memoryLimits } from "./limits.js";
export { gpuErrorTotal, maxBufferBytes, takeGpuErrors } from "./webgpu.js";
export type { AdapterSummary } from "./webgpu-types.js";
