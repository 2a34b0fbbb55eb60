/**
 * The wasm backend: where its .wasm binaries are, how many XNNPACK threads (Node: the
 * threaded-SIMD build through wasm-threads.ts, else single-threaded SIMD), and what runs.
 */
import * as tf from "@tensorflow/tfjs";
import { errorMessage, isBrowser, nodeImport } from "./platform.js";
import { session } from "./session.js";
import { BackendError, activeBackend, startBackend } from "./start.js";
import { MAX_WASM_THREADS, defaultWasmThreads, prepareThreadedWasm, type ThreadedWasmAttempt } from "./wasm-threads.js";

export interface WasmOptions {
  /**
   * Where the .wasm binaries are (a URL/path prefix ending in "/"). Node: resolved from
   * node_modules when omitted. Browser: tfjs's default (next to the script) when omitted.
   */
  wasmPaths?: string;
  /**
   * Node: XNNPACK threads for wasm. Default: the FCN_VIZ_WASM_THREADS environment variable,
   * else os.availableParallelism() (at most 8). Two or more start tfjs's threaded-SIMD build
   * (see backends/wasm-threads.ts), falling back to the single-threaded SIMD build, with the
   * reason in `reason`, if it cannot start; 1 starts the single-threaded build directly.
   * Only the first start of wasm in a process counts: tfjs cannot restart it.
   */
  wasmThreads?: number;
}

export interface WasmStart {
  /** "wasm (SIMD, 2 threads)": what runs. */
  readonly detail: string;
  /** Why fewer threads than the cores, when it is not by request; else "". */
  readonly note: string;
}

export async function startWasm(opts: WasmOptions, log: (l: string) => void): Promise<WasmStart> {
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  let where = opts.wasmPaths;
  // tfjs looks for the .wasm next to the *calling* script in Node, which is wrong for us.
  if (!where && !isBrowser()) where = await nodeWasmDir();
  const first = !tf.findBackend("wasm");
  // setWasmPaths throws once the wasm backend is initialized: only before the first start.
  if (where && first) wasm.setWasmPaths(where);
  // In a browser tfjs picks threads itself (when the page is cross-origin isolated).
  if (first && !isBrowser()) session.wasmNote = await startThreadedWasm(wasm, where, opts, log);
  if (activeBackend() !== "wasm") {
    try {
      await startBackend("wasm");
    } catch (e) {
      throw new BackendError(
        "wasm",
        errorMessage(e),
        isBrowser()
          ? "serve tfjs-backend-wasm's dist/*.wasm files and pass their URL prefix as wasmPaths"
          : `check that ${where ?? "tfjs-backend-wasm/dist/"}tfjs-backend-wasm-simd.wasm exists (reinstall @tensorflow/tfjs-backend-wasm), or use --backend cpu`,
      );
    }
  }
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  const threads = wasm.getThreadsCount();
  return { detail: `wasm (${simd ? "SIMD" : "no SIMD"}, ${threads} thread${threads === 1 ? "" : "s"})`, note: session.wasmNote };
}

/** Node: .../node_modules/@tensorflow/tfjs-backend-wasm/dist/ */
async function nodeWasmDir(): Promise<string> {
  const { createRequire } = await nodeImport<typeof import("node:module")>("node:module");
  const path = await nodeImport<typeof import("node:path")>("node:path");
  const main = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
  return path.dirname(main) + path.sep;
}

/** Threads asked for: the option, else FCN_VIZ_WASM_THREADS, else one per core. */
async function wantedWasmThreads(opts: WasmOptions): Promise<{ n: number; asked: boolean }> {
  const fromEnv = typeof process !== "undefined" ? process.env.FCN_VIZ_WASM_THREADS : undefined;
  const asked = opts.wasmThreads ?? (fromEnv !== undefined && fromEnv.trim() !== "" ? Number(fromEnv) : undefined);
  if (asked !== undefined) {
    if (!Number.isInteger(asked) || asked < 1) {
      throw new Error(`wasm thread count must be a positive integer, got ${opts.wasmThreads ?? `FCN_VIZ_WASM_THREADS=${fromEnv}`}`);
    }
    return { n: Math.min(asked, MAX_WASM_THREADS), asked: true };
  }
  return { n: await defaultWasmThreads(), asked: false };
}

/**
 * Node, first wasm start: try tfjs's threaded-SIMD build. On success wasm is running;
 * otherwise everything is undone and the caller starts the single-threaded build.
 * Returns what is worth telling (a fallback and its cause), or "".
 */
async function startThreadedWasm(
  wasm: typeof import("@tensorflow/tfjs-backend-wasm"),
  where: string | undefined,
  opts: WasmOptions,
  log: (l: string) => void,
): Promise<string> {
  const want = await wantedWasmThreads(opts);
  if (want.n < 2) return want.asked ? "" : "one CPU core, so single-threaded";
  let attempt: ThreadedWasmAttempt | undefined;
  try {
    attempt = await prepareThreadedWasm(wasm, tf.env(), want.n, { wasmDir: where });
    await startBackend("wasm", attempt.failed);
    attempt.commit();
  } catch (e) {
    forgetWasmInstance();
    attempt?.abandon();
    const why = `threaded WASM did not start (${errorMessage(e)}), so single-threaded`;
    log(`wasm: ${why}`);
    return why;
  }
  const got = wasm.getThreadsCount();
  log(`wasm: threaded-SIMD build, ${got} XNNPACK thread${got === 1 ? "" : "s"}`);
  return got < want.n ? `XNNPACK runs ${got} of the ${want.n} threads asked` : "";
}

/** Drop a wasm backend instance that started but failed its check, so the next start re-inits. */
function forgetWasmInstance(): void {
  const engine = tf.engine() as unknown as { registry?: Record<string, { dispose(): void } | undefined> };
  const instance = engine.registry?.wasm;
  if (!instance) return;
  try {
    instance.dispose();
  } catch {
    // it is being thrown away anyway
  }
  delete engine.registry!.wasm;
}
