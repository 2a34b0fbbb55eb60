/**
 * Small facts about where the code runs, shared by the backend modules.
 *
 * Node-only modules (`webgpu`, `node:*`) are imported dynamically, through a specifier
 * bundlers do not follow, so the backends can be bundled for a browser.
 */

export const isBrowser = (): boolean => typeof window !== "undefined";

/** Dynamic import that bundlers leave alone (Node-only modules). */
export function nodeImport<T>(specifier: string): Promise<T> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Names of software rasterizers, as WebGPU adapters and WebGL renderers spell them. */
export const SOFTWARE_RE = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|\bwarp\b/i;
