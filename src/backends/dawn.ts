/**
 * Reaching a GPU for tfjs-webgpu: in Node through Dawn (the `webgpu` package), by one of
 * its routes, or through the browser's navigator.gpu; and why a route is unavailable.
 */
import { isBrowser, nodeImport } from "./platform.js";
import { session } from "./session.js";
import type { MiniGpu, Route } from "./webgpu-types.js";

/** The routes to try, best first. A software adapter is all OpenGL ES offers without a GPU. */
export function routesToTry(hardwareOnly: boolean): Route[] {
  return isBrowser() ? ["browser"] : hardwareOnly ? ["default"] : ["default", "opengles"];
}

export function routeName(route: Route): string {
  return route === "default" ? "Vulkan/Metal/D3D12" : route === "opengles" ? "OpenGL ES" : "navigator.gpu";
}

/** A reason to skip a route without asking Dawn (which would print native warnings). */
export async function routeUnavailable(route: Route): Promise<string | null> {
  if (route === "browser") {
    const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
    return nav?.gpu ? null : "this browser has no navigator.gpu (WebGPU disabled or unsupported)";
  }
  if (route === "default" && process.platform === "linux" && (await linuxLibraryPresent("libvulkan.so.1")) === false) {
    return "no Vulkan loader (libvulkan.so.1) on this machine, so Dawn cannot reach a GPU";
  }
  return null;
}

/** Why Dawn's OpenGL ES route found no adapter, as far as can be told (a parenthesis). */
export async function eglHint(): Promise<string> {
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

/** navigator.gpu for a route; in Node a Dawn instance (kept in the session), for installNavigatorGpu. */
export async function gpuFor(route: Route): Promise<MiniGpu> {
  if (route === "browser") return (globalThis as unknown as { navigator: { gpu: MiniGpu } }).navigator.gpu;
  const cached = session.dawnGpus.get(route);
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
  session.dawnGpus.set(route, gpu);
  return gpu;
}

/** Make `navigator.gpu` answer `gpu` (tfjs-webgpu checks it, even in its constructor). */
export function installNavigatorGpu(gpu: MiniGpu): void {
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
