/**
 * Choosing a TensorFlow.js backend, never silently.
 *
 * Why this module exists: `tf.setBackend(x)` returns false when x fails to start, and
 * `tf.getBackend()` then still answers x (tfjs-core sets the name before it initializes)
 * until the next op quietly initializes the best remaining backend, usually the pure-JS
 * cpu one (~35x slower than WASM for the FCN). So every start here is checked three ways:
 * setBackend's result, the engine's registry, and a tiny computation whose answer is known.
 *
 * Node-only modules (`webgpu`, `node:*`) are imported dynamically, through a specifier
 * bundlers do not follow, so this file can be bundled for a browser later.
 */
import * as tf from "@tensorflow/tfjs";
import { MAX_WASM_THREADS, defaultWasmThreads, prepareThreadedWasm, type ThreadedWasmAttempt } from "./wasm-threads.js";
import type { MemoryLimits } from "./net/memory.js";

export type BackendName = "auto" | "webgpu" | "webgl" | "wasm" | "cpu";
export const BACKEND_NAMES: readonly BackendName[] = ["auto", "webgpu", "webgl", "wasm", "cpu"];

/** The GPU adapter a webgpu backend runs on. */
export interface AdapterSummary {
  /** Human-readable: vendor/architecture/device, else Dawn's description. */
  readonly description: string;
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  /** The adapter says it is a fallback (CPU) adapter. Dawn's GLES llvmpipe says false. */
  readonly isFallback: boolean;
  /** Software rasterizer (SwiftShader, llvmpipe, lavapipe, WARP...): isFallback or by name. */
  readonly software: boolean;
  /** How Dawn reached it: its default API (Vulkan/Metal/D3D12), OpenGL ES, or the browser's. */
  readonly via: "default" | "opengles" | "browser";
  readonly featureLevel: "core" | "compatibility";
  /** Largest buffer one shader may bind: weights above it must be split (see splitConvFilter). */
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
}

export interface BackendInfo {
  /** The tfjs backend that actually runs (tf.getBackend()). */
  readonly name: string;
  readonly requested: BackendName;
  /** Why this backend: which ones were tried, what failed, what was skipped and why. */
  readonly reason: string;
  readonly adapter?: AdapterSummary;
}

export interface UseBackendOptions {
  /** Progress and fallback lines (each probe's outcome). Default: discarded; `reason` has them. */
  log?: (line: string) => void;
  /**
   * Where the .wasm binaries are (a URL/path prefix ending in "/"). Node: resolved from
   * node_modules when omitted. Browser: tfjs's default (next to the script) when omitted.
   */
  wasmPaths?: string;
  /**
   * Node: XNNPACK threads for wasm. Default: the FCN_VIZ_WASM_THREADS environment variable,
   * else os.availableParallelism() (at most 8). Two or more start tfjs's threaded-SIMD build
   * (see wasm-threads.ts), falling back to the single-threaded SIMD build, with the reason
   * in `reason`, if it cannot start; 1 starts the single-threaded build directly.
   * Only the first start of wasm in a process counts: tfjs cannot restart it.
   */
  wasmThreads?: number;
}

/** A backend that was asked for explicitly and did not start. */
export class BackendError extends Error {
  constructor(
    readonly backend: string,
    readonly why: string,
    readonly fix: string,
  ) {
    super(`${backend} backend failed to start: ${why}. Fix: ${fix}`);
    this.name = "BackendError";
  }
}

// ---------------------------------------------------------------------------------------
// Module state: what useBackend chose, for describeBackend / maxBufferBytes.

interface Chosen {
  readonly name: string;
  readonly detail: string;
}
let chosen: Chosen | null = null;
/** How the first wasm start went when it is worth telling (a thread fallback); "" otherwise. */
let wasmNote = "";
/** WebGPU validation errors caught on our device (tfjs-webgpu never checks for them). */
const gpuErrors: string[] = [];
let gpuErrorCount = 0;
let gpuDevice: MiniDevice | null = null;

