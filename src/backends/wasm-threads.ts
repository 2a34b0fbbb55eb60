/**
 * Multi-threaded tfjs WASM (XNNPACK on a pthread pool) in Node.
 *
 * tfjs-backend-wasm 4.22 ships a threaded-SIMD build but never uses it in Node: its
 * WASM_HAS_MULTITHREAD_SUPPORT flag answers false there (tfjs issue 3830). Forcing the flag
 * is not enough, for three reasons, each handled here for the duration of one start:
 *
 * 1. Emscripten starts each pthread with `new Worker(locateFile("...worker.js"))`, and tfjs's
 *    locateFile answers a `blob:` URL, which Node's worker_threads refuses (ERR_WORKER_PATH).
 *    The glue also assigns `globalThis.Worker = worker_threads.Worker` right before using it,
 *    so `Worker` is made an accessor whose setter is ignored and whose getter answers
 *    PthreadWorker, a worker_threads.Worker that runs tfjs's worker script (the same text,
 *    from wasm-out/*.worker.js) with `eval: true` when given a blob: URL.
 * 2. The "load" message hands each worker the main script as a Blob, which the worker's Node
 *    branch cannot read (its importScripts is a synchronous fs.readFileSync). PthreadWorker
 *    replaces that Blob by the path of wasm-out/tfjs-backend-wasm-threaded-simd.js, the
 *    unbundled Emscripten glue of the same build (same imports, same proxied-call table).
 * 3. backend.cc caps the pool at emscripten_num_logical_cores() / 2 (it assumes two
 *    hyperthreads per core), which in Node is os.cpus().length / 2: one thread on a 2-core
 *    machine. os.cpus is made to answer 2 x threads until the backend is up.
 *
 * And one thing for good: Emscripten ref()s a worker while it runs a pthread. XNNPACK's pool
 * threads never end, so they would keep Node alive forever after the script is done.
 * PthreadWorker.ref() does nothing: the main thread only waits for pool threads
 * synchronously, inside a kernel, so they never need the event loop to stay alive.
 *
 * Anything unexpected (another tfjs-backend-wasm version, no SharedArrayBuffer, a worker
 * that fails or never loads) makes the attempt fail with a reason; abandon() then undoes
 * everything so the single-threaded SIMD build can start instead.
 */

/** The tfjs-backend-wasm version whose internals this was written against. */
export const THREADED_WASM_TESTED_VERSION = "4.22.0";

/** tfjs-backend-wasm's pthread pool size (PTHREAD_POOL_SIZE) and backend.cc's max_num_threads. */
export const MAX_WASM_THREADS = 8;

/** The parts of @tensorflow/tfjs-backend-wasm used here. */
export interface WasmApi {
  readonly version_wasm: string;
  setThreadsCount(n: number): void;
}

/** The parts of tfjs's env used here. */
export interface FlagEnv {
  set(flag: string, value: boolean): void;
}

export interface ThreadedWasmAttempt {
  /** Threads asked of XNNPACK. */
  readonly threads: number;
  /**
   * Rejects when the attempt fails while tfjs waits for it: a pthread worker errs or exits
   * before it loads, or nothing happens within the timeout. Race tf.setBackend("wasm")
   * against it. Never rejects after commit() or abandon() (and never unhandled).
   */
  readonly failed: Promise<never>;
  /** The backend is up: keep the Worker shim (for later pthreads), restore everything else. */
  commit(): void;
  /** The backend did not start: terminate the workers and restore everything. */
  abandon(): void;
}

export interface PrepareOptions {
  /** The prefix given to setWasmPaths; its threaded .wasm is checked when it is a local path. */
  readonly wasmDir?: string;
  /** How long the pthread pool may take to load. Default 60 s. */
  readonly timeoutMs?: number;
}

/** Dynamic import that bundlers leave alone (Node-only modules). */
function nodeImport<T>(specifier: string): Promise<T> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>;
}

/** How many threads to use by default: the cores Node may use, at most MAX_WASM_THREADS. */
export async function defaultWasmThreads(): Promise<number> {
  const os = await nodeImport<typeof import("node:os")>("node:os");
  const n = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(MAX_WASM_THREADS, n));
}

/** A WebAssembly module using shared memory and an atomic op (wasm-feature-detect's probe, as tfjs). */
const THREADS_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 10, 11, 1, 9, 0, 65, 0, 254, 16, 2, 0, 26, 11,
]);

/** Markers of the tfjs 4.22 pthread worker script this shim relies on. */
const WORKER_MARKERS = [
  'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}',
  "WasmBackendModuleThreadedSimd(Module)",
  "nodeWorkerThreads.parentPort",
];

/**
 * Set tfjs-backend-wasm up so that the next tf.setBackend("wasm") starts the threaded-SIMD
 * build with `threads` XNNPACK threads. Throws (with the reason) when this cannot work here;
 * then nothing has been changed. Call it only before the wasm backend's first start.
 */
