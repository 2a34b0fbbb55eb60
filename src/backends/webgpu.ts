/**
 * The webgpu backend: finding an adapter (hardware first), creating its device ourselves so
 * that validation errors are heard, and what that device can bind.
 */
import * as tf from "@tensorflow/tfjs";
import { eglHint, gpuFor, installNavigatorGpu, routeName, routesToTry, routeUnavailable } from "./dawn.js";
import { errorMessage, isBrowser, SOFTWARE_RE } from "./platform.js";
import { session } from "./session.js";
import { BackendError, activeBackend, startBackend } from "./start.js";
import type { AdapterSummary, MiniAdapter, MiniDevice, MiniGpu, MiniLimits, Route } from "./webgpu-types.js";

export interface WebgpuStart {
  readonly adapter: AdapterSummary;
  readonly detail: string;
  /** Routes tried before the one that worked, and why they did not. */
  readonly skipped: readonly string[];
}

/**
 * Start webgpu on the first route that gives an adapter (see dawn.ts). With hardwareOnly
 * (auto), a software adapter is refused and failure is a plain Error; otherwise a
 * BackendError with the fix.
 */
export async function startWebgpu(hardwareOnly: boolean, log: (l: string) => void): Promise<WebgpuStart> {
  // Already running (a second useBackend("webgpu")): keep the device and its tensors.
  const running = session.gpuAdapter;
  if (tf.findBackend("webgpu") && session.gpuDevice && running && (!hardwareOnly || !running.software)) {
    await startBackend("webgpu");
    return { adapter: running, detail: webgpuDetail(running), skipped: ["already running"] };
  }
  const failures: string[] = [];
  for (const route of routesToTry(hardwareOnly)) {
    const got = await startOnRoute(route, hardwareOnly, log);
    if (typeof got === "string") {
      failures.push(got);
      continue;
    }
    session.gpuAdapter = got;
    return { adapter: got, detail: webgpuDetail(got), skipped: failures };
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

/** Start webgpu through one route: the adapter it runs on, or why not. */
async function startOnRoute(route: Route, hardwareOnly: boolean, log: (l: string) => void): Promise<AdapterSummary | string> {
  let gpu: MiniGpu;
  let adapter: MiniAdapter | null;
  try {
    const skip = await routeUnavailable(route);
    if (skip) return skip;
    gpu = await gpuFor(route);
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (e) {
    return `${routeName(route)}: ${errorMessage(e)}`;
  }
  if (!adapter) {
    return `${routeName(route)}: Dawn found no adapter${route === "opengles" ? await eglHint() : ""}`;
  }
  const summary = summarize(adapter, route);
  if (hardwareOnly && summary.software) {
    return `Dawn found only a software adapter: ${summary.description}`;
  }
  try {
    await startOnAdapter(gpu, adapter, summary, log);
    return summary;
  } catch (e) {
    const why = `${routeName(route)}: ${summary.description}: ${errorMessage(e)}`;
    log(`webgpu: ${why}`);
    return why;
  }
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
  listenForErrors(device, log);
  const info = (adapter.info ?? {}) as ConstructorParameters<typeof WebGPUBackend>[1];
  if (tf.findBackendFactory("webgpu")) tf.removeBackend("webgpu");
  tf.registerBackend(
    "webgpu",
    () => new WebGPUBackend(device as unknown as ConstructorParameters<typeof WebGPUBackend>[0], info),
    3, // tfjs-webgpu's own priority
  );
  try {
    await startBackend("webgpu");
  } catch (e) {
    tf.removeBackend("webgpu"); // or tfjs would retry it silently at the next op
    device.destroy();
    throw e;
  }
  session.gpuDevice = device;
  log(`webgpu: ${summary.description}, maxStorageBufferBindingSize ${summary.maxStorageBufferBindingSize}`);
}

/** Collect the device's validation errors into the session, and say when it is lost. */
function listenForErrors(device: MiniDevice, log: (l: string) => void): void {
  device.addEventListener("uncapturederror", (ev) => {
    session.gpuErrorCount++;
    if (session.gpuErrors.length < 50) session.gpuErrors.push(ev.error.message);
    if (session.gpuErrorCount <= 3) log(`webgpu validation error (that op's output is garbage): ${ev.error.message.split("\n")[0]}`);
  });
  void device.lost.then((i) => {
    if (session.gpuDevice === device && i.reason !== "destroyed") log(`webgpu device lost: ${i.message}`);
  });
}

/** The limits of the device the active tfjs backend runs on: call it only when that is webgpu. */
export function webgpuDeviceLimits(): MiniLimits | null {
  return (tf.backend() as unknown as { device?: MiniDevice }).device?.limits ?? null;
}

/**
 * The largest buffer one WebGPU op can bind (the device's maxStorageBufferBindingSize),
 * or null when tfjs is not on webgpu. Software adapters cap it at 128 MiB; fc6 is 411 MB.
 * Above it tfjs-webgpu does not throw: Dawn logs a validation error and the op's output is
 * zeros/garbage. Give it to a Model (`maxBufferBytes`): weights are split to fit (see
 * splitConvFilter in net/filter-chunks.ts), and inputs whose activations would not fit are refused.
 */
export function maxBufferBytes(): number | null {
  if (activeBackend() !== "webgpu") return null;
  return webgpuDeviceLimits()?.maxStorageBufferBindingSize ?? null;
}

/**
 * WebGPU validation errors since the last call (and clears them). Waits for submitted GPU
 * work first, because Dawn reports errors asynchronously. Empty when not on webgpu.
 * Call after a forward pass: any entry means some op's output is garbage.
 */
export async function takeGpuErrors(): Promise<string[]> {
  if (session.gpuDevice) {
    await session.gpuDevice.queue.onSubmittedWorkDone();
    // The error events are dispatched from Dawn's callback queue: give it a turn.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return session.gpuErrors.splice(0);
}

/** How many WebGPU validation errors our device reported since startup. */
export function gpuErrorTotal(): number {
  return session.gpuErrorCount;
}