const isBrowser = (): boolean => typeof window !== "undefined";

/** Dynamic import that bundlers leave alone (Node-only modules). */
function nodeImport<T>(specifier: string): Promise<T> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function normalize(name: string): BackendName {
  const n = String(name).trim().toLowerCase();
  if ((BACKEND_NAMES as readonly string[]).includes(n)) return n as BackendName;
  throw new Error(`Unknown backend "${name}". Valid backends: ${BACKEND_NAMES.join(", ")}.`);
}

// ---------------------------------------------------------------------------------------
// Public API

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
  if (chosen && chosen.name === active) return chosen.detail;
  return `${active} (not chosen through useBackend)`;
}

/**
 * The largest buffer one WebGPU op can bind (the device's maxStorageBufferBindingSize),
 * or null when tfjs is not on webgpu. Software adapters cap it at 128 MiB; fc6 is 411 MB.
 * Above it tfjs-webgpu does not throw: Dawn logs a validation error and the op's output is
 * zeros/garbage. Give it to a Model (`maxBufferBytes`): weights are split to fit (see
 * splitConvFilter), and inputs whose activations would not fit are refused.
 */
export function maxBufferBytes(): number | null {
  if (activeBackend() !== "webgpu") return null;
  const device = (tf.backend() as unknown as { device?: MiniDevice }).device;
  return device?.limits.maxStorageBufferBindingSize ?? null;
}

/** The machine's RAM in bytes (Node), learned when a backend is chosen; null in a browser. */
let machineBytes: number | null = null;

async function learnMachineMemory(): Promise<void> {
  if (machineBytes !== null || isBrowser()) return;
  try {
    machineBytes = (await nodeImport<typeof import("node:os")>("node:os")).totalmem();
  } catch {
    machineBytes = null;
  }
}

/** 32-bit WebAssembly addresses 2^32 bytes; tfjs-backend-wasm's memory may grow to all of it. */
export const WASM32_BYTES = 2 ** 32;

/**
 * What the active backend can hold, for the memory planner (src/net/memory.ts):
 * wasm: everything within WebAssembly's 4 GiB address space; cpu (Node): the machine's
 * RAM; webgpu: no tensor above the device's storage-binding / buffer size (tfjs-webgpu
 * binds each tensor whole, and an oversized one is computed as garbage, not refused);
 * webgl: nothing known here (the explorer adds its texture-size test).
 */