export async function prepareThreadedWasm(
  wasm: WasmApi,
  env: FlagEnv,
  threads: number,
  opts: PrepareOptions = {},
): Promise<ThreadedWasmAttempt> {
  checkThreadsPossible(wasm, threads);
  const build = await findThreadedBuild(opts.wasmDir);

  // ---- From here on, everything is undone by abandon().
  let state: "trying" | "committed" | "abandoned" = "trying";
  let trouble: ((e: Error) => void) | null = null;
  const failed = new Promise<never>((_, reject) => {
    trouble = (e) => {
      trouble = null;
      reject(e);
    };
  });
  failed.catch(() => {}); // observed by the caller's race; never an unhandled rejection
  const workers: import("node:worker_threads").Worker[] = [];
  const PthreadWorker = pthreadWorkerClass(build, {
    created: (w) => workers.push(w),
    fail: (e) => trouble?.(e),
    committed: () => state === "committed",
  });

  const restoreWorker = installWorkerGlobal(PthreadWorker);
  const restoreCpus = pretendLogicalCores(build.os, 2 * threads);
  const removeGlueListeners = glueListenerCleanup();

  env.set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  wasm.setThreadsCount(threads);

  const timeoutMs = opts.timeoutMs ?? 60_000;
  const timer = setTimeout(() => {
    trouble?.(new Error(`the pthread pool did not load within ${timeoutMs} ms`));
  }, timeoutMs);

  const restoreCommon = () => {
    clearTimeout(timer);
    trouble = null;
    restoreCpus();
  };

  return {
    threads,
    failed,
    commit() {
      if (state !== "trying") return;
      state = "committed";
      restoreCommon();
      // Later pthreads (a pool grown past its 8 workers) need the shim too.
      Object.defineProperty(globalThis, "Worker", {
        configurable: true,
        enumerable: false,
        writable: true,
        value: PthreadWorker,
      });
    },
    abandon() {
      if (state !== "trying") return;
      state = "abandoned";
      restoreCommon();
      env.set("WASM_HAS_MULTITHREAD_SUPPORT", false);
      wasm.setThreadsCount(-1);
      for (const w of workers) void w.terminate().catch(() => {});
      restoreWorker();
      removeGlueListeners();
    },
  };
}

/** Make globalThis.Worker answer `worker` whatever the glue assigns to it; returns the undo. */
function installWorkerGlobal(worker: unknown): () => void {
  const g = globalThis as { Worker?: unknown };
  const workerBefore = Object.getOwnPropertyDescriptor(globalThis, "Worker");
  Object.defineProperty(globalThis, "Worker", {
    configurable: true,
    enumerable: false,
    get: () => worker,
    set: () => {}, // the glue's `Worker = worker_threads.Worker`
  });
  return () => {
    if (workerBefore) Object.defineProperty(globalThis, "Worker", workerBefore);
    else delete g.Worker;
  };
}

/** Make os.cpus() answer `count` entries (backend.cc uses half of them); returns the undo. */
function pretendLogicalCores(os: ThreadedBuild["os"], count: number): () => void {
  const realCpus = os.cpus;
  os.cpus = function cpus() {
    const real = realCpus.call(os);
    return Array.from({ length: count }, (_, i) => real[i % Math.max(1, real.length)]!);
  };
  return () => {
    os.cpus = realCpus;
  };
}

/**
 * Note the process listeners now; the returned function removes those a failed glue added
 * since (they rethrow everything, and would keep it in memory).
 */
function glueListenerCleanup(): () => void {
  const listenersBefore = {
    uncaughtException: process.listeners("uncaughtException"),
    unhandledRejection: process.listeners("unhandledRejection"),
  };
  return () => {
    for (const event of ["uncaughtException", "unhandledRejection"] as const) {
      for (const l of process.listeners(event)) {
        if (!listenersBefore[event].includes(l) && /ExitStatus|throw reason/.test(String(l))) {
          process.removeListener(event, l as (...args: unknown[]) => void);
        }
      }
    }
  };
}

/** Throw the reason when the threaded build cannot run here (before anything is changed). */
function checkThreadsPossible(wasm: WasmApi, threads: number): void {
  if (typeof process === "undefined" || !process.versions?.node) throw new Error("not running in Node");
  if (!Number.isInteger(threads) || threads < 2 || threads > MAX_WASM_THREADS) {
    throw new Error(`thread count must be 2..${MAX_WASM_THREADS}, got ${threads}`);
  }
  if (wasm.version_wasm !== THREADED_WASM_TESTED_VERSION) {
    throw new Error(
      `@tensorflow/tfjs-backend-wasm is ${wasm.version_wasm}; the Node threads shim is written for ` +
        `${THREADED_WASM_TESTED_VERSION} only`,
    );
  }
  if (typeof SharedArrayBuffer !== "function" || typeof Atomics !== "object") {
    throw new Error("this Node has no SharedArrayBuffer/Atomics");
  }
  let threadsOk = false;
  try {
    threadsOk = WebAssembly.validate(THREADS_PROBE);
  } catch {
    threadsOk = false;
  }
  if (!threadsOk) throw new Error("this Node's WebAssembly has no threads (shared memory, atomics)");
}

