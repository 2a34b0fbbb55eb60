/**
 * Everything the backend modules remember between calls, in one place.
 *
 * tfjs's engine is one per process, so there is one session: useBackend fills it in,
 * describeBackend / memoryLimits / takeGpuErrors read it.
 */
import type { AdapterSummary, MiniDevice, MiniGpu, Route } from "./webgpu-types.js";

export interface BackendSession {
  /** What useBackend last chose: tfjs's backend name and describeBackend's line for it. */
  chosen: { readonly name: string; readonly detail: string } | null;
  /** How the first wasm start went when it is worth telling (a thread fallback); "" otherwise. */
  wasmNote: string;
  /** The machine's RAM in bytes (Node), learned when a backend is chosen; null in a browser. */
  machineBytes: number | null;
  /** The WebGPU device we created for tfjs-webgpu, and the adapter it is on. */
  gpuDevice: MiniDevice | null;
  gpuAdapter: AdapterSummary | null;
  /** WebGPU validation errors caught on our device (tfjs-webgpu never checks for them). */
  readonly gpuErrors: string[];
  /** How many there were since startup (gpuErrors keeps the first 50 not yet taken). */
  gpuErrorCount: number;
  /** Dawn instances by route (creating one is ~100 ms; keep them for the process). */
  readonly dawnGpus: Map<Route, MiniGpu>;
}

export const session: BackendSession = {
  chosen: null,
  wasmNote: "",
  machineBytes: null,
  gpuDevice: null,
  gpuAdapter: null,
  gpuErrors: [],
  gpuErrorCount: 0,
  dawnGpus: new Map(),
};
