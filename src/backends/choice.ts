/**
 * Choosing a TensorFlow.js backend, never silently: by name or automatically, with the
 * reason, and restoring the previous backend when an explicit one fails (see start.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { routeName } from "./dawn.js";
import { learnMachineMemory } from "./limits.js";
import { errorMessage, isBrowser } from "./platform.js";
import { session } from "./session.js";
import { activeBackend, startBackend } from "./start.js";
import { startWasm, type WasmOptions } from "./wasm.js";
import { startWebgl } from "./webgl.js";
import { startWebgpu } from "./webgpu.js";
import type { AdapterSummary } from "./webgpu-types.js";

export type BackendName = "auto" | "webgpu" | "webgl" | "wasm" | "cpu";
export const BACKEND_NAMES: readonly BackendName[] = ["auto", "webgpu", "webgl", "wasm", "cpu"];

export interface BackendInfo {
  /** The tfjs backend that actually runs (tf.getBackend()). */
  readonly name: string;
  readonly requested: BackendName;
  /** Why this backend: which ones were tried, what failed, what was skipped and why. */
  readonly reason: string;
  readonly adapter?: AdapterSummary;
}

export interface UseBackendOptions extends WasmOptions {
  /** Progress and fallback lines (each probe's outcome). Default: discarded; `reason` has them. */
  log?: (line: string) => void;
}

/** The backend named, or the unknown-backend error listing the valid ones. */
function normalize(name: string): BackendName {
  const n = String(name).trim().toLowerCase();
  if ((BACKEND_NAMES as readonly string[]).includes(n)) return n as BackendName;
  throw new Error(`Unknown backend "${name}". Valid backends: ${BACKEND_NAMES.join(", ")}.`);
}

/**
 * Switch tfjs to `name` ("auto" | "webgpu" | "webgl" | "wasm" | "cpu") and say why.
 *
 * auto, Node: WebGPU (Dawn) on a hardware adapter > WASM (SIMD, a thread per core) > cpu.
 * A software adapter does not count: WebGPU on llvmpipe is ~15x slower than WASM on the
 * same CPU.
 * auto, browser: WebGPU > WebGL (both hardware only) > WASM > cpu.
 * An explicit name either runs that backend or throws a BackendError with cause and fix;
 * the previously active backend is restored first, so tfjs is never left half-switched.
 */
export async function useBackend(name: string, opts: UseBackendOptions = {}): Promise<BackendInfo> {
  const requested = normalize(name);
  const log = opts.log ?? (() => {});
  // The backend is chosen and reported here; tfjs's own "install tfjs-node" banner would
  // only mislead (tfjs-node downloads libtensorflow, which offline machines cannot).
  tf.env().set("PROD", true);
  const previous = activeBackend();
  await learnMachineMemory();
  try {
    return await choose(requested, opts, log);
  } catch (e) {
    if (previous !== null && activeBackend() !== previous) {
      await tf.setBackend(previous).catch(() => false);
    }
    throw e;
  }
}

/** One line for the CLI/notebooks: "wasm (SIMD, 2 threads)", "webgpu on <adapter> ...". */
export function describeBackend(): string {
  const active = activeBackend();
  if (active === null) return "none yet (tfjs picks one at the first op: call useBackend first)";
  const chosen = session.chosen;
  if (chosen && chosen.name === active) return chosen.detail;
  return `${active} (not chosen through useBackend)`;
}

type Log = (line: string) => void;
/** Record the choice in the session, log it, and make useBackend's answer. */
type Done = (name: string, reason: string, detail: string, adapter?: AdapterSummary) => BackendInfo;

async function choose(requested: BackendName, opts: UseBackendOptions, log: Log): Promise<BackendInfo> {
  const done: Done = (name, reason, detail, adapter) => {
    session.chosen = { name, detail };
    log(`backend: ${detail} (${reason})`);
    return adapter ? { name, requested, reason, adapter } : { name, requested, reason };
  };

  switch (requested) {
    case "cpu": {
      await startBackend("cpu");
      return done("cpu", "requested", "cpu (pure JS)");
    }
    case "wasm": {
      const w = await startWasm(opts, log);
      return done("wasm", `requested${w.note ? `; ${w.note}` : ""}`, w.detail);
    }
    case "webgl": {
      if (!isBrowser()) {
        throw new Error("WebGL needs a browser; in Node use webgpu, wasm or cpu.");
      }
      const r = await startWebgl(false);
      return done("webgl", `requested${r.software ? `; note: ${r.renderer} is a software renderer` : ""}`, r.detail);
    }
    case "webgpu": {
      const g = await startWebgpu(false, log);
      const notes = [...g.skipped, `using ${g.adapter.description} via ${routeName(g.adapter.via)}`];
      if (g.adapter.software) {
        notes.push("it is a software adapter: expect it to be ~15x slower than wasm for the FCN");
      }
      return done("webgpu", `requested; ${notes.join("; ")}`, g.detail, g.adapter);
    }
    case "auto":
      return isBrowser() ? autoBrowser(opts, log, done) : autoNode(opts, log, done);
  }
}

async function autoNode(opts: UseBackendOptions, log: Log, done: Done): Promise<BackendInfo> {
  let gpuWhy: string;
  try {
    const g = await startWebgpu(true, log);
    return done("webgpu", `auto: hardware GPU adapter ${g.adapter.description}`, g.detail, g.adapter);
  } catch (e) {
    gpuWhy = errorMessage(e);
    log(`auto: no webgpu: ${gpuWhy}`);
  }
  try {
    const w = await startWasm(opts, log);
    const note = w.note ? `; ${w.note}` : "";
    return done("wasm", `auto: no GPU adapter (${gpuWhy}), using ${w.detail.replace(/^wasm/, "WASM")}${note}`, w.detail);
  } catch (e) {
    log(`auto: wasm failed: ${errorMessage(e)}`);
    await startBackend("cpu");
    return done(
      "cpu",
      `auto: no GPU adapter (${gpuWhy}); WASM failed (${errorMessage(e)}); using the pure-JS cpu backend (slow)`,
      "cpu (pure JS)",
    );
  }
}

async function autoBrowser(opts: UseBackendOptions, log: Log, done: Done): Promise<BackendInfo> {
  const skipped: string[] = [];
  try {
    const g = await startWebgpu(true, log);
    return done("webgpu", `auto: GPU adapter ${g.adapter.description}`, g.detail, g.adapter);
  } catch (e) {
    skipped.push(`webgpu: ${errorMessage(e)}`);
  }
  try {
    const r = await startWebgl(true);
    return done("webgl", `auto: ${skipped.join("; ")}; using WebGL on ${r.renderer}`, r.detail);
  } catch (e) {
    skipped.push(`webgl: ${errorMessage(e)}`);
  }
  for (const s of skipped) log(`auto: ${s}`);
  try {
    const w = await startWasm(opts, log);
    return done("wasm", `auto: ${skipped.join("; ")}; using ${w.detail}${w.note ? `; ${w.note}` : ""}`, w.detail);
  } catch (e) {
    skipped.push(`wasm: ${errorMessage(e)}`);
    await startBackend("cpu");
    return done("cpu", `auto: ${skipped.join("; ")}; using the pure-JS cpu backend (slow)`, "cpu (pure JS)");
  }
}