export function memoryLimits(): MemoryLimits {
  const active = activeBackend() ?? tf.getBackend();
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
      const device = (tf.backend() as unknown as { device?: MiniDevice }).device;
      const bind = device?.limits.maxStorageBufferBindingSize ?? null;
      const buffer = device?.limits.maxBufferSize ?? null;
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

/**
 * WebGPU validation errors since the last call (and clears them). Waits for submitted GPU
 * work first, because Dawn reports errors asynchronously. Empty when not on webgpu.
 * Call after a forward pass: any entry means some op's output is garbage.
 */
export async function takeGpuErrors(): Promise<string[]> {
  if (gpuDevice) {
    await gpuDevice.queue.onSubmittedWorkDone();
    // The error events are dispatched from Dawn's callback queue: give it a turn.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return gpuErrors.splice(0);
}

/** How many WebGPU validation errors our device reported since startup. */
export function gpuErrorTotal(): number {
  return gpuErrorCount;
}

// ---------------------------------------------------------------------------------------
// Splitting large conv filters below the binding limit.

/** A filter in host memory, tfjs layout [kH, kW, in, out] (HostTensor fits). */
export interface HostFilter {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * Output-channel counts of the chunks a [kH, kW, in, out] float32 filter is split into so
 * that each chunk is at most maxBytes. Chunks are balanced (sizes differ by at most 1).
 */
export function planOutputChunks(shape: readonly number[], maxBytes: number): number[] {
  if (shape.length !== 4) throw new Error(`conv filter must be [kH, kW, in, out], got [${shape.join(", ")}]`);
  const [kh, kw, cin, cout] = shape as [number, number, number, number];
  const perChannel = kh * kw * cin * 4;
  if (!(maxBytes > 0)) throw new Error(`maxBytes must be positive, got ${maxBytes}`);
  if (perChannel > maxBytes) {
    throw new Error(
      `one output channel of this [${shape.join(", ")}] filter is ${perChannel} bytes, above the ` +
        `limit ${maxBytes}: splitting along output channels cannot help`,
    );
  }
  const maxPerChunk = Math.floor(maxBytes / perChannel);
  const n = Math.ceil(cout / maxPerChunk);
  const base = Math.floor(cout / n);
  const extra = cout - base * n;
  return Array.from({ length: n }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * Split a [kH, kW, in, out] filter along output channels into tensors of at most maxBytes
 * each (one tensor when it already fits). The slicing happens on the host: slicing a
 * too-large tensor on webgpu (tf.slice) binds the whole buffer and fails the same way.
 * Pass host data when you have it; a tf.Tensor is read back with dataSync().
 * The caller owns (and disposes) the returned tensors.
 */
export function splitConvFilter(filter: HostFilter | tf.Tensor, maxBytes: number): tf.Tensor4D[] {
  const shape = [...filter.shape];
  const sizes = planOutputChunks(shape, maxBytes);
  const [kh, kw, cin, cout] = shape as [number, number, number, number];
  if (filter instanceof tf.Tensor && sizes.length === 1) return [tf.clone(filter) as tf.Tensor4D];
  const data = filter instanceof tf.Tensor ? (filter.dataSync() as Float32Array) : filter.data;
  if (data.length !== kh * kw * cin * cout) {
    throw new Error(`filter data has ${data.length} values, shape [${shape.join(", ")}] needs ${kh * kw * cin * cout}`);
  }
  if (sizes.length === 1) return [tf.tensor4d(data, [kh, kw, cin, cout])];
  const rows = kh * kw * cin; // HWIO: output channels are the innermost axis
  const parts: tf.Tensor4D[] = [];
  let start = 0;
  for (const size of sizes) {
    const chunk = new Float32Array(rows * size);
    for (let r = 0; r < rows; r++) {
      chunk.set(data.subarray(r * cout + start, r * cout + start + size), r * size);
    }
    parts.push(tf.tensor4d(chunk, [kh, kw, cin, size]));
    start += size;
  }
  return parts;
}

/** conv2d with a filter given as output-channel chunks (splitConvFilter): conv each, concat. */
export function conv2dChunked(
  x: tf.Tensor4D,
  parts: readonly tf.Tensor4D[],
  strides: number | [number, number],
  pad: "valid" | "same" | number | [[number, number], [number, number], [number, number], [number, number]],
): tf.Tensor4D {
  return tf.tidy(() => {
    const outs = parts.map((f) => tf.conv2d(x, f, strides, pad));
    return outs.length === 1 ? outs[0]! : tf.concat4d(outs, 3);
  });
}

// ---------------------------------------------------------------------------------------
// Choosing

function activeBackend(): string | null {
  // getBackend() alone is not proof (see the file comment): the instance must exist too.
  const name = tf.getBackend();
  return name && tf.findBackend(name) ? name : null;
}

async function choose(requested: BackendName, opts: UseBackendOptions, log: (l: string) => void): Promise<BackendInfo> {
  const done = (name: string, reason: string, detail: string, adapter?: AdapterSummary): BackendInfo => {
    chosen = { name, detail };
    log(`backend: ${detail} (${reason})`);
    return adapter ? { name, requested, reason, adapter } : { name, requested, reason };
  };

  switch (requested) {
    case "cpu": {
      await start("cpu");
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

type Done = (name: string, reason: string, detail: string, adapter?: AdapterSummary) => BackendInfo;

async function autoNode(opts: UseBackendOptions, log: (l: string) => void, done: Done): Promise<BackendInfo> {
  let gpuWhy: string;
  try {
    const g = await startWebgpu(true, log);
    return done("webgpu", `auto: hardware GPU adapter ${g.adapter.description}`, g.detail, g.adapter);
  } catch (e) {
    gpuWhy = message(e);
    log(`auto: no webgpu: ${gpuWhy}`);
  }
  try {
    const w = await startWasm(opts, log);
    const note = w.note ? `; ${w.note}` : "";
    return done("wasm", `auto: no GPU adapter (${gpuWhy}), using ${w.detail.replace(/^wasm/, "WASM")}${note}`, w.detail);
  } catch (e) {
    log(`auto: wasm failed: ${message(e)}`);
    await start("cpu");
    return done(
      "cpu",
      `auto: no GPU adapter (${gpuWhy}); WASM failed (${message(e)}); using the pure-JS cpu backend (slow)`,
      "cpu (pure JS)",
    );
  }
}

async function autoBrowser(opts: UseBackendOptions, log: (l: string) => void, done: Done): Promise<BackendInfo> {
  const skipped: string[] = [];
  try {
    const g = await startWebgpu(true, log);
    return done("webgpu", `auto: GPU adapter ${g.adapter.description}`, g.detail, g.adapter);
  } catch (e) {
    skipped.push(`webgpu: ${message(e)}`);
  }
  try {
    const r = await startWebgl(true);
    return done("webgl", `auto: ${skipped.join("; ")}; using WebGL on ${r.renderer}`, r.detail);
  } catch (e) {
    skipped.push(`webgl: ${message(e)}`);
  }
  for (const s of skipped) log(`auto: ${s}`);
  try {
    const w = await startWasm(opts, log);
    return done("wasm", `auto: ${skipped.join("; ")}; using ${w.detail}${w.note ? `; ${w.note}` : ""}`, w.detail);
  } catch (e) {
    skipped.push(`wasm: ${message(e)}`);
    await start("cpu");
    return done("cpu", `auto: ${skipped.join("; ")}; using the pure-JS cpu backend (slow)`, "cpu (pure JS)");
  }
}

/**
 * tf.setBackend(name) and prove it: the result, the registry, and a computation.
 * tfjs reports an initialization failure only through console.warn, so that is captured
 * for the duration and put into the error (and passed through on success).
 * `abort` (optional) rejects to give up waiting for an initialization that hangs.
 */
async function start(name: string, abort?: Promise<never>): Promise<void> {
  const warned: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    warned.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(" "));
  };
  let ok: boolean;
  try {
    ok = await (abort ? Promise.race([tf.setBackend(name), abort]) : tf.setBackend(name));
  } catch (e) {
    warned.push(message(e));
    ok = false;
  } finally {
    console.warn = original;
  }
  // Emscripten repeats one failure several times, wrapped differently: keep the first.
  const cause = () =>
    warned
      .map((w) => (w.split("\n")[0] ?? "").trim())
      .find((w) => w && !/^Initialization of backend/.test(w))
      ?.slice(0, 400) ?? "tf.setBackend returned false";
  if (!ok || tf.getBackend() !== name || !tf.findBackend(name)) {
    throw new Error(cause());
  }
  for (const w of warned) original(w);
  // 2048 elements: above tfjs-webgpu's CPU hand-off threshold (1000), so the GPU computes it.
  const sum = tf.tidy(() => tf.sum(tf.add(tf.range(0, 2048, 1, "float32"), 1)));
  const got = (await sum.data())[0];
  sum.dispose();
  if (got !== 2098176) {
    throw new Error(`the ${name} backend started but computes wrong results (sum 1..2048 gave ${got}, expected 2098176)`);
  }
}

// ---- WASM

interface WasmStart {
  /** "wasm (SIMD, 2 threads)": what runs. */
  readonly detail: string;
  /** Why fewer threads than the cores, when it is not by request; else "". */
  readonly note: string;
}

async function startWasm(opts: UseBackendOptions, log: (l: string) => void): Promise<WasmStart> {
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  let where = opts.wasmPaths;
  if (!where && !isBrowser()) {
    // tfjs looks for the .wasm next to the *calling* script in Node, which is wrong for us.
    const { createRequire } = await nodeImport<typeof import("node:module")>("node:module");
    const path = await nodeImport<typeof import("node:path")>("node:path");
    const main = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
    where = path.dirname(main) + path.sep; // .../node_modules/@tensorflow/tfjs-backend-wasm/dist/
  }
  const first = !tf.findBackend("wasm");
  // setWasmPaths throws once the wasm backend is initialized: only before the first start.
  if (where && first) wasm.setWasmPaths(where);
  // In a browser tfjs picks threads itself (when the page is cross-origin isolated).
  if (first && !isBrowser()) wasmNote = await startThreadedWasm(wasm, where, opts, log);
  if (activeBackend() !== "wasm") {
    try {
      await start("wasm");
    } catch (e) {
      throw new BackendError(
        "wasm",
        message(e),
        isBrowser()
          ? "serve tfjs-backend-wasm's dist/*.wasm files and pass their URL prefix as wasmPaths"
          : `check that ${where ?? "tfjs-backend-wasm/dist/"}tfjs-backend-wasm-simd.wasm exists (reinstall @tensorflow/tfjs-backend-wasm), or use --backend cpu`,
      );
    }
  }
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  const threads = wasm.getThreadsCount();
  return { detail: `wasm (${simd ? "SIMD" : "no SIMD"}, ${threads} thread${threads === 1 ? "" : "s"})`, note: wasmNote };
}

/** Threads asked for: the option, else FCN_VIZ_WASM_THREADS, else one per core. */
async function wantedWasmThreads(opts: UseBackendOptions): Promise<{ n: number; asked: boolean }> {
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
  opts: UseBackendOptions,
  log: (l: string) => void,
): Promise<string> {
  const want = await wantedWasmThreads(opts);
  if (want.n < 2) return want.asked ? "" : "one CPU core, so single-threaded";
  let attempt: ThreadedWasmAttempt | undefined;
  try {
    attempt = await prepareThreadedWasm(wasm, tf.env(), want.n, { wasmDir: where });
    await start("wasm", attempt.failed);
    attempt.commit();
  } catch (e) {
    forgetWasmInstance();
    attempt?.abandon();
    const why = `threaded WASM did not start (${message(e)}), so single-threaded`;
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

// ---- WebGL (browser only)

async function startWebgl(hardwareOnly: boolean): Promise<{ renderer: string; software: boolean; detail: string }> {
  const renderer = webglRenderer();
  if (renderer === null) throw new Error("this browser has no WebGL2");
  const software = SOFTWARE_RE.test(renderer);
  if (hardwareOnly && software) throw new Error(`only a software renderer (${renderer})`);
  try {
    await start("webgl");
  } catch (e) {
    throw new BackendError("webgl", message(e), "use webgpu or wasm");
  }
  return { renderer, software, detail: `webgl on ${renderer}${software ? " [software]" : ""}` };
}

function webglRenderer(): string | null {
  try {
    const canvas = document.createElement("canvas");
    const gl = canvas.getContext("webgl2");
    if (!gl) return null;
    const ext = gl.getExtension("WEBGL_debug_renderer_info");
    const r = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    gl.getExtension("WEBGL_lose_context")?.loseContext();
    return String(r);
  } catch {
    return null;
  }
}

// ---- WebGPU

/** Names of software rasterizers, as adapters and GL renderers spell them. */
const SOFTWARE_RE = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|\bwarp\b/i;

// Minimal structural types for what is used here (the full ones live in @webgpu/types).
interface MiniAdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface MiniLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeWorkgroupsPerDimension: number;
  maxComputeWorkgroupSizeX: number;
  maxComputeInvocationsPerWorkgroup: number;
}
interface MiniDevice {
  limits: MiniLimits;
  queue: { onSubmittedWorkDone(): Promise<undefined> };
  lost: Promise<{ message: string; reason?: string }>;
  addEventListener(type: "uncapturederror", cb: (ev: { error: { message: string } }) => void): void;
  destroy(): void;
}
interface MiniAdapter {
  info?: MiniAdapterInfo;
  isFallbackAdapter?: boolean;
  featureLevel?: string;
  limits: MiniLimits;
  features: { has(f: string): boolean };
  requestDevice(desc?: object): Promise<MiniDevice>;
}
interface MiniGpu {
  requestAdapter(options?: object): Promise<MiniAdapter | null>;
}

type Route = "default" | "opengles" | "browser";

/** Dawn instances by route (creating one is ~100 ms; keep them for the process). */
const dawnGpus = new Map<Route, MiniGpu>();

interface WebgpuStart {
  readonly adapter: AdapterSummary;
  readonly detail: string;
  /** Routes tried before the one that worked, and why they did not. */
  readonly skipped: readonly string[];
}

async function startWebgpu(hardwareOnly: boolean, log: (l: string) => void): Promise<WebgpuStart> {
  // Already running (a second useBackend("webgpu")): keep the device and its tensors.
  if (tf.findBackend("webgpu") && gpuDevice && lastAdapter && (!hardwareOnly || !lastAdapter.software)) {
    await start("webgpu");
    return { adapter: lastAdapter, detail: webgpuDetail(lastAdapter), skipped: ["already running"] };
  }
  const routes: Route[] = isBrowser() ? ["browser"] : hardwareOnly ? ["default"] : ["default", "opengles"];
  const failures: string[] = [];
  for (const route of routes) {
    let gpu: MiniGpu;
    let adapter: MiniAdapter | null;
    try {
      const skip = await routeUnavailable(route);
      if (skip) {
        failures.push(skip);
        continue;
      }
      gpu = await gpuFor(route);
      adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
    } catch (e) {
      failures.push(`${routeName(route)}: ${message(e)}`);
      continue;
    }
    if (!adapter) {
      failures.push(`${routeName(route)}: Dawn found no adapter${route === "opengles" ? await eglHint() : ""}`);
      continue;
    }
    const summary = summarize(adapter, route);
    if (hardwareOnly && summary.software) {
      failures.push(`Dawn found only a software adapter: ${summary.description}`);
      continue;
    }
    try {
      await startOnAdapter(gpu, adapter, summary, log);
      lastAdapter = summary;
      return { adapter: summary, detail: webgpuDetail(summary), skipped: failures };
    } catch (e) {
      failures.push(`${routeName(route)}: ${summary.description}: ${message(e)}`);
      log(`webgpu: ${failures[failures.length - 1]}`);
    }
  }
  const why = failures.join("; ");
  if (hardwareOnly) throw new Error(why);
  throw new BackendError(
    "webgpu",
    why,
    isBrowser()
      ? "use a browser with WebGPU enabled (Chrome/Edge 113+, or --enable-unsafe-webgpu), or use webgl/wasm"
      : "on a GPU machine install its Vulkan driver (libvulkan1 and the vendor's ICD); without a GPU, " +
        "Debian/Ubuntu packages libegl-dev libegl-mesa0 libgl1-mesa-dri give Dawn a software OpenGL ES " +
        "adapter (slow); or use --backend wasm",
  );
}

let lastAdapter: AdapterSummary | null = null;

function routeName(route: Route): string {
  return route === "default" ? "Vulkan/Metal/D3D12" : route === "opengles" ? "OpenGL ES" : "navigator.gpu";
}

/** A reason to skip a route without asking Dawn (which would print native warnings). */
async function routeUnavailable(route: Route): Promise<string | null> {
  if (route === "browser") {
    const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
    return nav?.gpu ? null : "this browser has no navigator.gpu (WebGPU disabled or unsupported)";
  }
  if (route === "default" && process.platform === "linux" && (await linuxLibraryPresent("libvulkan.so.1")) === false) {
    return "no Vulkan loader (libvulkan.so.1) on this machine, so Dawn cannot reach a GPU";
  }
  return null;
}

async function eglHint(): Promise<string> {
  // Dawn dlopens the unversioned "libEGL.so", which only Debian's libegl-dev provides.
  if (process.platform === "linux" && (await linuxLibraryPresent("libEGL.so")) === false) {
    return " (Dawn loads libEGL.so, which is missing: install libegl-dev)";
  }
  const platform = process.env.EGL_PLATFORM;
  if (platform && platform !== "surfaceless") {
    return ` (EGL_PLATFORM=${platform} is set: unset it, or set it to surfaceless, to run without a display)`;
  }
  return " (EGL has no usable display: are Mesa's libegl-mesa0 and libgl1-mesa-dri installed?)";
}

/** Is a shared library findable by the dynamic loader? null when unknowable. */
async function linuxLibraryPresent(lib: string): Promise<boolean | null> {
  try {
    const fs = await nodeImport<typeof import("node:fs")>("node:fs");
    const dirs = [
      ...(process.env.LD_LIBRARY_PATH ?? "").split(":").filter(Boolean),
      "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
      "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib",
    ];
    if (dirs.some((d) => fs.existsSync(`${d}/${lib}`))) return true;
    if (fs.existsSync("/etc/ld.so.cache")) {
      return fs.readFileSync("/etc/ld.so.cache").includes(Buffer.from(lib + "\0"));
    }
    return null;
  } catch {
    return null;
  }
}

/** navigator.gpu for a route; in Node a Dawn instance, installed as globalThis.navigator.gpu. */
async function gpuFor(route: Route): Promise<MiniGpu> {
  if (route === "browser") return (globalThis as unknown as { navigator: { gpu: MiniGpu } }).navigator.gpu;
  const cached = dawnGpus.get(route);
  if (cached) return cached;
  const { create, globals } = await nodeImport<typeof import("webgpu")>("webgpu");
  // GPUBufferUsage, GPUMapMode... are globals in a browser; tfjs-webgpu uses them as such.
  Object.assign(globalThis, globals);
  let gpu: MiniGpu;
  if (route === "default") {
    gpu = create([]) as unknown as MiniGpu;
  } else {
    // Mesa's EGL without a display server: the surfaceless platform (respect a user's choice).
    process.env.EGL_PLATFORM ??= "surfaceless";
    const real = create(["backend=opengles"]) as unknown as MiniGpu;
    // OpenGL ES only offers WebGPU's "compatibility" feature level, and tfjs asks for core.
    // Dawn's GPU methods are native accessors (assigning over requestAdapter does nothing),
    // so wrap the object instead.
    gpu = {
      requestAdapter: (o?: object) => real.requestAdapter({ ...(o ?? {}), featureLevel: "compatibility" }),
    };
  }
  dawnGpus.set(route, gpu);
  return gpu;
}

/** Make `navigator.gpu` answer `gpu` (tfjs-webgpu checks it, even in its constructor). */
function installNavigatorGpu(gpu: MiniGpu): void {
  const g = globalThis as { navigator?: object };
  const nav = g.navigator;
  if ((nav as { gpu?: unknown } | undefined)?.gpu === gpu) return; // a browser's own
  if (nav) {
    try {
      Object.defineProperty(nav, "gpu", { value: gpu, configurable: true, writable: true });
      if ((nav as { gpu?: unknown }).gpu === gpu) return;
    } catch {
      // Node >= 21's navigator may refuse new properties: replace it below.
    }
  }
  // Node 20 has no navigator; newer ones define it as a read-only getter on globalThis.
  Object.defineProperty(globalThis, "navigator", {
    value: { ...(nav ?? {}), gpu },
    configurable: true,
    writable: true,
  });
}

function summarize(adapter: MiniAdapter, via: Route): AdapterSummary {
  const info = adapter.info ?? {};
  const vendor = info.vendor ?? "";
  const architecture = info.architecture ?? "";
  // Dawn sanitizes device names ("llvmpipe-llvm-15-0-6-256-bits-"): trim the stray dash.
  const device = (info.device ?? "").replace(/-+$/, "");
  const name = [vendor, architecture, device].filter(Boolean).join(" ");
  const description = name && info.description ? `${name} (${info.description})` : name || info.description || "unnamed adapter";
  const isFallback = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter);
  return {
    description,
    vendor,
    architecture,
    device,
    isFallback,
    // Dawn reports llvmpipe over OpenGL ES as isFallbackAdapter: false, hence the names.
    software: isFallback || SOFTWARE_RE.test(`${vendor} ${architecture} ${device} ${info.description ?? ""}`),
    via,
    featureLevel: via === "opengles" || adapter.featureLevel === "compatibility" ? "compatibility" : "core",
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
  };
}

function webgpuDetail(a: AdapterSummary): string {
  const how = a.via === "opengles" ? " via OpenGL ES, compatibility mode" : "";
  const mib = (a.maxStorageBufferBindingSize / 2 ** 20).toFixed(0);
  return `webgpu on ${a.description}${how}${a.software ? " [software]" : ""}; max storage binding ${mib} MiB`;
}

/**
 * Create the device ourselves and register tfjs-webgpu with it, instead of tfjs's own
 * factory: it would request an adapter again (maybe a different one), and nobody would
 * listen for validation errors, which are the only symptom of the 128 MiB trap.
 */
async function startOnAdapter(gpu: MiniGpu, adapter: MiniAdapter, summary: AdapterSummary, log: (l: string) => void): Promise<void> {
  installNavigatorGpu(gpu);
  const { WebGPUBackend } = await import("@tensorflow/tfjs-backend-webgpu");
  const L = adapter.limits;
  // The same limits tfjs-webgpu asks for: the adapter's maxima, not WebGPU's defaults.
  const device = await adapter.requestDevice({
    requiredFeatures: adapter.features.has("timestamp-query") ? ["timestamp-query"] : [],
    requiredLimits: {
      maxComputeWorkgroupStorageSize: L.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: L.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: L.maxStorageBufferBindingSize,
      maxBufferSize: L.maxBufferSize,
      maxComputeWorkgroupSizeX: L.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: L.maxComputeInvocationsPerWorkgroup,
    },
  });
  device.addEventListener("uncapturederror", (ev) => {
    gpuErrorCount++;
    if (gpuErrors.length < 50) gpuErrors.push(ev.error.message);
    if (gpuErrorCount <= 3) log(`webgpu validation error (that op's output is garbage): ${ev.error.message.split("\n")[0]}`);
  });
  void device.lost.then((i) => {
    if (gpuDevice === device && i.reason !== "destroyed") log(`webgpu device lost: ${i.message}`);
  });
  const info = (adapter.info ?? {}) as ConstructorParameters<typeof WebGPUBackend>[1];
  if (tf.findBackendFactory("webgpu")) tf.removeBackend("webgpu");
  tf.registerBackend(
    "webgpu",
    () => new WebGPUBackend(device as unknown as ConstructorParameters<typeof WebGPUBackend>[0], info),
    3, // tfjs-webgpu's own priority
  );
  try {
    await start("webgpu");
  } catch (e) {
    tf.removeBackend("webgpu"); // or tfjs would retry it silently at the next op
    device.destroy();
    throw e;
  }
  gpuDevice = device;
  log(`webgpu: ${summary.description}, maxStorageBufferBindingSize ${summary.maxStorageBufferBindingSize}`);
}