/** The files of tfjs's threaded-SIMD build, checked, and the Node modules the shim patches. */
interface ThreadedBuild {
  /** wasm-out/tfjs-backend-wasm-threaded-simd.js: the unbundled Emscripten glue. */
  readonly glue: string;
  /** tfjs's pthread worker script, escaped as tfjs escapes it for its Blob. */
  readonly workerCode: string;
  /** The CommonJS os object: the one tfjs's glue calls cpus() on. */
  readonly os: { cpus: () => import("node:os").CpuInfo[] };
  readonly Worker: typeof import("node:worker_threads").Worker;
}

async function findThreadedBuild(wasmDir: string | undefined): Promise<ThreadedBuild> {
  const [{ createRequire }, path, fs, workerThreads] = await Promise.all([
    nodeImport<typeof import("node:module")>("node:module"),
    nodeImport<typeof import("node:path")>("node:path"),
    nodeImport<typeof import("node:fs")>("node:fs"),
    nodeImport<typeof import("node:worker_threads")>("node:worker_threads"),
  ]);
  const require = createRequire(import.meta.url);
  // The CommonJS os object: the one tfjs's glue calls cpus() on.
  const os = require("node:os") as { cpus: () => import("node:os").CpuInfo[] };

  const main = require.resolve("@tensorflow/tfjs-backend-wasm"); // .../dist/tf-backend-wasm.node.js
  const wasmOut = path.join(path.dirname(path.dirname(main)), "wasm-out");
  const glue = path.join(wasmOut, "tfjs-backend-wasm-threaded-simd.js");
  const workerModule = path.join(wasmOut, "tfjs-backend-wasm-threaded-simd.worker.js");
  if (!fs.existsSync(glue)) throw new Error(`${glue} is missing`);
  let workerScript: unknown;
  try {
    workerScript = (require(workerModule) as { wasmWorkerContents?: unknown }).wasmWorkerContents;
  } catch (e) {
    throw new Error(`cannot load ${workerModule}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof workerScript !== "string" || WORKER_MARKERS.some((m) => !workerScript.includes(m))) {
    throw new Error(`${workerModule} is not the pthread worker script this shim knows`);
  }
  if (!fs.readFileSync(glue, "utf8").includes("var WasmBackendModuleThreadedSimd")) {
    throw new Error(`${glue} does not define WasmBackendModuleThreadedSimd`);
  }
  if (wasmDir && !/^[a-z][a-z0-9+.-]+:\/\//i.test(wasmDir)) {
    const binary = wasmDir + "tfjs-backend-wasm-threaded-simd.wasm";
    if (!fs.existsSync(binary)) throw new Error(`${binary} is missing`);
  }
  // tfjs escapes the one newline inside a string literal the same way before making its Blob.
  const workerCode = workerScript.replace(/\n/g, "\\n");
  return { glue, workerCode, os, Worker: workerThreads.Worker };
}

/** What a PthreadWorker tells the attempt that made it. */
interface WorkerHooks {
  created(worker: import("node:worker_threads").Worker): void;
  /** The attempt fails with this reason (ignored once it is over). */
  fail(e: Error): void;
  /** The backend is up: a worker's error is Emscripten's business again. */
  committed(): boolean;
}

/**
 * The Worker class the Emscripten glue is given: a worker_threads.Worker that runs tfjs's
 * worker script from a blob: URL, loads the glue from its file, never keeps Node alive,
 * and turns a worker's failure into the attempt's (see the file comment).
 */
function pthreadWorkerClass(build: ThreadedBuild, hooks: WorkerHooks) {
  const { glue, workerCode } = build;
  return class PthreadWorker extends build.Worker {
    loaded?: boolean;

    constructor(url: string | URL, options?: import("node:worker_threads").WorkerOptions) {
      if (typeof url === "string" && url.startsWith("blob:")) {
        super(workerCode, { ...options, eval: true });
        try {
          URL.revokeObjectURL(url); // tfjs's Blob of the same script: not needed any more
        } catch {
          // not ours to worry about
        }
      } else {
        super(url, options);
      }
      hooks.created(this);
      this.once("exit", (code: number) => {
        if (!this.loaded) hooks.fail(new Error(`a pthread worker exited (code ${code}) before it loaded`));
      });
    }

    /** Never keep Node alive for a pthread (see the file comment). */
    override ref(): void {}

    override postMessage(value: unknown, transferList?: readonly import("node:worker_threads").Transferable[]): void {
      const msg = value as { cmd?: unknown; urlOrBlob?: unknown } | null;
      if (msg && msg.cmd === "load" && typeof msg.urlOrBlob !== "string") {
        value = { ...msg, urlOrBlob: glue };
      }
      super.postMessage(value, transferList);
    }

    override emit(event: string | symbol, ...args: unknown[]): boolean {
      // Emscripten's handler rethrows a worker's error, which in Node kills the process.
      // Until the backend is up (and after giving up) an error is a reason to fall back.
      if (event === "error" && !hooks.committed()) {
        const e = args[0];
        hooks.fail(new Error(`a pthread worker failed: ${e instanceof Error ? e.message : String(e)}`));
        return true;
      }
      return super.emit(event, ...args);
    }
  };
}
