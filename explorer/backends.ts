/**
 * The page's backend policy: WebGPU when the browser has it, else WebGL, else WASM, else
 * the plain JS cpu backend. Software renderers count (the page says so): unlike
 * useBackend("auto"), which skips them, the explorer is about seeing the model run on
 * the GPU path, and a headless test browser only has SwiftShader.
 */
import * as tf from "@tensorflow/tfjs";
import { BACKEND_NAMES, describeBackend, maxBufferBytes, useBackend, type BackendInfo, type BackendName } from "fcn-viz";

export interface StartedBackend {
  readonly info: BackendInfo;
  /** "webgl on ANGLE (...) [software]": what runs, with the GPU renderer / adapter. */
  readonly detail: string;
  /** Backends tried first that did not start, with why. */
  readonly skipped: readonly string[];
  /** WebGL's MAX_TEXTURE_SIZE (null on other backends). */
  readonly maxTextureSize: number | null;
  /** WebGPU's binding limit (null elsewhere). */
  readonly maxBufferBytes: number | null;
  readonly software: boolean;
}

/** Starts the backend chosen, a library backend name ("auto": the first of the others that starts). */
export async function startBackend(choice: BackendName, wasmPaths: string, log: (l: string) => void = () => {}): Promise<StartedBackend> {
  const order = choice === "auto" ? BACKEND_NAMES.filter((n) => n !== "auto") : [choice];
  const skipped: string[] = [];
  for (const name of order) {
    if (choice === "auto" && name === "webgpu" && !("gpu" in navigator)) {
      skipped.push("webgpu: this browser has no WebGPU (navigator.gpu)");
      continue;
    }
    try {
      // tfjs-backend-wasm 4.22 starts its threads from `factory.toString()` in a Blob worker;
      // in this bundle that text refers to names only the bundle's scope defines, so every
      // worker dies ("e is not defined") and the start never finishes. Single-threaded SIMD.
      if (name === "wasm") {
        await import("@tensorflow/tfjs-backend-wasm"); // registers the flag
        tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
      }
      const info = await useBackend(name, { wasmPaths, log });
      const detail = describeBackend();
      const maxTextureSize = name === "webgl" ? tf.env().getNumber("WEBGL_MAX_TEXTURE_SIZE") : null;
      return {
        info,
        detail,
        skipped,
        maxTextureSize,
        maxBufferBytes: maxBufferBytes(),
        software: /\[software\]/.test(detail) || Boolean(info.adapter?.software),
      };
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      if (choice !== "auto") throw e;
      skipped.push(`${name}: ${why}`);
      log(`${name} did not start: ${why}`);
    }
  }
  throw new Error(`no backend started: ${skipped.join("; ")}`);
}
