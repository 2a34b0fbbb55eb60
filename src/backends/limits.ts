/** What the active backend can hold, for the memory planner (src/net/memory.ts). */
import * as tf from "@tensorflow/tfjs";
import type { MemoryLimits } from "../net/memory.js";
import { isBrowser, nodeImport } from "./platform.js";
import { session } from "./session.js";
import { activeBackend } from "./start.js";
import { webgpuDeviceLimits } from "./webgpu.js";

/** 32-bit WebAssembly addresses 2^32 bytes; tfjs-backend-wasm's memory may grow to all of it. */
export const WASM32_BYTES = 2 ** 32;

/** Learn the machine's RAM (Node, once) into the session; a browser does not tell. */
export async function learnMachineMemory(): Promise<void> {
  if (session.machineBytes !== null || isBrowser()) return;
  try {
    session.machineBytes = (await nodeImport<typeof import("node:os")>("node:os")).totalmem();
  } catch {
    session.machineBytes = null;
  }
}

/**
 * What the active backend can hold, for the memory planner (src/net/memory.ts):
 * wasm: everything within WebAssembly's 4 GiB address space; cpu (Node): the machine's
 * RAM; webgpu: no tensor above the device's storage-binding / buffer size (tfjs-webgpu
 * binds each tensor whole, and an oversized one is computed as garbage, not refused);
 * webgl: nothing known here (the explorer adds its texture-size test).
 */
export function memoryLimits(): MemoryLimits {
  const active = activeBackend() ?? tf.getBackend();
  const machineBytes = session.machineBytes;
  const gib = (n: number) => `${Math.round(n / 2 ** 30)} GiB`;
  switch (active) {
    case "wasm":
      return {
        backend: "wasm",
        totalBytes: WASM32_BYTES,
        totalWhat: "the 4 GiB a 32-bit WebAssembly module can address",
        tensorBytes: null,
        alternatives:
          isBrowser()
            ? "a browser with WebGPU or WebGL on a GPU"
            : `the cpu backend (pure JS, no 4 GiB ceiling${machineBytes ? `: this machine's ${gib(machineBytes)}` : ""}, but ~35x slower), or webgpu on a GPU`,
      };
    case "cpu":
      return {
        backend: "cpu",
        totalBytes: machineBytes,
        totalWhat: machineBytes ? `this machine's ${gib(machineBytes)} of memory` : "",
        tensorBytes: null,
      };
    case "webgpu": {
      const limits = webgpuDeviceLimits();
      const bind = limits?.maxStorageBufferBindingSize ?? null;
      const buffer = limits?.maxBufferSize ?? null;
      const tensorBytes = bind === null ? buffer : buffer === null ? bind : Math.min(bind, buffer);
      return {
        backend: "webgpu",
        totalBytes: null,
        tensorBytes,
        tensorWhat: "this GPU's limit for one buffer (maxStorageBufferBindingSize)",
        alternatives: "the wasm backend, which has no per-buffer limit",
      };
    }
    default:
      return { backend: active || "none", totalBytes: null, tensorBytes: null };
  }
}
